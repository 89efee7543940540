import type { Express } from 'express';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  startApiWithUnreachableOidc,
  startTestApi,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { buildOpenApiDocument } from './openapi.document.ts';

/** The shape of Express 5's router layers that matters here (router 2.x keeps it undocumented). */
interface Layer {
  slash?: boolean;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every `METHOD /path` the running app answers under /api, read from its router stack.
 * Routers are mounted at the root (`app.use(router)`); a router mounted under a prefix
 * would need its prefix added, so the walk refuses one rather than report wrong paths.
 */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') found.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        if (layer.slash !== true) throw new Error('a router is mounted under a prefix');
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.filter((route) => route.split(' ')[1]!.startsWith('/api/')).sort();
}

function documentedOperations(): string[] {
  const { paths } = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`,
      ),
    )
    .sort();
}

describeWith(['postgres'], 'the OpenAPI document against the routes the app serves', () => {
  let local: TestApi;
  let oidc: TestApi;

  beforeAll(async () => {
    local = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
    oidc = await startApiWithUnreachableOidc(inject('postgresUrl'));
  });
  afterAll(async () => {
    await local?.close();
    await oidc?.close();
  });

  it('documents every route of either sign-in mode, and nothing the app does not serve', () => {
    const served = [...new Set([...routesOf(local.app), ...routesOf(oidc.app)])].sort();
    expect(served.length).toBeGreaterThan(30);
    expect(documentedOperations()).toEqual(served);
  });

  it('serves the OIDC routes only in OIDC mode and the password routes only in local mode', () => {
    const localRoutes = routesOf(local.app);
    const oidcRoutes = routesOf(oidc.app);
    expect(localRoutes).not.toContain('GET /api/auth/oidc/start');
    expect(oidcRoutes).toContain('GET /api/auth/oidc/start');
    expect(localRoutes).toContain('POST /api/auth/register');
  });
});
