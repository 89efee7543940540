/** What the process's exit code tells a script (README: "Command-line uploads"). */
export const EXIT = {
  /** Every file uploaded (and, with --wait, transcoded). */
  done: 0,
  /** Worth running again: network, storage or server trouble. Resumes where it stopped. */
  transient: 1,
  /** The input was refused (bad arguments, not a video, too large, over quota, wrong password). */
  refused: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The server (or the CLI itself) refused the input: running again will not help. */
export class RefusedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RefusedError';
    this.code = code;
  }
}

/** Network, storage or server trouble: running again may well work. */
export class TransientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Transient beats refused: a rerun finishes what can be finished. */
export function exitCodeFor(outcomes: ('done' | 'refused' | 'transient')[]): ExitCode {
  if (outcomes.includes('transient')) return EXIT.transient;
  if (outcomes.includes('refused')) return EXIT.refused;
  return EXIT.done;
}
