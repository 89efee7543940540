import { z } from 'zod';
import { IsoDateTime, UploadId, UploadPart } from './api-schemas.ts';

/**
 * Uploads you can come back to (issue 18): what the API says about an unfinished
 * upload. Which parts are stored is read from storage (S3 ListParts, or the local
 * adapter's part files), never from what a client remembers.
 */
export const UploadSummary = z.object({
  uploadId: UploadId,
  mode: z.enum(['single', 'multipart']),
  key: z.string(),
  filename: z.string(),
  title: z.string(),
  contentType: z.string(),
  size: z.number().int().positive(),
  /** Every part but the last is exactly this long; null for a single PUT. */
  partSize: z.number().int().positive().nullable(),
  partCount: z.number().int().positive(),
  status: z.enum(['pending', 'completing']),
  createdAt: IsoDateTime,
  /** After this the sweeper removes the upload and its parts. */
  expiresAt: IsoDateTime,
});
export type UploadSummary = z.infer<typeof UploadSummary>;

export const UploadList = z.object({ items: z.array(UploadSummary) });
export type UploadList = z.infer<typeof UploadList>;

export const StoredUploadPart = z.object({
  partNumber: z.number().int().min(1).max(10_000),
  etag: z.string(),
  size: z.number().int().nonnegative(),
});
export type StoredUploadPart = z.infer<typeof StoredUploadPart>;

export const UploadState = UploadSummary.extend({
  /** Parts storage holds, by part number (multipart only). */
  parts: z.array(StoredUploadPart),
  /** Bytes storage holds for this upload so far. */
  storedBytes: z.number().int().nonnegative(),
});
export type UploadState = z.infer<typeof UploadState>;

export const UploadPartsRequest = z.strictObject({
  partNumbers: z
    .array(z.number().int().min(1).max(10_000))
    .min(1)
    .max(1000)
    .refine((list) => new Set(list).size === list.length, 'part numbers must not repeat'),
});
export type UploadPartsRequest = z.infer<typeof UploadPartsRequest>;

export const SignedUploadPart = UploadPart.extend({
  /** The only body length the URL accepts. */
  size: z.number().int().positive(),
});
export const UploadPartsResponse = z.object({
  parts: z.array(SignedUploadPart),
  /** When these URLs stop working (never after the upload itself expires). */
  expiresAt: IsoDateTime,
});
export type UploadPartsResponse = z.infer<typeof UploadPartsResponse>;

/** A per-user limit the request would pass (HTTP 403 `quota_exceeded`, details name it). */
export const QuotaName = z.enum([
  'concurrentUploads',
  'activeJobs',
  'storedBytes',
  'sourceDurationSeconds',
]);
export type QuotaName = z.infer<typeof QuotaName>;
