/** What a key press on the focused player does (YouTube's keys, where they exist). */
export type PlayerAction =
  | { type: 'toggle-play' }
  | { type: 'seek-by'; seconds: number }
  | { type: 'seek-to-fraction'; fraction: number }
  | { type: 'volume-by'; delta: number }
  | { type: 'toggle-mute' }
  | { type: 'toggle-fullscreen' }
  | { type: 'seek-to-start' }
  | { type: 'seek-to-end' };

export function playerActionFor(event: {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
}): PlayerAction | undefined {
  if (event.altKey || event.ctrlKey || event.metaKey) return undefined;
  switch (event.key) {
    case ' ':
    case 'k':
    case 'K':
      return { type: 'toggle-play' };
    case 'ArrowLeft':
      return { type: 'seek-by', seconds: -5 };
    case 'ArrowRight':
      return { type: 'seek-by', seconds: 5 };
    case 'j':
    case 'J':
      return { type: 'seek-by', seconds: -10 };
    case 'l':
    case 'L':
      return { type: 'seek-by', seconds: 10 };
    case 'ArrowUp':
      return { type: 'volume-by', delta: 0.1 };
    case 'ArrowDown':
      return { type: 'volume-by', delta: -0.1 };
    case 'm':
    case 'M':
      return { type: 'toggle-mute' };
    case 'f':
    case 'F':
      return { type: 'toggle-fullscreen' };
    case 'Home':
      return { type: 'seek-to-start' };
    case 'End':
      return { type: 'seek-to-end' };
    default:
      return /^[0-9]$/.test(event.key)
        ? { type: 'seek-to-fraction', fraction: Number(event.key) / 10 }
        : undefined;
  }
}
