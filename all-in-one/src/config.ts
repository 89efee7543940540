import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ApiConfig } from '@videoforge/api';

/** What all-in-one mode reads beyond the API's own settings. */
const AllInOneEnv = z.object({
  /** Renditions transcoded at once; each ffmpeg uses several cores already. */
  TRANSCODE_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, Math.floor(availableParallelism() / 2))),
  /** The built web app (`npm run build -w web`); the API alone is served when it is missing. */
  WEB_DIST_DIR: z.string().default(fileURLToPath(new URL('../../web/dist', import.meta.url))),
});

/** The all-in-one process's one config: the API's schema and the extras, validated together. */
export const AllInOneConfig = z.intersection(ApiConfig, AllInOneEnv);
export type AllInOneConfig = z.infer<typeof AllInOneConfig>;
