import type { z } from 'zod';
import { HttpError } from './errors.ts';

/**
 * Parses one part of a request (body, query, params) with its schema. Failures are a
 * 400 naming every problem by path, so clients can show them beside their fields.
 */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  part: 'body' | 'query' | 'params' | 'cookies',
): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new HttpError(
    400,
    'validation_failed',
    `invalid request ${part}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    {
      issues,
    },
  );
}

export function notFoundError(what: string): HttpError {
  return new HttpError(404, 'not_found', `${what} not found`);
}

/** Dates leave the API as ISO 8601 strings (the original sent raw database values). */
export function iso(value: Date): string;
export function iso(value: Date | null): string | null;
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** postgres.js returns bigint and numeric columns as strings. */
export function num(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
