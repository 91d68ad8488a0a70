import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, ROOT } from './helpers';

const IMPORT = /(?:^|\n)\s*(?:import\s[^'"]*?from\s*|import\s*|export\s[^'"]*?from\s*)['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('architecture', () => {
  const core = path.join(ROOT, 'src', 'core');
  const coreFiles = listFiles(core).filter((f) => f.endsWith('.ts'));

  it('src/core never imports vscode, nor the editor or CLI layers', () => {
    assert.ok(coreFiles.length > 10);
    const bad: string[] = [];
    for (const rel of coreFiles) {
      for (const spec of importsOf(path.join(core, rel))) {
        const resolved = spec.startsWith('.') ? path.resolve(core, path.dirname(rel), spec) : spec;
        if (spec === 'vscode' || resolved.startsWith(path.join(ROOT, 'src', 'vscode')) || resolved.startsWith(path.join(ROOT, 'src', 'cli'))) bad.push(`${rel}: ${spec}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('the import scanner sees the imports it must catch', () => {
    const tmp = path.join(ROOT, 'out', 'arch-probe.ts');
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(tmp, "import * as vscode from 'vscode';\nimport { x } from \"vscode\";\nconst v = require('vscode');\nexport { y } from '../vscode/z';\nawait import('vscode');\n");
    try {
      assert.deepEqual(importsOf(tmp), ['vscode', 'vscode', 'vscode', '../vscode/z', 'vscode']);
    } finally {
      fs.rmSync(tmp);
    }
  });

  it('extension.ts stays a short composition root', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'src', 'vscode', 'extension.ts'), 'utf8').split('\n').length;
    assert.ok(lines <= 80, `extension.ts has ${lines} lines`);
  });
});

describe('documentation', () => {
  it('the README lists every finding code the core can produce', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const src = listFiles(path.join(ROOT, 'src', 'core'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'src', 'core', f), 'utf8'))
      .join('\n');
    const codes = new Set([...src.matchAll(/'((?:yaml|schema|ref|node|ntp|service|secret|value|config|profile)\/[a-z-]+)'/g)].map((m) => m[1]));
    for (const r of ['node', 'service', 'role']) codes.add(`ref/unknown-${r}`);
    const missing = [...codes].filter((c) => !readme.includes(`| \`${c}\` |`));
    assert.deepEqual(missing, []);
  });

  it('the README starts with the two commands a new user runs, and they exist', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)!;
    assert.ok(block.index < 200, 'the commands are at the top');
    assert.match(block[1], /^npm ci && npm run demo/m);
    assert.match(block[1], /^npm test/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.scripts.demo && pkg.scripts.test);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^npm test$/m);
  });
});
