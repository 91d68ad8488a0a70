import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { analyze, Analysis } from '../../src/core/compile';
import { Finding } from '../../src/core/findings';

/** The repository root (tests run from out/test/unit). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export const TRAIN = path.join(ROOT, 'examples', 'train-centos7.ostopo.yaml');
export const ZED = path.join(ROOT, 'examples', 'zed-debian12.ostopo.yaml');
export const EPOXY = path.join(ROOT, 'examples', 'epoxy-debian13.ostopo.yaml');

export const read = (p: string) => fs.readFileSync(p, 'utf8');

export const TEST_ENV = { OSTOPO_ADMIN_PASS: 'Adm1n-Test-Only-Value', OSTOPO_DEMO_PASS: 'Dem0-Test-Only-Value' };

export function analyzeFile(p: string, env: Record<string, string> = TEST_ENV): Analysis {
  return analyze(read(p), env);
}

/** A small valid topology to mutate in rule tests. */
export function minimal(extra = ''): string {
  return `ostopo: 1
name: t
release: zed
os: debian12
networks:
  management:
    cidr: 10.0.0.0/24
secrets:
  ADMIN_PASS: Str0ng-Admin-Pass-1
  DEMO_PASS: Str0ng-Demo-Pass-1
  DB_ROOT_PASS: Str0ng-Root-Pass-1
  RABBIT_PASS: Str0ng-Rabbit-Pass-1
  KEYSTONE_DBPASS: Str0ng-Keystone-Db-1
  GLANCE_DBPASS: Str0ng-Glance-Db-1
  GLANCE_PASS: Str0ng-Glance-Pass-1
  PLACEMENT_DBPASS: Str0ng-Placement-Db-1
  PLACEMENT_PASS: Str0ng-Placement-Pass-1
  NOVA_DBPASS: Str0ng-Nova-Db-Pass-1
  NOVA_PASS: Str0ng-Nova-Pass-1
  NEUTRON_DBPASS: Str0ng-Neutron-Db-1
  NEUTRON_PASS: Str0ng-Neutron-Pass-1
nodes:
  controller:
    address: 10.0.0.11
    roles: [controller]
  compute1:
    address: 10.0.0.31
    roles: [compute]
${extra}`;
}

export function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

export function only(findings: Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

/** One-based "line:col" of a finding, as the CLI prints it. */
export function at(f: Finding): string {
  return `${f.range.start.line + 1}:${f.range.start.character + 1}`;
}

/** One-based line number of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`'${needle}' not in text`);
}

/** Debian's python (it sees Debian's python3-* packages, unlike a python3 earlier on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Every file below `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Passwords made to break quoting and escaping: white space and quotes around them, `$` and `\`
 * (alone and together), comment and separator characters, percent signs, unicode, control and
 * separator characters that Python's strip() takes. No line break or NUL: validation refuses those.
 * Used by encoding.test.ts (each consumer reads them back) and mask.test.ts (every form is masked).
 */
export const NASTY = [
  ' lead',
  'trail ',
  '  both  ',
  '"dq"',
  "'sq'",
  '"',
  "'",
  '""',
  "x'",
  '"x',
  'a$b',
  '$HOME',
  '${HOME}',
  '$$',
  'a\\$b',
  '\\$x',
  '\\',
  'end\\',
  'a\\b',
  'a\\%_b',
  '\\\\',
  'a#b',
  '#lead',
  ';lead',
  'a;b',
  '100%',
  '%41%',
  'a=b',
  '=x',
  'k = v',
  'ünïcödé-密码-🔑',
  '\u00a0nbsp\u00a0',
  '\ttab\t',
  '\u001cfs\u001f',
  'a:b@c/d?e#f&g',
  'a,b',
  '[x]',
  'p@ss w0rd',
  '`id`',
  '$(id)',
  "it's",
  '\\"',
  'back\\slash"quote\'mix$`#;% ',
];

/**
 * The identity spec (JSON) a keystone command hands its Python script, read from the command as the real
 * bash parses its words (python stands in as a function that prints its third argument).
 */
export function identitySpec(c: { run: string }): unknown {
  const body = c.run.replace(/^\. .*\n/, '');
  const r = spawnSync('bash', ['-c', `python3() { printf '%s' "$3"; }; python() { python3 "$@"; }; ${body}`], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as unknown;
}
