// One way for every bench to read its flags: the zod schema is the list of flags.
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Whether a flag takes no value: a boolean field, however wrapped in default/optional. */
function isSwitch(field: z.ZodType): boolean {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional)
    inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodBoolean;
}

const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses `process.argv` against a bench's schema: each key is a `--kebab-case` flag, a
 * boolean key a switch, every other key takes a value that the schema coerces. A bad or
 * unknown flag prints what is wrong and exits 2, as a command-line tool would.
 */
export function parseBenchArgs<S extends z.ZodObject>(
  schema: S,
  argv = process.argv.slice(2),
): z.infer<S> {
  const options: Record<string, { type: 'boolean' | 'string' }> = {};
  const keyOf = new Map<string, string>();
  for (const [key, field] of Object.entries(schema.shape)) {
    options[flagOf(key)] = { type: isSwitch(field as z.ZodType) ? 'boolean' : 'string' };
    keyOf.set(flagOf(key), key);
  }
  try {
    const { values } = parseArgs({ args: argv, options, strict: true });
    const byKey = Object.fromEntries(
      Object.entries(values).map(([flag, value]) => [keyOf.get(flag) ?? flag, value]),
    );
    const parsed = schema.safeParse(byKey);
    if (parsed.success) return parsed.data;
    fail(
      parsed.error.issues
        .map((issue) => `--${flagOf(String(issue.path[0] ?? ''))}: ${issue.message}`)
        .join('\n'),
      options,
    );
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), options);
  }
}

function fail(message: string, options: Record<string, { type: string }>): never {
  const flags = Object.entries(options)
    .map(([flag, { type }]) => (type === 'boolean' ? `--${flag}` : `--${flag} <value>`))
    .join(' ');
  process.stderr.write(`${message}\nflags: ${flags}\n`);
  process.exit(2);
}
