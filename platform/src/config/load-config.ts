import { z } from 'zod';

/** Raised once at start-up with every configuration problem, not just the first. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The one config loader: parses the environment with a process's zod schema. Empty
 * strings count as unset, so `FOO=` in a .env file falls back to the default instead
 * of failing a number or URL check. Problems name the variable and never echo its
 * value, because values may be secrets.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[name] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, cleaned)));
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const variable = issue.path.map(String).join('.') || '(environment)';
  if (issue.code === 'invalid_type' && env[variable] === undefined) {
    return `${variable}: is required but not set`;
  }
  return `${variable}: ${issue.message}`;
}

/**
 * For a process's main: the config, or the list of problems on stderr and exit code
 * 78 (EX_CONFIG), which tells a supervisor that restarting will not help.
 */
export function loadConfigOrExit<Schema extends z.ZodType>(
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
