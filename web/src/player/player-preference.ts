import { useCallback, useSyncExternalStore } from 'react';

/**
 * Which player library the viewer chose (the Player menu of the controls). Kept in
 * localStorage so it holds across reloads and tabs; hls.js unless changed.
 */
export const PLAYER_PREFERENCE_KEY = 'videoforge.player';

export const PLAYER_PREFERENCES = ['hls.js', 'shaka'] as const;
export type PlayerPreference = (typeof PLAYER_PREFERENCES)[number];
export const DEFAULT_PLAYER: PlayerPreference = 'hls.js';

/** What the menu calls each choice. */
export const PLAYER_NAMES: Record<PlayerPreference, string> = {
  'hls.js': 'hls.js',
  shaka: 'Shaka Player',
};

/** A stored value this version does not know (or none) is the default. */
export function parsePlayerPreference(value: string | null | undefined): PlayerPreference {
  return PLAYER_PREFERENCES.find((preference) => preference === value) ?? DEFAULT_PLAYER;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Storage can be switched off (a sandboxed frame, some privacy modes).
    return undefined;
  }
}

export function readPlayerPreference(): PlayerPreference {
  return parsePlayerPreference(storage()?.getItem(PLAYER_PREFERENCE_KEY));
}

const listeners = new Set<() => void>();
/** This page's choice, which holds even where storage refuses the write. */
let memory: PlayerPreference | undefined;

export function writePlayerPreference(preference: PlayerPreference): void {
  try {
    storage()?.setItem(PLAYER_PREFERENCE_KEY, preference);
  } catch {
    // Full or refused: the choice still holds for this page.
  }
  memory = preference;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab's choice arrives as a storage event.
  const onStorage = (event: StorageEvent) => {
    if (event.key === PLAYER_PREFERENCE_KEY) {
      memory = undefined;
      listener();
    }
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

const snapshot = (): PlayerPreference => memory ?? readPlayerPreference();

/** The viewer's player choice, and its setter; every subscriber follows a change. */
export function usePlayerPreference(): [PlayerPreference, (preference: PlayerPreference) => void] {
  const preference = useSyncExternalStore(subscribe, snapshot, () => DEFAULT_PLAYER);
  const set = useCallback((next: PlayerPreference) => writePlayerPreference(next), []);
  return [preference, set];
}
