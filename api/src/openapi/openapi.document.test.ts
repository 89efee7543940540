import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi.document.ts';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>
    >;
  };

  // That it lists every route the app serves, and only those, is checked against the real
  // routers in openapi-routes.integration.test.ts.
  it('is OpenAPI 3.1 with the main routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/uploads/{id}/complete',
        '/api/uploads/{id}/parts',
        '/api/videos',
        '/api/stream/{videoId}/master.m3u8',
      ]),
    );
  });

  it('derives bodies and query parameters from the zod schemas', () => {
    expect(JSON.stringify(doc.paths['/api/auth/register']?.post?.requestBody)).toContain(
      '"minLength":8',
    );
    expect(doc.paths['/api/videos']?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['q', 'sort', 'page', 'minResolution']),
    );
  });
});
