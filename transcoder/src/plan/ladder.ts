import {
  DEFAULT_LADDER,
  ownSizeRenditionName,
  type FrameRate,
  type MediaMetadata,
  type RenditionSpec,
} from '@videoforge/contracts';
import {
  DEFAULT_COLOUR_SETTINGS,
  planColour,
  type ColourPlan,
  type ColourSettings,
} from './colour.ts';
import {
  planDeinterlace,
  type DeinterlacePlan,
  type DeinterlaceRate,
  type InterlaceDetection,
} from './deinterlace.ts';
import { keyframeIntervalFrames, outputFrameRate } from './output-frame-rate.ts';

/** A rendition before it meets a source: its short side and nominal video bit rate (ABR's target, capped CRF's cap). */
export interface RenditionTemplate {
  name: string;
  height: number;
  videoBitrateKbps: number;
  /** This rendition's AAC bit rate, when it differs from the plan's. */
  audioBitrateKbps?: number;
}

/** A rendition fitted to one source: exact output size and capped bit rates. */
export interface PlannedRendition {
  name: string;
  width: number;
  height: number;
  videoBitrateKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  /** This rendition's AAC bit rate, when it differs from the plan's (a TranscodeJob's audioBitrate). */
  audioBitrateKbps?: number;
  /** The name it was asked for, when that differs (a below-360p source's own-size rendition). */
  requestedName?: string;
  /** An HDR twin ("720p-hdr"): HEVC Main10 keeping the source's PQ/HLG signalling. */
  hdr?: 'PQ' | 'HLG';
  /** A twin in another codec family ("720p-av1"): SDR like its rendition, fewer bits. Absent: H.264. */
  family?: 'hevc' | 'av1';
}

export interface AudioPlan {
  codec: 'aac';
  bitrateKbps: number;
  channels: 2;
  sampleRate: 48000;
}

/** What happens to the picture before it is scaled: deinterlacing and colour mapping. */
export interface VideoTreatment {
  colour: ColourPlan;
  deinterlace: DeinterlacePlan | null;
}

export interface LadderPlan {
  frameRate: FrameRate;
  video: VideoTreatment;
  /** Keyframe interval in frames, shared by every rendition so segments switch cleanly. */
  gopFrames: number;
  /** null when the source has no audio: renditions are then video-only. */
  audio: AudioPlan | null;
  /** Highest first. */
  renditions: PlannedRendition[];
}

export interface LadderOptions {
  templates?: readonly RenditionTemplate[];
  maxFrameRate?: number;
  keyframeIntervalSeconds: number;
  audioBitrateKbps?: number;
  /** A floor for the bit-rate cap, so a source with bogus bit-rate metadata still gets a watchable encode. */
  minVideoBitrateKbps?: number;
  colour?: ColourSettings;
  /** Interlacing as established by field_order or an idet pass; undefined: progressive. */
  interlace?: InterlaceDetection | undefined;
  /** Deinterlace to field rate when the frame-rate cap allows (default), or to frame rate. */
  deinterlaceRate?: DeinterlaceRate;
}

export function renditionTemplateOf(
  spec: RenditionSpec & { audioBitrate?: string | undefined },
): RenditionTemplate {
  return {
    name: spec.name,
    height: spec.height,
    videoBitrateKbps: Number.parseInt(spec.videoBitrate, 10),
    ...(spec.audioBitrate ? { audioBitrateKbps: Number.parseInt(spec.audioBitrate, 10) } : {}),
  };
}

/** The one default ladder (contracts' DEFAULT_LADDER), in the planner's units. */
export function defaultTemplates(): RenditionTemplate[] {
  return DEFAULT_LADDER.map(renditionTemplateOf);
}

export const DEFAULT_MAX_FRAME_RATE = 60;
const DEFAULT_AUDIO_KBPS = 128;
const DEFAULT_MIN_VIDEO_KBPS = 100;

/**
 * Fits the ladder to a source. PlannedRendition heights name the output's short side, so a portrait
 * 1080×1920 source gets a 1080×1920 "1080p" like a landscape one gets 1920×1080. Only
 * renditions at or below the source's short side are kept (never upscale); a source smaller
 * than every rendition gets one rendition at its own (even) size. Sizes keep the displayed aspect
 * ratio (sample aspect ratio and rotation already applied by the probe) and are even, as
 * 4:2:0 chroma needs.
 */
export function planLadder(metadata: MediaMetadata, options: LadderOptions): LadderPlan {
  const templates = [...(options.templates ?? defaultTemplates())].sort(
    (a, b) => b.height - a.height,
  );
  const { displayWidth, displayHeight } = metadata.video;
  const shortSide = Math.min(displayWidth, displayHeight);
  const cap = sourceVideoBitrateKbps(metadata);
  const floor = options.minVideoBitrateKbps ?? DEFAULT_MIN_VIDEO_KBPS;
  const capped = (nominal: number) =>
    cap === undefined ? nominal : Math.min(nominal, Math.max(cap, floor));

  const fitting = templates.filter((template) => template.height <= shortSide);
  const lowest = templates.at(-1);
  const renditions: PlannedRendition[] =
    fitting.length > 0
      ? fitting.map((template) => ({
          name: template.name,
          ...scaledSize(displayWidth, displayHeight, template.height),
          ...bitrates(capped(template.videoBitrateKbps)),
          ...(template.audioBitrateKbps ? { audioBitrateKbps: template.audioBitrateKbps } : {}),
        }))
      : [ownSizeRendition(displayWidth, displayHeight, capped(lowest?.videoBitrateKbps ?? 600))];

  const maxFrameRate = options.maxFrameRate ?? DEFAULT_MAX_FRAME_RATE;
  const deinterlace = planDeinterlace(
    options.interlace,
    metadata.video.frameRate,
    maxFrameRate,
    options.deinterlaceRate ?? 'field',
  );
  // Interlaced sources are read at their frame rate (or field rate after bwdif), never as VFR.
  const frameRate = deinterlace.plan
    ? outputFrameRate({ frameRate: deinterlace.frameRate, variableFrameRate: false }, maxFrameRate)
    : outputFrameRate(metadata.video, maxFrameRate);
  return {
    frameRate,
    video: {
      colour: planColour(metadata.video, options.colour ?? DEFAULT_COLOUR_SETTINGS),
      deinterlace: deinterlace.plan,
    },
    gopFrames: keyframeIntervalFrames(frameRate, options.keyframeIntervalSeconds),
    audio: metadata.audio
      ? {
          codec: 'aac',
          bitrateKbps: options.audioBitrateKbps ?? DEFAULT_AUDIO_KBPS,
          channels: 2,
          sampleRate: 48000,
        }
      : null,
    renditions: renditions,
  };
}

function ownSizeRendition(
  width: number,
  height: number,
  videoBitrateKbps: number,
): PlannedRendition {
  const size = { width: floorEven(width), height: floorEven(height) };
  return { name: ownSizeRenditionName(width, height), ...size, ...bitrates(videoBitrateKbps) };
}

function scaledSize(
  displayWidth: number,
  displayHeight: number,
  shortSide: number,
): { width: number; height: number } {
  const short = Math.min(roundEven(shortSide), floorEven(Math.min(displayWidth, displayHeight)));
  const sourceLong = Math.max(displayWidth, displayHeight);
  const long = Math.min(
    roundEven((short * sourceLong) / Math.min(displayWidth, displayHeight)),
    floorEven(sourceLong),
  );
  return displayWidth >= displayHeight
    ? { width: long, height: short }
    : { width: short, height: long };
}

/** The cap is the bit rate (ABR's target, capped CRF's maxrate); the VBV buffer holds two seconds at it. */
function bitrates(
  videoBitrateKbps: number,
): Pick<PlannedRendition, 'videoBitrateKbps' | 'maxrateKbps' | 'bufsizeKbps'> {
  return { videoBitrateKbps, maxrateKbps: videoBitrateKbps, bufsizeKbps: videoBitrateKbps * 2 };
}

/** The source's video bit rate: the stream's own figure, else the container's minus audio. */
export function sourceVideoBitrateKbps(metadata: MediaMetadata): number | undefined {
  if (metadata.video.bitRateKbps !== undefined) return metadata.video.bitRateKbps;
  if (metadata.bitRateKbps === undefined) return undefined;
  const video = metadata.bitRateKbps - (metadata.audio?.bitRateKbps ?? 0);
  return video > 0 ? video : undefined;
}

function roundEven(value: number): number {
  return Math.max(2, 2 * Math.round(value / 2));
}

function floorEven(value: number): number {
  return Math.max(2, 2 * Math.floor(value / 2));
}

/**
 * The rendition a per-rendition run should produce for `name`: the planned rendition of that
 * name, or, for the ladder's lowest rendition on a source smaller than every rendition, the
 * source-sized rendition that replaces it. undefined means the source is too small for it.
 */
export function selectRendition(
  plan: LadderPlan,
  name: string,
  templates: readonly RenditionTemplate[] = defaultTemplates(),
): PlannedRendition | undefined {
  const exact = plan.renditions.find((rendition) => rendition.name === name);
  if (exact) return exact;
  const lowest = [...templates].sort((a, b) => a.height - b.height)[0];
  const only = plan.renditions.length === 1 ? plan.renditions[0] : undefined;
  const isOwnSize =
    only !== undefined && !templates.some((template) => template.name === only.name);
  return isOwnSize && lowest?.name === name ? only : undefined;
}
