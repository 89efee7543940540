import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  chromium,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { inject } from 'vitest';
import { describeUnlessMissing, type Component } from './components.ts';

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a closed network: without the background-networking
 * ones it waits on update and sync servers it cannot reach.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** describeWith, plus Chromium: skipped loudly on a developer's machine without it, failing in CI. */
export function describeWithChromium(
  components: Component[],
  name: string,
  body: () => void,
): void {
  const unavailable = inject('unavailable');
  describeUnlessMissing(
    [
      ...components.flatMap((c) => (unavailable[c] ? [`${c}: ${unavailable[c]}`] : [])),
      ...(existsSync(chromiumPath)
        ? []
        : [
            `chromium: ${chromiumPath} not found; install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`,
          ]),
    ],
    name,
    body,
  );
}

export interface LaunchedBrowser {
  /** A fresh, isolated context (own cookies and storage), e.g. one per user. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Headless Chromium. Playwright gives it a fresh temporary profile directory (it refuses
 * --user-data-dir with launch()) and removes it on close.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    newContext: (options) =>
      browser.newContext({ viewport: { width: 1280, height: 860 }, ...options }),
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export interface AccessibilityViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and returns the
 * serious and critical violations.
 */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  // Evaluated through the DevTools protocol, not added as a <script>: the app's CSP
  // refuses inline scripts, and must not be loosened for a test.
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.evaluate(await readFile(axePath, 'utf8'));
  return page.evaluate<AccessibilityViolation[]>(`
    window.axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((result) =>
        result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.map((n) => n.target.join(' ')),
          })),
      )`);
}
