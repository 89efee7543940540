import { describe, inject, it } from 'vitest';
import './provided-context.ts';

export type Component = 'postgres' | 's3' | 'sqs' | 'ffmpeg' | 'kubernetes';

/**
 * In CI (CI=true) or with VIDEOFORGE_REQUIRE_ALL=1 a missing component fails its
 * suite; on a developer's machine the suite is skipped with one loud line saying
 * what is missing and how to get it.
 */
export const componentsRequired =
  process.env.CI === 'true' || process.env.VIDEOFORGE_REQUIRE_ALL === '1';

/** `describe` that runs only when every named component was started by the global setup. */
export function describeWith(components: Component[], name: string, body: () => void): void {
  const unavailable = inject('unavailable');
  describeUnlessMissing(
    components.flatMap((c) => (unavailable[c] ? [`${c}: ${unavailable[c]}`] : [])),
    name,
    body,
  );
}

/**
 * `describe` when nothing is `missing`; otherwise a failing suite where components are
 * required, or a loud skip. `missing` says what is absent and how to get it, one entry
 * each; `what` names the kind of thing (a component, a program on PATH).
 */
export function describeUnlessMissing(
  missing: string[],
  name: string,
  body: () => void,
  what: 'component' | 'program' = 'component',
): void {
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (componentsRequired) {
    describe(name, () => {
      it(`has every ${what} it needs`, () => {
        throw new Error(`required ${what}s are missing:\n${missing.join('\n')}`);
      });
    });
    return;
  }
  console.warn(`!!! SKIPPING "${name}" — missing ${missing.join('; ')}`);
  describe.skip(name, body);
}
