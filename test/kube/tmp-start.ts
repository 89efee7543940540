import { startControlPlane } from './control-plane.ts';
const t = Date.now();
process.env.VIDEOFORGE_KUBE_VERBOSE = '1';
const cp = await startControlPlane({ workDir: process.argv[2] });
console.log('started in', Date.now() - t, 'ms', cp.kubeconfigPath);
if (process.argv[3] === 'hold') {
  await new Promise((r) => setTimeout(r, Number(process.argv[4] ?? 600) * 1000));
}
const s = Date.now();
await cp.stop();
console.log('stopped in', Date.now() - s, 'ms');
