import type {
  LoginRequest,
  MfaSetupResponse,
  PasswordChangeRequest,
  RegisterRequest,
  TokenResponse,
  User,
} from '@videoforge/contracts';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import {
  checkTotp,
  decoyHash,
  decryptSecret,
  encryptSecret,
  hashPassword,
  newTotpSecret,
  totpUri,
  verifyPassword,
} from './credentials.ts';
import type { AttemptLimiter } from './attempt-limits.ts';
import type { RefreshTokensRepository } from './refresh-tokens.repository.ts';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  hashToken,
  judgeRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_TTL_SECONDS,
  refreshTokenId,
  signAccessToken,
} from './tokens.ts';
import { toUser, UniqueViolation, type UserRow, type UsersRepository } from './users.repository.ts';

/** What the service issues; the routes decide whether the refresh token goes in the body. */
export type IssuedTokens = TokenResponse & { refreshToken: string };

export interface AuthServiceDeps {
  users: UsersRepository;
  refreshTokens: RefreshTokensRepository;
  secret: string;
  metrics: ApiMetrics;
  /** closed: only a setup-token holder may register (the first admin). */
  registration: 'open' | 'closed';
  /** Failed password attempts per account (login name), shared by the replicas. */
  loginFailures: AttemptLimiter;
  /** Failed authenticator codes per account: past the limit the account's MFA is locked for the window. */
  totpFailures: AttemptLimiter;
  /** A refresh-token family ends this long after its sign-in, however often rotated. */
  refreshFamilyLifetimeSeconds: number;
  /** Seals TOTP secrets (first key) and opens them (any key); independent of the JWT secret. */
  mfaKeyRing: readonly string[];
  now?: () => Date;
}

/** Built-in accounts: registration, password + TOTP login, rotating refresh tokens, MFA enrolment. */
export function createAuthService({
  users,
  refreshTokens,
  secret,
  metrics,
  registration,
  loginFailures,
  totpFailures,
  refreshFamilyLifetimeSeconds,
  mfaKeyRing,
  now = () => new Date(),
}: AuthServiceDeps) {
  const refuse = (reason: string, code: string, message: string): never => {
    metrics.authFailures.inc({ reason });
    throw new HttpError(401, code, message);
  };

  /**
   * A valid code counts once: its time step is claimed, so a replayed code fails. After
   * a few wrong codes the account's codes are refused for a while (counted in metrics).
   */
  async function acceptTotp(user: UserRow, code: string): Promise<boolean> {
    if (!user.mfaSecret) return false;
    const key = `user:${user.id}`;
    const locked = await totpFailures.blockedFor(key);
    if (locked !== undefined) {
      metrics.authFailures.inc({ reason: 'mfa_locked' });
      throw new HttpError(
        429,
        'mfa_locked',
        'too many wrong authenticator codes; try again later',
        { retryAfterSeconds: locked },
      );
    }
    const timeStep = await checkTotp(decryptSecret(mfaKeyRing, user.mfaSecret), code);
    const ok = timeStep !== undefined && (await users.claimTotpStep(user.id, timeStep));
    if (ok) await totpFailures.reset(key);
    else if (await totpFailures.fail(key)) metrics.totpLockouts.inc();
    return ok;
  }

  async function issueTokens(
    user: UserRow,
    family?: { id: string; expiresAt: Date },
  ): Promise<IssuedTokens> {
    const refresh = newRefreshToken();
    const familyExpiresAt =
      family?.expiresAt ?? new Date(now().getTime() + refreshFamilyLifetimeSeconds * 1000);
    const expiresAt = new Date(
      Math.min(now().getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000, familyExpiresAt.getTime()),
    );
    await refreshTokens.insert({
      id: refresh.id,
      userId: user.id,
      familyId: family?.id ?? refresh.id,
      tokenHash: refresh.hash,
      expiresAt,
      familyExpiresAt,
    });
    return {
      accessToken: await signAccessToken(
        secret,
        { userId: user.id, username: user.username, role: user.role },
        now(),
      ),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken: refresh.token,
      user: toUser(user),
    };
  }

  async function requireUser(userId: string): Promise<UserRow> {
    const user = await users.findById(userId);
    if (!user) throw new HttpError(401, 'invalid_token', 'the account no longer exists');
    return user;
  }

  return {
    async register(input: RegisterRequest): Promise<IssuedTokens> {
      if (!input.setupToken && registration === 'closed')
        throw new HttpError(
          403,
          'registration_closed',
          'self-registration is closed on this server; ask an admin for an account',
        );
      const account = {
        username: input.username,
        email: input.email,
        passwordHash: await hashPassword(input.password),
      };
      try {
        if (!input.setupToken) return await issueTokens(await users.create(account));
        const admin = await users.createFirstAdmin({
          ...account,
          setupTokenHash: hashToken(input.setupToken),
        });
        if (!admin)
          throw new HttpError(
            403,
            'invalid_setup_token',
            'that setup link was already used or an admin already exists',
          );
        return await issueTokens(admin);
      } catch (error) {
        if (error instanceof UniqueViolation)
          throw new HttpError(409, 'conflict', 'that username or email is already registered');
        throw error;
      }
    },

    async login(input: LoginRequest): Promise<IssuedTokens> {
      // Failed passwords count per login name (whether or not it exists), so guessing one
      // account's password from many addresses is limited too.
      const accountKey = `login:${input.username.toLowerCase()}`;
      const blocked = await loginFailures.blockedFor(accountKey);
      if (blocked !== undefined) {
        metrics.authFailures.inc({ reason: 'account_rate_limited' });
        throw new HttpError(
          429,
          'rate_limited',
          'too many failed sign-ins for this account; wait and try again',
          { retryAfterSeconds: blocked },
        );
      }
      const user = await users.findByLogin(input.username);
      // Verify against a decoy when there is no such user, so both paths take as long.
      const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
      if (!user?.passwordHash || !ok) {
        await loginFailures.fail(accountKey);
        return refuse('bad_credentials', 'invalid_credentials', 'wrong username or password');
      }
      if (user.mfaEnabled && user.mfaSecret) {
        if (!input.totpCode)
          return refuse(
            'mfa_required',
            'mfa_required',
            'enter the code from your authenticator app',
          );
        if (!(await acceptTotp(user, input.totpCode))) {
          return refuse('mfa_invalid', 'mfa_invalid', 'that authenticator code is not valid');
        }
      }
      return issueTokens(user);
    },

    /** A new session (refresh-token family) for a user signed in elsewhere (OIDC's callback). */
    startSession(user: UserRow): Promise<IssuedTokens> {
      return issueTokens(user);
    },

    /** The session (family) a refresh token belongs to, if it is one of ours. */
    async sessionOf(token: string): Promise<{ familyId: string; userId: string } | undefined> {
      const id = refreshTokenId(token);
      const row = id ? await refreshTokens.find(id) : undefined;
      return row && { familyId: row.familyId, userId: row.userId };
    },

    /**
     * `beforeIssue` runs once the token is claimed and before new tokens are signed
     * (OIDC refreshes at the provider there); if it throws, the family is revoked.
     */
    async refresh(
      token: string,
      beforeIssue?: (session: { familyId: string; userId: string }) => Promise<void>,
    ): Promise<IssuedTokens> {
      const id = refreshTokenId(token);
      const row = id ? await refreshTokens.find(id) : undefined;
      const verdict = judgeRefreshToken(row, hashToken(token), now());
      switch (verdict.kind) {
        case 'invalid':
          return refuse('refresh_invalid', 'invalid_token', 'refresh token is invalid');
        case 'expired':
          return refuse('refresh_expired', 'token_expired', 'refresh token expired; sign in again');
        case 'reuse':
          if (row) await refreshTokens.revokeFamily(row.familyId);
          return refuse(
            'refresh_reuse',
            'invalid_token',
            'refresh token was already used; every session from it is signed out',
          );
        case 'rotate':
          break;
      }
      if (!row || !(await refreshTokens.markUsed(row.id))) {
        if (row) await refreshTokens.revokeFamily(row.familyId);
        return refuse('refresh_reuse', 'invalid_token', 'refresh token was already used');
      }
      if (beforeIssue) {
        try {
          await beforeIssue({ familyId: row.familyId, userId: row.userId });
        } catch (error) {
          await refreshTokens.revokeFamily(row.familyId);
          throw error;
        }
      }
      return issueTokens(await requireUser(row.userId), {
        id: row.familyId,
        expiresAt: row.familyExpiresAt,
      });
    },

    /** Signs out every session of the account (all refresh-token families). */
    async logoutEverywhere(userId: string): Promise<void> {
      await refreshTokens.revokeAllForUser(userId);
    },

    /**
     * Changes the password after checking the current one, signs out every session and
     * starts a new one for the caller, so only whoever knows the new password stays in.
     */
    async changePassword(userId: string, input: PasswordChangeRequest): Promise<IssuedTokens> {
      const user = await requireUser(userId);
      const key = `login:${user.username.toLowerCase()}`;
      if ((await loginFailures.blockedFor(key)) !== undefined)
        throw new HttpError(429, 'rate_limited', 'too many failed attempts; wait and try again');
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        await loginFailures.fail(key);
        metrics.authFailures.inc({ reason: 'bad_credentials' });
        throw new HttpError(403, 'invalid_credentials', 'the current password is wrong');
      }
      await users.setPassword(user.id, await hashPassword(input.newPassword));
      await refreshTokens.revokeAllForUser(user.id);
      return issueTokens(user);
    },

    /** Ends the session the refresh token belongs to. Unknown tokens are ignored: logout is idempotent. */
    async logout(token: string, userId: string): Promise<void> {
      const id = refreshTokenId(token);
      const row = id ? await refreshTokens.find(id) : undefined;
      if (row && row.userId === userId) await refreshTokens.revokeFamily(row.familyId);
    },

    async me(userId: string): Promise<User> {
      return toUser(await requireUser(userId));
    },

    /** Starts enrolment: a new secret is stored but not enforced until a code proves the app has it. */
    async setupMfa(userId: string): Promise<MfaSetupResponse> {
      const user = await requireUser(userId);
      if (user.mfaEnabled)
        throw new HttpError(409, 'conflict', 'MFA is already enabled; remove it first');
      const totpSecret = newTotpSecret();
      await users.setMfa(user.id, encryptSecret(mfaKeyRing, totpSecret), false);
      return { secret: totpSecret, otpauthUrl: totpUri(totpSecret, user.username) };
    },

    async verifyMfa(userId: string, code: string): Promise<User> {
      const user = await requireUser(userId);
      if (!user.mfaSecret) throw new HttpError(409, 'conflict', 'start MFA enrolment first');
      if (!(await acceptTotp(user, code))) {
        return refuse('mfa_invalid', 'mfa_invalid', 'that authenticator code is not valid');
      }
      await users.setMfa(user.id, user.mfaSecret, true);
      return toUser({ ...user, mfaEnabled: true });
    },

    /** Removing MFA needs a current code, so a stolen access token alone cannot turn it off. */
    async removeMfa(userId: string, code: string): Promise<void> {
      const user = await requireUser(userId);
      if (!user.mfaEnabled || !user.mfaSecret)
        throw new HttpError(409, 'conflict', 'MFA is not enabled');
      if (!(await acceptTotp(user, code))) {
        return refuse('mfa_invalid', 'mfa_invalid', 'that authenticator code is not valid');
      }
      await users.setMfa(user.id, null, false);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
