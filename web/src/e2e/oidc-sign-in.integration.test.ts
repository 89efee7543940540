import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import {
  accessibilityViolations,
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { startOidcProvider, type RunningOidcProvider } from '../../../test/servers/oidc.server.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(webDir, '..');
const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
const CLIENT_ID = 'videoforge-web';
const users = {
  alice: { password: 'alice-pass-1', email: 'alice@example.com', groups: ['videoforge-admins'] },
  bob: { password: 'bob-pass-1', email: 'bob@example.com', groups: ['viewers'] },
};

describeWithChromium(['postgres'], 'OIDC sign-in in Chromium (all-in-one + oidc-provider)', () => {
  let work: string;
  let provider: RunningOidcProvider | undefined;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const url = (route: string) => `${server!.baseUrl}${route}`;

  async function open(): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.setDefaultTimeout(20_000);
    return page;
  }

  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
    expect(await accessibilityViolations(page), name).toEqual([]);
  };

  /** From our sign-in page through the provider's own login page, back signed in. */
  async function signIn(page: Page, username: keyof typeof users): Promise<void> {
    await page.goto(url('/login'));
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${provider!.issuer}/login/**`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(users[username].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url('/gallery'));
    await expect
      .poll(() => page.getByRole('link', { name: `Account settings for ${username}` }).isVisible())
      .toBe(true);
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-oidc-e2e-'));
    await mkdir(screenshots, { recursive: true });
    const dist = path.join(work, 'dist');
    const apiPort = await freePort();
    // The provider is "localhost", the API 127.0.0.1: two sites to the browser, as in
    // production, so the callback really is a cross-site navigation.
    provider = await startOidcProvider({
      users,
      clients: [
        {
          client_id: CLIENT_ID,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [`http://127.0.0.1:${apiPort}/api/auth/oidc/callback`],
          post_logout_redirect_uris: [`http://127.0.0.1:${apiPort}/login`],
        },
      ],
    });
    await buildWeb(dist);
    server = await startAllInOne({
      postgresUrl: inject('postgresUrl'),
      webDistDir: dist,
      env: {
        PORT: String(apiPort),
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_GROUPS_CLAIM: 'groups',
        OIDC_ADMIN_GROUP: 'videoforge-admins',
        OIDC_PROVIDER_NAME: 'Test IdP',
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await provider?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('signs an admin in at the provider, survives a reload, and signs out at the provider', async () => {
    const page = await open();
    await page.goto(url('/login'));
    await expect
      .poll(() => page.getByRole('link', { name: 'Sign in with Test IdP' }).isVisible())
      .toBe(true);
    // No username/password form and no registration in OIDC mode.
    expect(await page.getByLabel('Password').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Register' }).count()).toBe(0);
    await shot(page, 'oidc-01-sign-in');

    const codes: string[] = [];
    page.on('request', (request) => {
      const callback = new URL(request.url());
      if (callback.pathname === '/api/auth/oidc/callback')
        codes.push(callback.searchParams.get('code') ?? '');
    });
    await signIn(page, 'alice');
    expect(await page.getByRole('link', { name: 'All videos' }).isVisible()).toBe(true);
    // The authorization code rode in the callback's query string, which no log line keeps.
    expect(codes).toHaveLength(1);
    expect(codes[0]!.length).toBeGreaterThan(20);
    expect(server!.output()).not.toContain(codes[0]!);
    const cookies = await page.context().cookies(url('/api/auth'));
    const refresh = cookies.find((c) => c.name === 'vf_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    // The transaction cookie was used up at the callback.
    expect(cookies.find((c) => c.name === 'vf_oidc')).toBeUndefined();
    await shot(page, 'oidc-02-signed-in-admin');

    // A reload keeps the session: the web app refreshes through the API (and the API at the provider).
    await page.reload();
    await expect
      .poll(() => page.getByRole('link', { name: 'Account settings for alice' }).isVisible())
      .toBe(true);
    await page.goto(url('/all-videos'));
    await expect
      .poll(() => page.getByRole('heading', { name: 'All videos' }).isVisible())
      .toBe(true);
    // No built-in MFA to enrol in: the provider owns passwords and second factors.
    await page.goto(url('/account'));
    await expect
      .poll(() => page.getByTestId('oidc-managed').textContent())
      .toContain('managed by Test IdP');
    expect(await page.getByRole('heading', { name: 'Two-factor authentication' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${provider!.issuer}/session/end**`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(url('/login'));
    await expect
      .poll(() => page.getByRole('link', { name: 'Sign in with Test IdP' }).isVisible())
      .toBe(true);
    expect(
      (await page.context().cookies(url('/api/auth'))).find((c) => c.name === 'vf_refresh'),
    ).toBeUndefined();
    // The provider's session ended too: signing in again asks for the password.
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${provider!.issuer}/login/**`);
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
  });

  it('signs a member of another group in as a normal user', async () => {
    const page = await open();
    await signIn(page, 'bob');
    expect(await page.getByRole('link', { name: 'All videos' }).count()).toBe(0);
    await page.goto(url('/all-videos'));
    await expect
      .poll(() => page.getByRole('heading', { name: 'Admins only' }).isVisible())
      .toBe(true);
  });

  it('explains a cancel at the provider, a wrong password there, and an unreachable provider', async () => {
    const page = await open();
    await page.goto(url('/login'));
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${provider!.issuer}/login/**`);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Wrong username or password');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(url('/login?error=cancelled'));
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Sign-in was cancelled at Test IdP');
    await shot(page, 'oidc-03-cancelled');

    await page.goto(url('/login?error=provider_unreachable'));
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Test IdP cannot be reached right now');
    await page.goto(url('/login?error=state_mismatch'));
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('could not be verified');
    expect(pageErrors).toEqual([]);
  });
});
