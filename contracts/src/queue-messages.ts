import { z } from 'zod';

/** Postgres ids travel as decimal strings (bigint-safe). */
export const EntityId = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a positive integer id');
export type EntityId = z.infer<typeof EntityId>;

/** What the outbox publishes for a new transcode: the controller reads the rest from Postgres. */
export const TranscodeJobMessage = z.object({ jobId: EntityId });
export type TranscodeJobMessage = z.infer<typeof TranscodeJobMessage>;

export const OUTBOX_TOPIC_TRANSCODE = 'transcode';
