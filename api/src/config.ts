import { z } from 'zod';
import { DatabaseEnv, LoggingEnv, QueueEnv, StorageEnv, withAdapterRequirements } from '@videoforge/platform/config';

/** Everything the API process reads from its environment. */
export const ApiConfig = withAdapterRequirements(
  z.object({
    ...LoggingEnv,
    ...DatabaseEnv,
    ...StorageEnv,
    ...QueueEnv,
    /** Loopback by default: all-in-one mode is for this machine unless told otherwise. */
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Run the outbox relay in this process (all-in-one); a separate relay deployment can turn it off. */
    OUTBOX_RELAY_ENABLED: z.stringbool().default(true),
  }),
);
export type ApiConfig = z.infer<typeof ApiConfig>;
