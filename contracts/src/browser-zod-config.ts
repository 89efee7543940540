import { z } from 'zod';

// zod compiles object parsers with `new Function` unless told not to, probing for it
// first; under the web app's CSP (no 'unsafe-eval') that probe is reported as a
// violation even though zod catches it. In a browser, parse without the JIT. Imported
// first by index.ts: the setting is read when each schema is built.
if ('document' in globalThis) z.config({ jitless: true });
