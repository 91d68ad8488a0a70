import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, Analysis, render } from '../../src/core/compile';
import { Journal } from '../../src/core/deploy/journal';
import { buildPlan, planText } from '../../src/core/deploy/plan';
import { completeAt } from '../../src/core/editor/complete';
import { hoverAt, outline } from '../../src/core/editor/navigate';
import { renderedToText } from '../../src/core/output';
import { MissingSecretError } from '../../src/core/render/template';
import { runbook } from '../../src/core/runbook';
import { secretLookup } from '../../src/core/secrets';
import { lineOf, minimal } from './helpers';

/** Names every JavaScript object answers to, unless it is asked for its own properties only. */
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

const node = (body: string) => `  compute2:\n    address: 10.0.0.32\n    roles: [compute]\n${body}`;
const override = (file: string, section: string, option: string) => `config:\n  nova:\n    ${file}:\n      ${section}:\n        ${option}: "1"\n`;

/** Every place a key or name of the user's stands, the topology that puts `x` there, and what must be said. */
const PLACES: { where: string; text: (x: string) => string; expect: (x: string) => string | undefined }[] = [
  { where: 'a top-level key', text: (x) => minimal(`${x}: 1\n`), expect: () => 'schema/unknown-key' },
  { where: 'a key of ssh', text: (x) => minimal(`ssh:\n  ${x}: root\n`), expect: () => 'schema/unknown-key' },
  { where: 'a key of a node', text: (x) => minimal(node(`    ${x}: 1\n`)), expect: () => 'schema/unknown-key' },
  { where: "a key of a node's ssh", text: (x) => minimal(node(`    ssh:\n      ${x}: 1\n`)), expect: () => 'schema/unknown-key' },
  { where: 'a key of networks', text: (x) => minimal().replace('networks:\n', `networks:\n  ${x}: {}\n`), expect: () => 'schema/unknown-key' },
  { where: 'a key of ntp', text: (x) => minimal(`ntp:\n  ${x}: controller\n`), expect: () => 'schema/unknown-key' },
  { where: 'a node name', text: (x) => minimal(`  ${x}:\n    address: 10.0.0.32\n    roles: [compute]\n`), expect: (x) => (/^[a-z][a-z0-9-]*$/.test(x) ? undefined : 'schema/key-pattern') },
  { where: 'a role', text: (x) => minimal(node('')).replace('roles: [compute]\n', `roles: [compute, ${x}]\n`), expect: () => 'ref/unknown-role' },
  { where: 'a service', text: (x) => minimal(node(`    services: [${x}]\n`)), expect: () => 'ref/unknown-service' },
  { where: 'a secret name', text: (x) => minimal().replace('secrets:\n', `secrets:\n  ${x}: Str0ng-Extra-Pass-1\n`), expect: () => 'schema/key-pattern' },
  { where: 'an environment variable', text: (x) => minimal().replace('ADMIN_PASS: Str0ng-Admin-Pass-1', `ADMIN_PASS: \${env:${x}}`), expect: () => 'secret/env-unset' },
  { where: 'a config project', text: (x) => minimal(`config:\n  ${x}:\n    nova.conf: {}\n`), expect: () => 'schema/unknown-key' },
  { where: 'a config file', text: (x) => minimal(`config:\n  nova:\n    ${x}: {}\n`), expect: () => 'schema/unknown-key' },
  { where: 'a config section', text: (x) => minimal(override('nova.conf', x, 'debug')), expect: () => 'config/unknown-section' },
  { where: 'an option', text: (x) => minimal(override('nova.conf', 'DEFAULT', x)), expect: () => 'config/unknown-option' },
  {
    where: "an option of a node's override",
    text: (x) => minimal(node(`    config:\n      nova:\n        nova.conf:\n          DEFAULT:\n            ${x}: "1"\n`)),
    expect: () => 'config/unknown-option',
  },
  { where: 'an option of an auth plugin section', text: (x) => minimal(override('nova.conf', 'neutron', x)), expect: () => 'config/unknown-option' },
  {
    where: 'a section on Train (no catalog)',
    text: (x) =>
      minimal(override('nova.conf', x, 'debug'))
        .replace('release: zed', 'release: train')
        .replace('os: debian12', 'os: centos7\nrepositories:\n  os: https://vault.centos.org/7.9.2009'),
    expect: () => undefined,
  },
];

/** Everything a topology goes through after validation, as the CLI and the editor run it. */
function everything(a: Analysis, text: string, tmp: string): void {
  outline(a);
  hoverAt(a, { line: 5, character: 3 });
  completeAt(a, text, { line: text.split('\n').length - 2, character: 4 });
  if (a.hasErrors) return;
  const r = render(a);
  renderedToText(r, r.profileTitle);
  try {
    renderedToText(r, r.profileTitle, secretLookup(a.cloud.secrets));
  } catch (e) {
    if (!(e instanceof MissingSecretError)) throw e; // `${env:constructor}`: no such variable, no value to reveal
  }
  for (const n of r.nodes) runbook(r, n, r.profileTitle);
  planText(buildPlan(r), Journal.open(tmp, r.name), secretLookup(a.cloud.secrets));
}

describe('names of Object.prototype members as keys', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-proto-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const place of PLACES) {
    it(`as ${place.where}: the finding any unknown name gets, or a correct result; never a crash`, () => {
      for (const x of NAMES) {
        const text = place.text(x);
        for (const env of [{}, process.env]) {
          const a = analyze(text, env);
          const code = place.expect(x);
          const f = a.findings.filter((y) => y.code === code);
          if (code) {
            assert.equal(f.length, 1, `${x} as ${place.where}: ${a.findings.map((y) => `${y.code} ${y.message}`).join('; ')}`);
            assert.equal(f[0].range.start.line + 1, lineOf(text, x), `${x} as ${place.where}: located on its line`);
          } else
            assert.deepEqual(
              a.findings.filter((y) => y.severity !== 'info'),
              [],
              `${x} as ${place.where}`,
            );
          everything(a, text, tmp);
        }
      }
    });
  }

  it('a node called constructor validates, renders, plans and has a runbook', () => {
    const text = minimal().replace('compute1:', 'constructor:');
    const a = analyze(text, {});
    assert.deepEqual(a.findings, []);
    const r = render(a);
    const n = r.nodes.find((x) => x.name === 'constructor')!;
    assert.ok(n.artifacts.some((x) => x.kind === 'file' && x.path === '/etc/nova/nova.conf'));
    const journal = Journal.open(tmp, 't');
    const plan = planText(buildPlan(r), journal, secretLookup(a.cloud.secrets));
    assert.match(plan, /^constructor \(10\.0\.0\.31\)$/m);
    assert.match(plan, /^ {6}\+ write \/etc\/nova\/nova\.conf {3}— not written by ostopo yet$/m);
    assert.match(runbook(r, n, r.profileTitle), /RUNBOOK of node constructor/);
  });

  it('a rendered section or option called __proto__ or constructor is written like any other (Train has no catalog to refuse it)', () => {
    const text = minimal(override('nova.conf', '__proto__', 'constructor'))
      .replace('release: zed', 'release: train')
      .replace('os: debian12', 'os: centos7\nrepositories:\n  os: https://vault.centos.org/7.9.2009');
    const a = analyze(text, {});
    assert.deepEqual(a.findings, []);
    const nova = render(a).nodes[0].artifacts.find((x) => x.kind === 'file' && x.path === '/etc/nova/nova.conf');
    assert.match(nova!.kind === 'file' ? nova!.content : '', /^\[__proto__\]\nconstructor = 1$/m);
  });

  it('__proto__ as a YAML key is an own property: no prototype changes', () => {
    const a = analyze('__proto__: {polluted: 1}\nnodes:\n  __proto__: {address: 10.0.0.1}\n', {});
    const v = a.doc.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.ok(Object.hasOwn(v, '__proto__'));
    assert.deepEqual(Object.keys(v), ['__proto__', 'nodes']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(v, '__proto__')!.value, { polluted: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(v.nodes), Object.prototype);
    assert.ok(a.findings.some((f) => f.code === 'schema/unknown-key' && f.path?.[0] === '__proto__'));
  });
});
