// What test/global-setup.ts provides to every integration test file. Declared here, in a
// module of its own, so that every project that imports it (the test project through the
// global setup, the deploy project through its helpers) sees the same `inject` types.
import type { Component } from './components.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of a superuser on the shared test server ('' when unavailable). */
    postgresUrl: string;
    /** moto's endpoint, serving both S3 and SQS ('' when unavailable). */
    awsEndpoint: string;
    /** kubeconfig of the test control plane ('' when unavailable). */
    kubeconfig: string;
    /** Why each missing component is missing. */
    unavailable: Partial<Record<Component, string>>;
  }
}

export {};
