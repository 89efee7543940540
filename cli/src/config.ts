import { z } from 'zod';

/** The CLI's environment, read once here (nowhere else reads process.env). */
export const CliEnv = z.object({
  VIDEOFORGE_URL: z.url().default('http://127.0.0.1:8080'),
  VIDEOFORGE_TOKEN: z.string().min(1).optional(),
  VIDEOFORGE_USERNAME: z.string().min(1).optional(),
  VIDEOFORGE_PASSWORD: z.string().min(1).optional(),
  VIDEOFORGE_TOTP: z
    .string()
    .regex(/^[0-9]{6}$/)
    .optional(),
  /** Force plain line output even on a terminal (logs, CI). */
  VIDEOFORGE_PLAIN: z.stringbool().default(false),
});
export type CliEnv = z.infer<typeof CliEnv>;

export function loadCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = CliEnv.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `bad environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
