// Compiles the Node entry points that run outside Next (the worker and the user/token CLIs)
// into dist/, so production runs them with plain `node`: no TypeScript loader at run time.
// Dependencies stay external (loaded from node_modules); `@/` imports are bundled.
import { existsSync } from 'node:fs';
import path from 'node:path';

const ENTRY_POINTS = {
  worker: 'lib/worker/main.ts',
  user: 'scripts/user.ts',
  token: 'scripts/token.ts',
};

const args = process.argv.slice(2);
const ifMissing = args.includes('--if-missing');
const outdir = args.find((a) => !a.startsWith('--')) ?? 'dist';

// `npm run worker`/`user`/`token` build first only when nothing is built yet, so a production
// install without devDependencies (no esbuild) runs what `npm run build` made.
const built = Object.keys(ENTRY_POINTS).every((name) => existsSync(path.join(outdir, `${name}.mjs`)));
if (ifMissing && built) process.exit(0);

const { build } = await import('esbuild');
await build({
  entryPoints: ENTRY_POINTS,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
