#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx confidant ...` works without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const r = spawnSync(
  process.execPath,
  // tsx by its path: from any folder (node resolves `--import tsx` from the current one).
  ['--import', import.meta.resolve('tsx'), path.join(root, 'src/cli/main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
