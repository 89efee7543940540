import type {
  LoginRequest,
  MfaSetupResponse,
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
  now?: () => Date;
}

/** Built-in accounts: registration, password + TOTP login, rotating refresh tokens, MFA enrolment. */
export function createAuthService({
  users,
  refreshTokens,
  secret,
  metrics,
  now = () => new Date(),
}: AuthServiceDeps) {
  const refuse = (reason: string, code: string, message: string): never => {
    metrics.authFailures.inc({ reason });
    throw new HttpError(401, code, message);
  };

  /** A valid code counts once: its time step is claimed, so a replayed code fails. */
  async function acceptTotp(user: UserRow, code: string): Promise<boolean> {
    if (!user.mfaSecret) return false;
    const timeStep = await checkTotp(decryptSecret(secret, user.mfaSecret), code);
    return timeStep !== undefined && (await users.claimTotpStep(user.id, timeStep));
  }

  async function issueTokens(user: UserRow, familyId?: string): Promise<IssuedTokens> {
    const refresh = newRefreshToken();
    await refreshTokens.insert({
      id: refresh.id,
      userId: user.id,
      familyId: familyId ?? refresh.id,
      tokenHash: refresh.hash,
      expiresAt: new Date(now().getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
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
      try {
        const user = await users.create({
          username: input.username,
          email: input.email,
          passwordHash: await hashPassword(input.password),
        });
        return await issueTokens(user);
      } catch (error) {
        if (error instanceof UniqueViolation)
          throw new HttpError(409, 'conflict', 'that username or email is already registered');
        throw error;
      }
    },

    async login(input: LoginRequest): Promise<IssuedTokens> {
      const user = await users.findByLogin(input.username);
      // Verify against a decoy when there is no such user, so both paths take as long.
      const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
      if (!user?.passwordHash || !ok)
        return refuse('bad_credentials', 'invalid_credentials', 'wrong username or password');
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
      return issueTokens(await requireUser(row.userId), row.familyId);
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
      await users.setMfa(user.id, encryptSecret(secret, totpSecret), false);
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
