import {
  ApiErrorBody,
  AuthConfigResponse,
  EventsTicketResponse,
  OidcLogoutResponse,
  TokenResponse,
  type LoginRequest,
  type RegisterRequest,
  type User,
} from '@videoforge/contracts';

/** Any non-2xx answer of the API, in its one error shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The refresh token failed (expired, revoked or reused): the user must sign in again. */
export class SessionExpiredError extends ApiError {
  constructor() {
    super(401, 'session_expired', 'Your session has expired. Please sign in again.', {});
  }
}

export interface Session {
  user: User;
  accessToken: string;
  /** Epoch milliseconds. */
  accessExpiresAt: number;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; session: Session };

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  /**
   * Remembers between page loads that there is a session to resume (localStorage in the
   * browser). Only a marker: the refresh token itself is the API's HttpOnly cookie.
   */
  store?: KeyValueStore;
  now?: () => number;
  /** Serialises refreshes across tabs (navigator.locks in the browser), since refresh tokens rotate. */
  withLock?: <T>(name: string, body: () => Promise<T>) => Promise<T>;
}

export interface RequestOptions<T> {
  body?: unknown;
  /** Validates the answer; without it the answer is returned unchecked. */
  schema?: { parse(data: unknown): T };
  /** 'none' sends no token even when signed in. */
  auth?: 'optional' | 'required' | 'none';
  signal?: AbortSignal;
}

/** A marker that this browser holds a session (the refresh cookie), so a reload resumes it. */
const SESSION_KEY = 'videoforge.session';
/** Names the web app to the API: required for a refresh by cookie, and keeps the refresh token out of JSON. */
const WEB_APP_HEADER = ['X-Requested-With', 'videoforge'] as const;
/** Refresh a little before the access token expires, so requests never race its expiry. */
const EARLY_REFRESH_MS = 60_000;

/**
 * The API client. The access token lives only in memory; the rotating refresh token is the
 * API's HttpOnly `vf_refresh` cookie, which scripts never see. The browser sends the
 * current cookie with each refresh, and every refresh runs under a lock so two tabs never
 * present the same refresh token (the second waits, then sends the cookie the first one
 * received), which the API would treat as theft and revoke the whole session family.
 */
export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const store = options.store;
  const now = options.now ?? Date.now;
  const withLock =
    options.withLock ?? (<T>(_name: string, body: () => Promise<T>): Promise<T> => body());

  let state: SessionState = { status: 'loading' };
  const listeners = new Set<(state: SessionState) => void>();
  let refreshing: Promise<Session> | undefined;

  function setState(next: SessionState) {
    state = next;
    for (const listener of listeners) listener(state);
  }

  function adopt(tokens: TokenResponse): Session {
    store?.setItem(SESSION_KEY, '1');
    const session: Session = {
      user: tokens.user,
      accessToken: tokens.accessToken,
      accessExpiresAt: now() + tokens.expiresIn * 1000,
    };
    setState({ status: 'signed-in', session });
    return session;
  }

  function signOutLocally(expired: boolean) {
    store?.removeItem(SESSION_KEY);
    setState({ status: 'signed-out', expired });
  }

  async function send(path: string, init: RequestInit, token?: string): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    if (token) headers.set('Authorization', `Bearer ${token}`);
    headers.set(...WEB_APP_HEADER);
    // Same-origin credentials: the refresh cookie goes to our API and nowhere else.
    return doFetch(`${baseUrl}${path}`, { ...init, headers, credentials: 'same-origin' });
  }

  async function errorOf(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const body = ApiErrorBody.safeParse(parsed);
    if (body.success)
      return new ApiError(
        response.status,
        body.data.error.code,
        body.data.error.message,
        body.data.error.details,
      );
    return new ApiError(
      response.status,
      'http_error',
      `The server answered ${response.status} ${response.statusText}`.trim(),
      {},
    );
  }

  /** One refresh at a time (per tab, and across tabs under the lock). */
  function refresh(): Promise<Session> {
    refreshing ??= withLock('videoforge-refresh', async () => {
      // No body: the API reads the refresh cookie, current even if another tab just rotated it.
      const response = await send('/api/auth/refresh', { method: 'POST' });
      if (response.status === 400 || response.status === 401) throw new SessionExpiredError();
      if (!response.ok) throw await errorOf(response);
      return adopt(TokenResponse.parse(await response.json()));
    })
      .catch((error: unknown) => {
        // Expired means there was a session: signed in, or being restored after a reload.
        if (error instanceof SessionExpiredError) signOutLocally(state.status !== 'signed-out');
        throw error;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  /** A usable access token, refreshing first when it is about to expire. */
  async function accessToken(): Promise<string | undefined> {
    if (state.status !== 'signed-in') return undefined;
    if (state.session.accessExpiresAt - now() > EARLY_REFRESH_MS) return state.session.accessToken;
    return (await refresh()).accessToken;
  }

  async function request<T = unknown>(
    method: string,
    path: string,
    { body, schema, auth = 'optional', signal }: RequestOptions<T> = {},
  ): Promise<T> {
    const init: RequestInit = {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    };
    let token: string | undefined;
    try {
      token = auth === 'none' ? undefined : await accessToken();
    } catch (error) {
      // An expired session still reads public pages, anonymously.
      if (!(error instanceof SessionExpiredError) || auth === 'required') throw error;
    }
    if (auth === 'required' && !token) throw new SessionExpiredError();
    let response = await send(path, init, token);
    if (response.status === 401 && token) {
      // The token expired or was revoked between our check and the server's: one retry.
      token = (await refresh()).accessToken;
      response = await send(path, init, token);
    }
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return undefined as T;
    const json: unknown = await response.json();
    return schema ? schema.parse(json) : (json as T);
  }

  return {
    get state(): SessionState {
      return state;
    },
    subscribe(listener: (state: SessionState) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    request,
    accessToken,
    refresh,

    /** On page load: resume the session from the refresh cookie, if this browser has one. */
    async restore(): Promise<void> {
      if (!store?.getItem(SESSION_KEY)) {
        setState({ status: 'signed-out', expired: false });
        return;
      }
      try {
        await refresh();
      } catch (error) {
        // Expired: the refresh already said so. Unreachable API: the cookie is kept for next time.
        if (!(error instanceof SessionExpiredError))
          setState({ status: 'signed-out', expired: false });
      }
    },

    async login(credentials: LoginRequest): Promise<Session> {
      return adopt(
        await request('POST', '/api/auth/login', {
          body: credentials,
          schema: TokenResponse,
          auth: 'none',
        }),
      );
    },

    async register(account: RegisterRequest): Promise<Session> {
      return adopt(
        await request('POST', '/api/auth/register', {
          body: account,
          schema: TokenResponse,
          auth: 'none',
        }),
      );
    },

    /** How this install signs people in (builtin form or an OIDC provider's button). */
    authConfig(): Promise<AuthConfigResponse> {
      return request('GET', '/api/auth/config', { schema: AuthConfigResponse, auth: 'none' });
    },

    /**
     * Signs out. In OIDC mode resolves with the provider's end-session URL, where the
     * browser goes next so the provider's session ends too.
     */
    async logout(): Promise<string | undefined> {
      try {
        // The API ends the session of the refresh cookie and clears it.
        if (state.status === 'signed-in') {
          const answer: unknown = await request('POST', '/api/auth/logout', { auth: 'required' });
          return OidcLogoutResponse.safeParse(answer).data?.endSessionUrl;
        }
      } catch {
        // Signing out locally is what matters; the server session expires on its own.
      } finally {
        signOutLocally(false);
      }
      return undefined;
    },

    /** A single-use ticket for one events stream (the URL carries it, never the access token). */
    async eventsTicket(): Promise<string> {
      const { ticket } = await request('POST', '/api/events/ticket', {
        schema: EventsTicketResponse,
        auth: 'required',
      });
      return ticket;
    },

    /** Replaces the signed-in user (after MFA changes). */
    setUser(user: User) {
      if (state.status === 'signed-in')
        setState({ status: 'signed-in', session: { ...state.session, user } });
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function browserLock<T>(name: string, body: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? locks.request(name, body) : body();
}

/** The app's one client, talking to the API on the same origin. */
export const api = createApiClient({
  store: typeof localStorage === 'undefined' ? undefined : localStorage,
  withLock: browserLock,
});

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const issues = error.details.issues;
    if (Array.isArray(issues) && issues.length > 0) {
      return issues
        .map((issue: { path?: unknown; message?: unknown }) =>
          [issue.path, issue.message].filter((part) => typeof part === 'string' && part).join(': '),
        )
        .join('; ');
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
