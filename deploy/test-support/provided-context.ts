// The values test/global-setup.ts provides, declared for the deploy project (the same
// declarations as in the global setup, which belongs to the test project).
import type { Component } from '../../test/support/components.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    awsEndpoint: string;
    kubeconfig: string;
    unavailable: Partial<Record<Component, string>>;
  }
}

export {};
