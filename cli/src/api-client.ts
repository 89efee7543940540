import { ApiErrorBody } from '@videoforge/contracts';
import type { z } from 'zod';
import { RefusedError, TransientError } from './exit-codes.ts';

/** A refusal with the API's error body, so callers can tell codes (and statuses) apart. */
export class ApiRefusal extends RefusedError {
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(code, message);
    this.name = 'ApiRefusal';
    this.status = status;
    this.details = details;
  }
}

/** Statuses a rerun can fix: time-outs, rate limits, and the server's own trouble. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T>;
  setToken(token: string): void;
}

export function createApiClient(baseUrl: string, token?: string): ApiClient {
  let bearer = token;
  const base = baseUrl.replace(/\/$/, '');
  return {
    baseUrl: base,
    setToken(next) {
      bearer = next;
    },
    async request(method, path, schema, body) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(120_000),
        });
      } catch (error) {
        throw new TransientError(`cannot reach ${base} (${describe(error)})`, { cause: error });
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        const parsed = ApiErrorBody.safeParse(safeJson(text));
        const error = parsed.success
          ? parsed.data.error
          : { code: `http_${response.status}`, message: response.statusText, details: {} };
        if (isTransientStatus(response.status))
          throw new TransientError(`${method} ${path}: ${response.status} ${error.message}`);
        throw new ApiRefusal(response.status, error.code, error.message, error.details ?? {});
      }
      if (response.status === 204) return schema.parse(undefined);
      const parsed = schema.safeParse(safeJson(text));
      if (!parsed.success)
        throw new TransientError(`${method} ${path}: the server's answer was not understood`);
      return parsed.data;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
