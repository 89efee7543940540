import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The real-world video cases of issue 13, generated with ffmpeg (lavfi sources,
 * zscale, tinterlace, remuxing) so no media is committed. Each clip is 2 s and as small
 * as its case allows, so the matrix stays cheap enough for every CI run.
 */
export type RealWorldCase =
  | 'hdr10'
  | 'hlg-rotated'
  | 'interlaced-ts'
  | 'avchd'
  | 'unflagged-interlaced'
  | 'tiny-240'
  | 'tiny-120';

export interface RealWorldClip {
  case: RealWorldCase;
  file: string;
  /** The SDR original an HDR clip was made from (for SSIM), when there is one. */
  sdrOriginal?: string;
  /** What must come out. */
  expect: {
    /** Renditions the source gets by default (the API's formats), highest first. */
    renditions: string[];
    /** The lowest rendition's display size. */
    lowest: { name: string; width: number; height: number };
    dynamicRange: 'SDR' | 'PQ' | 'HLG';
    interlaced: boolean;
    /** Output frame rate of the lowest rendition, as ffprobe's r_frame_rate. */
    frameRate: string;
    /** The source's first timestamp is not 0. */
    nonZeroStart: boolean;
  };
}

const SECONDS = 2;

async function ffmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

const tone = (frequency: number) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=${frequency}:sample_rate=48000:duration=${SECONDS}`,
];

/** A BT.709-tagged lossless SDR picture: the reference HDR clips are made from. */
async function sdrOriginal(dir: string, name: string, size: string): Promise<string> {
  const file = path.join(dir, name);
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=${SECONDS}`,
    '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709',
    file,
  ]); // prettier-ignore
  return file;
}

/** BT.709 SDR → BT.2020 HDR at 100 cd/m² SDR white, 10-bit HEVC with the transfer's signalling. */
function hdrArgs(original: string, transfer: 'smpte2084' | 'arib-std-b67'): string[] {
  const hdr10 =
    transfer === 'smpte2084'
      ? ':hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400'
      : '';
  return [
    '-i', original, ...tone(440),
    '-vf', `zscale=t=${transfer}:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le`,
    '-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1',
    // Lossless, so the SSIM against the original measures our tone mapping, not this encode.
    '-x265-params', `log-level=error:lossless=1:colorprim=bt2020:transfer=${transfer}:colormatrix=bt2020nc${hdr10}`,
    '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc',
    '-c:a', 'aac', '-shortest',
  ]; // prettier-ignore
}

/** 1080i29.97 (or another size) TFF H.264: 59.94p content woven into fields by tinterlace. */
function interlacedVideoArgs(size: string): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=60000/1001:duration=${SECONDS}`,
    ...tone(440),
    '-vf', 'tinterlace=mode=interleave_top,setfield=tff',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-flags', '+ildct+ilme', '-x264-params', 'tff=1',
    '-b:v', '3M',
  ]; // prettier-ignore
}

export async function makeRealWorldClip(dir: string, which: RealWorldCase): Promise<RealWorldClip> {
  switch (which) {
    case 'hdr10': {
      const original = await sdrOriginal(dir, 'hdr10-original.mkv', '640x360');
      const file = path.join(dir, 'hdr10.mp4');
      await ffmpeg([...hdrArgs(original, 'smpte2084'), file]);
      return {
        case: which,
        file,
        sdrOriginal: original,
        expect: {
          renditions: ['360p'],
          lowest: { name: '360p', width: 640, height: 360 },
          dynamicRange: 'PQ',
          interlaced: false,
          frameRate: '30/1',
          nonZeroStart: false,
        },
      };
    }
    case 'hlg-rotated': {
      const original = await sdrOriginal(dir, 'hlg-original.mkv', '640x360');
      const landscape = path.join(dir, 'hlg-landscape.mov');
      await ffmpeg([...hdrArgs(original, 'arib-std-b67'), landscape]);
      // A phone held upright: the display matrix says 90°, as the camera app writes it.
      const file = path.join(dir, 'hlg-rotated.mov');
      await ffmpeg(['-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
      return {
        case: which,
        file,
        expect: {
          renditions: ['360p'],
          lowest: { name: '360p', width: 360, height: 640 },
          dynamicRange: 'HLG',
          interlaced: false,
          frameRate: '30/1',
          nonZeroStart: false,
        },
      };
    }
    case 'interlaced-ts': {
      const file = path.join(dir, 'broadcast.ts');
      await ffmpeg([
        ...interlacedVideoArgs('1920x1080'),
        '-c:a', 'mp2', '-b:a', '192k',
        '-output_ts_offset', '1.4', '-f', 'mpegts', file,
      ]); // prettier-ignore
      return {
        case: which,
        file,
        expect: {
          renditions: ['1080p', '720p', '480p', '360p'],
          lowest: { name: '360p', width: 640, height: 360 },
          dynamicRange: 'SDR',
          interlaced: true,
          frameRate: '60000/1001',
          nonZeroStart: true,
        },
      };
    }
    case 'avchd': {
      // AVCHD's 1440×1080 anamorphic (4:3 pixels) interlaced H.264 with AC-3, in a
      // 192-byte-packet M2TS starting a second in.
      const file = path.join(dir, '00001.mts');
      await ffmpeg([
        '-f', 'lavfi', '-i', `testsrc2=size=1440x1080:rate=50:duration=${SECONDS}`,
        ...tone(1000),
        '-vf', 'tinterlace=mode=interleave_top,setfield=tff,setsar=4/3',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-flags', '+ildct+ilme', '-x264-params', 'tff=1',
        '-b:v', '3M',
        '-c:a', 'ac3', '-b:a', '192k',
        '-mpegts_m2ts_mode', '1', '-output_ts_offset', '1', '-f', 'mpegts', file,
      ]); // prettier-ignore
      return {
        case: which,
        file,
        expect: {
          renditions: ['1080p', '720p', '480p', '360p'],
          lowest: { name: '360p', width: 640, height: 360 },
          dynamicRange: 'SDR',
          interlaced: true,
          frameRate: '50/1',
          nonZeroStart: true,
        },
      };
    }
    case 'unflagged-interlaced': {
      // MPEG-4 Part 2 in AVI states no field order, so only an idet pass can tell.
      const file = path.join(dir, 'camcorder.avi');
      await ffmpeg([
        '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=50:duration=${SECONDS}`,
        ...tone(440),
        '-vf', 'tinterlace=mode=interleave_top',
        '-c:v', 'mpeg4', '-q:v', '3', '-c:a', 'mp2', file,
      ]); // prettier-ignore
      return {
        case: which,
        file,
        expect: {
          renditions: ['480p', '360p'],
          lowest: { name: '360p', width: 480, height: 360 },
          dynamicRange: 'SDR',
          interlaced: true,
          frameRate: '50/1',
          nonZeroStart: false,
        },
      };
    }
    case 'tiny-240':
    case 'tiny-120': {
      const size = which === 'tiny-240' ? { w: 320, h: 240 } : { w: 160, h: 120 };
      const file = path.join(dir, `${which}.mp4`);
      await ffmpeg([
        '-f', 'lavfi', '-i', `testsrc2=size=${size.w}x${size.h}:rate=25:duration=${SECONDS}`,
        ...tone(440),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-shortest', '-movflags', '+faststart', file,
      ]); // prettier-ignore
      const name = `${size.h}p`;
      return {
        case: which,
        file,
        expect: {
          renditions: [name],
          lowest: { name, width: size.w, height: size.h },
          dynamicRange: 'SDR',
          interlaced: false,
          frameRate: '25/1',
          nonZeroStart: false,
        },
      };
    }
  }
}

export interface OutputCheck {
  width: number;
  height: number;
  codec: string;
  pixelFormat: string;
  colour: { primaries?: string; transfer?: string; matrix?: string };
  frameRate: string;
  fieldOrder: string;
  startSeconds: number;
  /** Each stream's first timestamp, for A/V sync. */
  videoStartSeconds: number;
  audioStartSeconds: number | undefined;
  durationSeconds: number;
  hasAudio: boolean;
}

/** What ffprobe says about a rendition's MP4. */
export async function probeOutput(file: string): Promise<OutputCheck> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-of', 'json', '-show_format', '-show_streams', file,
  ]); // prettier-ignore
  const json = JSON.parse(stdout) as {
    streams: Array<Record<string, string | number | undefined>>;
    format: { duration?: string; start_time?: string };
  };
  const video = json.streams.find((s) => s.codec_type === 'video') ?? {};
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  return {
    width: Number(video.width),
    height: Number(video.height),
    codec: String(video.codec_name),
    pixelFormat: String(video.pix_fmt),
    colour: {
      ...(video.color_primaries ? { primaries: String(video.color_primaries) } : {}),
      ...(video.color_transfer ? { transfer: String(video.color_transfer) } : {}),
      ...(video.color_space ? { matrix: String(video.color_space) } : {}),
    },
    frameRate: String(video.r_frame_rate),
    fieldOrder: String(video.field_order ?? 'unstated'),
    startSeconds: Number(json.format.start_time ?? 0),
    videoStartSeconds: Number(video.start_time ?? 0),
    audioStartSeconds: audio ? Number(audio.start_time ?? 0) : undefined,
    durationSeconds: Number(json.format.duration ?? 0),
    hasAudio: json.streams.some((s) => s.codec_type === 'audio'),
  };
}

/** idet's multi-frame counts over a whole file: a progressive output has ~no interlaced frames. */
export async function interlacedFrames(
  file: string,
): Promise<{ interlaced: number; progressive: number }> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner', '-nostats', '-i', file, '-map', '0:v:0', '-vf', 'idet', '-an', '-f', 'null', '-',
  ]); // prettier-ignore
  const match = /Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)/.exec(
    stderr,
  );
  if (!match) throw new Error(`idet printed no summary for ${file}`);
  return {
    interlaced: Number(match[1]) + Number(match[2]),
    progressive: Number(match[3]),
  };
}

/** Mean SSIM (all planes) of `file` against `reference`, both scaled to the reference's size. */
export async function ssim(file: string, reference: string): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner', '-nostats', '-i', file, '-i', reference,
    '-lavfi', '[0:v][1:v]scale2ref=flags=bicubic[a][b];[a][b]ssim', '-f', 'null', '-',
  ]); // prettier-ignore
  const match = /SSIM .* All:([0-9.]+)/.exec(stderr);
  if (!match) throw new Error(`ssim printed no result for ${file}`);
  return Number(match[1]);
}
