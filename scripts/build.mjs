// Bundles the extension and the CLI with esbuild, and writes schemas/ostopo.schema.json from the
// schema in src/core (the single source of truth). Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  // ssh2's optional native speed-ups (tried in try/catch; the pure JS fallback is used when absent).
  external: ['*.node', 'cpu-features'],
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'] }),
  esbuild.build({ ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);

const schema = execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'schema'], { encoding: 'utf8' });
fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
const target = path.join(root, 'schemas/ostopo.schema.json');
if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== schema) fs.writeFileSync(target, schema);
console.log(`built dist/extension.js (${fs.statSync(path.join(root, 'dist/extension.js')).size} B), dist/cli.js (${fs.statSync(path.join(root, 'dist/cli.js')).size} B), schemas/ostopo.schema.json`);
