export { runMain, stopOnSignals } from './process-lifecycle.ts';
