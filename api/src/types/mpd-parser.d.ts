// mpd-parser ships no types; these cover what the tests read from its output (an
// m3u8-parser-shaped object: video representations as playlists, audio and text
// adaptation sets as media groups).
declare module 'mpd-parser' {
  export interface ParsedSegment {
    uri: string;
    resolvedUri: string;
    duration: number;
    map?: { uri: string; resolvedUri: string };
  }
  export interface ParsedPlaylist {
    attributes: {
      NAME: string;
      BANDWIDTH: number;
      CODECS?: string;
      RESOLUTION?: { width: number; height: number };
      'FRAME-RATE'?: number;
    };
    resolvedUri: string;
    segments: ParsedSegment[];
  }
  export interface ParsedMediaGroup {
    language?: string;
    default: boolean;
    autoselect: boolean;
    playlists: ParsedPlaylist[];
  }
  export interface ParsedManifest {
    duration: number;
    endList: boolean;
    playlists: ParsedPlaylist[];
    mediaGroups: {
      AUDIO: Record<string, Record<string, ParsedMediaGroup>>;
      SUBTITLES: Record<string, Record<string, ParsedMediaGroup>>;
    };
  }
  export function parse(manifest: string, options?: { manifestUri?: string }): ParsedManifest;
}
