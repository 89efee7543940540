import { z } from 'zod';
import { IsoDateTime } from './api-schemas.ts';
import { EntityId } from './queue-messages.ts';
import { TracksSummary } from './media-tracks.ts';

/** The largest sidecar caption file accepted: a feature film's SubRip is ~100–200 KiB. */
export const MAX_CAPTION_BYTES = 512 * 1024;

/** A BCP 47 language tag ("en", "pt-BR", "zh-Hant"), canonicalised; ISO 639-2 codes become 639-1 ("eng" → "en"). */
export const LanguageTag = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // falls through to the issue below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en or pt-BR' });
    return z.NEVER;
  });

export const CaptionCreateRequest = z.strictObject({
  language: LanguageTag,
  /** What the captions menu shows, e.g. "English (SDH)". */
  label: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\r\n"]*$/, 'must be one line without double quotes'),
  /** The .srt or .vtt file's text. */
  content: z
    .string()
    .min(1)
    .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_CAPTION_BYTES, {
      message: `must be at most ${MAX_CAPTION_BYTES / 1024} KiB`,
    }),
});
export type CaptionCreateRequest = z.infer<typeof CaptionCreateRequest>;

export const Caption = z.object({
  id: EntityId,
  videoId: EntityId,
  language: z.string(),
  label: z.string(),
  /** "srt" or "vtt": what was uploaded (stored as WebVTT either way). */
  sourceFormat: z.enum(['srt', 'vtt']),
  cueCount: z.number().int().nonnegative(),
  createdAt: IsoDateTime,
});
export type Caption = z.infer<typeof Caption>;

export const CaptionList = z.object({ items: z.array(Caption) });
export type CaptionList = z.infer<typeof CaptionList>;

/**
 * `GET /api/videos/:id/tracks`: the audio and subtitle tracks the player offers (sidecar
 * captions among the subtitles), and the source tracks that were skipped with why.
 * `null` tracks: no transcode has produced its tracks yet.
 */
export const TracksResponse = z.object({ tracks: TracksSummary.nullable() });
export type TracksResponse = z.infer<typeof TracksResponse>;
