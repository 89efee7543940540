import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a Kubernetes API error, if it is one. */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown) => statusCode(error) === 404;
export const isAlreadyExists = (error: unknown) => statusCode(error) === 409;
