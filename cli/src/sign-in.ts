import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { TokenResponse } from '@videoforge/contracts';
import { ApiRefusal, type ApiClient } from './api-client.ts';
import type { CliEnv } from './config.ts';
import { RefusedError } from './exit-codes.ts';

export interface Prompter {
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
}

/** Asks on the terminal (stderr, so stdout stays for results); secrets are not echoed. */
export function terminalPrompter(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Prompter {
  return {
    async ask(question, { secret = false } = {}) {
      if (!input.isTTY)
        throw new RefusedError('no_terminal', `${question.trim()} (no terminal to ask on)`);
      output.write(question);
      const muted = new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      });
      const rl = createInterface({ input, output: secret ? muted : output, terminal: true });
      try {
        return (await rl.question('')).trim();
      } finally {
        rl.close();
        if (secret) output.write('\n');
      }
    },
  };
}

/**
 * An access token for the API: VIDEOFORGE_TOKEN as given, or a builtin sign-in with
 * username and password (and a TOTP code when the account has MFA), asked for when the
 * environment does not hold them. The password is never printed or written anywhere.
 */
export async function signIn(api: ApiClient, env: CliEnv, prompter: Prompter): Promise<void> {
  if (env.VIDEOFORGE_TOKEN) {
    api.setToken(env.VIDEOFORGE_TOKEN);
    return;
  }
  const username = env.VIDEOFORGE_USERNAME ?? (await prompter.ask('Username or email: '));
  const password = env.VIDEOFORGE_PASSWORD ?? (await prompter.ask('Password: ', { secret: true }));
  const login = (totpCode?: string) =>
    api.request('POST', '/api/auth/login', TokenResponse, {
      username,
      password,
      ...(totpCode ? { totpCode } : {}),
    });
  let tokens: TokenResponse;
  try {
    tokens = await login();
  } catch (error) {
    if (!(error instanceof ApiRefusal) || error.code !== 'mfa_required') throw error;
    tokens = await login(env.VIDEOFORGE_TOTP ?? (await prompter.ask('Authenticator code: ')));
  }
  api.setToken(tokens.accessToken);
}
