import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deploy } from '../../src/core/deploy/engine';
import { DeployEvent } from '../../src/core/deploy/events';
import { Journal } from '../../src/core/deploy/journal';
import { Masker } from '../../src/core/deploy/mask';
import { ExecOptions, ExecResult, Remote } from '../../src/core/deploy/remote';
import { ResolvedNode, SecretValue } from '../../src/core/model';
import { RenderedCloud } from '../../src/core/render/artifacts';
import { encode, Encoding, maskByTemplate, secretRef } from '../../src/core/render/template';
import { DEBIAN_PYTHON, NASTY } from './helpers';

const ENCODINGS: Encoding[] = ['url', 'oslo', 'osloval', 'sql', 'sh', 'dq', 'mycnf'];
const name = (i: number) => `S${i}`;
const token = (i: number) => `<secret:${name(i)}>`;
const one = (i: number) => new Masker([[name(i), NASTY[i]]]);
const all = () => new Masker(NASTY.map((v, i) => [name(i), v] as [string, string]));

/** A deterministic pseudo-random sequence (a failure names its seed and can be replayed). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Runs `chunks` through a stream of `m` and returns what it printed. */
function streamed(m: Masker, chunks: string[]): string {
  const s = m.stream();
  return chunks.map((c) => s.write(c)).join('') + s.end();
}

/** Every encoding the renderer writes, and every encoding of one (a URL inside an oslo.config value). */
function renderedForms(v: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of ENCODINGS) {
    out.push([e, encode(v, e)]);
    for (const e2 of ENCODINGS) out.push([`${e}|${e2}`, encode(encode(v, e), e2)]);
  }
  return out;
}

describe('masking: every form of a secret, also across chunks of a stream (test/unit/mask.test.ts)', function () {
  this.timeout(120000);

  describe('every form of each hostile password is masked', () => {
    /** How Python programs print each password: computed by Python itself (and SQLAlchemy). */
    let printed: { forms: [string, string][]; url: string }[];
    before(() => {
      const py = [
        'import json, sys',
        'from urllib.parse import quote, quote_plus',
        'from sqlalchemy.engine.url import URL',
        'out = []',
        'for v in json.load(sys.stdin):',
        "    forms = [['quote', quote(v)], ['quote safe=\"\"', quote(v, safe='')], ['quote_plus', quote_plus(v)], ['repr', repr(v)[1:-1]],",
        "             ['json.dumps', json.dumps(v)[1:-1]], ['json.dumps ensure_ascii=False', json.dumps(v, ensure_ascii=False)[1:-1]]]",
        "    url = URL.create('mysql+pymysql', username='nova', password=v, host='controller', database='nova').render_as_string(hide_password=False)",
        "    out.append({'forms': forms, 'url': url})",
        'json.dump(out, sys.stdout)',
      ].join('\n');
      const r = spawnSync(DEBIAN_PYTHON, ['-c', py], { input: JSON.stringify(NASTY), encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
      assert.equal(r.status, 0, r.stderr);
      printed = JSON.parse(r.stdout);
    });

    NASTY.forEach((v, i) => {
      it(`${JSON.stringify(v)}`, () => {
        const m = one(i);
        for (const [what, f] of [['the value', v] as [string, string], ...renderedForms(v), ...printed[i].forms]) {
          assert.equal(m.mask(`«${f}»`), `«${token(i)}»`, `${what}: ${JSON.stringify(f)}`);
        }
        assert.equal(m.mask(printed[i].url), `mysql+pymysql://nova:${token(i)}@controller/nova`, `SQLAlchemy's URL: ${printed[i].url}`);
      });
    });

    it('all of them at once: no character of any form is left, each run of forms becomes tokens', () => {
      const lines = NASTY.flatMap((v, i) => [v, ...renderedForms(v).map(([, f]) => f), ...printed[i].forms.map(([, f]) => f)].map((f) => `«${f}»`));
      const out = all().mask(lines.join('\n'));
      const bad = out.split('\n').filter((l) => !/^«(<secret:S\d+>)+»$/.test(l));
      assert.deepEqual(bad, []);
    });
  });

  describe('a stream prints mask(whole text), whatever its chunks', () => {
    const textOf = (v: string) => `out: ${v} and ${encode(v, 'url')} | ${encode(v, 'sh')}\nnext ${encode(v, 'osloval')}${v}${v}\n${v.slice(0, -1)}`;

    NASTY.forEach((v, i) => {
      it(`${JSON.stringify(v)}: split in two at every offset`, () => {
        const m = one(i);
        const text = textOf(v);
        const whole = m.mask(text);
        assert.ok(!whole.includes(v), whole);
        for (let k = 0; k <= text.length; k++) assert.equal(streamed(m, [text.slice(0, k), text.slice(k)]), whole, `split at ${k}`);
      });
    });

    it('split in three at every pair of offsets', () => {
      for (const i of [0, 14, NASTY.indexOf('ünïcödé-密码-🔑'), NASTY.length - 1]) {
        const m = one(i);
        const text = textOf(NASTY[i]);
        const whole = m.mask(text);
        for (let a = 0; a <= text.length; a++)
          for (let b = a; b <= text.length; b++) assert.equal(streamed(m, [text.slice(0, a), text.slice(a, b), text.slice(b)]), whole, `${JSON.stringify(NASTY[i])} at ${a}, ${b}`);
      }
    });

    it('every secret at once, in random chunks and one character at a time', () => {
      const m = all();
      const text = NASTY.map((v, i) => `line ${i}: ${textOf(v)}`).join('\n');
      const whole = m.mask(text);
      for (const v of NASTY) assert.ok(!whole.includes(v), JSON.stringify(v));
      for (let seed = 1; seed <= 40; seed++) {
        const rnd = lcg(seed);
        const chunks: string[] = [];
        for (let at = 0; at < text.length;) {
          const n = 1 + Math.floor(rnd() * 64);
          chunks.push(text.slice(at, at + n));
          at += n;
        }
        assert.equal(streamed(m, chunks), whole, `seed ${seed}`);
      }
      assert.equal(streamed(m, [...text]), whole, 'one character at a time');
    });

    it('holds back only what may still start a secret', () => {
      const m = new Masker([['P', 'Sw0rdfish-42']]);
      const s = m.stream();
      assert.equal(s.write('no secret here\n'), 'no secret here\n');
      assert.equal(s.write('password: Sw0rd'), 'password: ');
      assert.equal(s.write('fish-42 ok'), '<secret:P> ok');
      assert.equal(s.write(' Sw0'), ' ');
      assert.equal(s.end(), 'Sw0');
    });

    it('a masker without secrets passes the stream through', () => {
      const s = new Masker([]).stream();
      assert.equal(s.write('abc'), 'abc');
      assert.equal(s.end(), '');
    });
  });

  describe("deploy prints a command's output masked whole, also when SSH splits a secret", () => {
    const SECRET = 'Sw0rdfish-Very-Long-Secret-42';
    let work: string;
    beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-mask-'))));
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    /** A node whose command prints the secret on stdout and stderr, each cut into chunks at `cuts`. */
    function fakeRemote(cuts: number[]): Remote {
      const chunked = (text: string) => {
        const out: string[] = [];
        let at = 0;
        for (const c of [...cuts, text.length]) {
          out.push(text.slice(at, c));
          at = c;
        }
        return out.filter(Boolean);
      };
      return {
        label: 'fake',
        async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
          if (script.includes('print-secret')) {
            const out = chunked(`user ${SECRET} created\n`);
            const err = chunked(`warning: ${encode(SECRET, 'url')}!\n`);
            for (let i = 0; i < Math.max(out.length, err.length); i++) {
              if (out[i]) opts.onOutput?.(out[i], 'stdout');
              if (err[i]) opts.onOutput?.(err[i], 'stderr');
            }
          }
          return { code: 0, stdout: Buffer.alloc(0), stderr: '', ms: 0 };
        },
        async readFile() {
          return undefined;
        },
        async lock() {
          // one fake node, one run
          return '';
        },
        async survey(files, checks) {
          return { files: files.map(() => undefined), checks: checks.map(() => false) };
        },
        async writeFile() {},
        close() {},
      };
    }

    for (const cuts of [
      [8, 12],
      [5, 20],
      [14, 16, 30],
    ]) {
      it(`chunks cut at ${cuts.join(', ')}`, async () => {
        const node: ResolvedNode = { name: 'n1', hostname: 'n1', address: '127.0.0.9', roles: [], services: [], overlayAddress: '127.0.0.9', lvmDevices: [], cephOsds: [], ssh: {}, config: {} };
        const events: DeployEvent[] = [];
        const res = await deploy({
          target: {
            nodes: [node],
            secrets: new Map<string, SecretValue>([['APP_PASS', { name: 'APP_PASS', raw: SECRET, value: SECRET }]]),
            render: (): RenderedCloud => ({
              name: 't',
              profile: 'test',
              profileTitle: 'test',
              nodes: [{ name: 'n1', address: node.address, artifacts: [{ kind: 'command', id: 'app/print', step: 'app', service: 'base', title: 'print', run: 'print-secret' }] }],
            }),
          },
          journal: Journal.open(path.join(work, '.ostopo'), 't'),
          connect: async () => fakeRemote(cuts),
          onEvent: (e) => events.push(e),
        });
        assert.equal(res.ok, true);
        const printed = events.filter((e): e is Extract<DeployEvent, { type: 'output' }> => e.type === 'output').map((e) => e.text);
        const joined = printed.join('');
        for (let k = 6; k <= SECRET.length; k++) {
          assert.ok(!joined.includes(SECRET.slice(0, k)) && !joined.includes(SECRET.slice(-k)), `part of the secret printed: ${JSON.stringify(printed)}`);
        }
        assert.equal(joined.split('<secret:APP_PASS>').length - 1, 2, `once on stdout, once on stderr: ${JSON.stringify(printed)}`);
        assert.equal(joined.length, `user <secret:APP_PASS> created\nwarning: <secret:APP_PASS>!\n`.length, 'everything printed once');
      });
    }
  });

  it('a file read from a node: whatever value stands where the rendered file has a secret is masked (maskByTemplate)', () => {
    const tpl = `[db]\nconnection = mysql+pymysql://nova:${secretRef('NOVA_DBPASS', 'url')}@controller/nova\nplain = 1\n`;
    const lookup = (n: string) => (n === 'NOVA_DBPASS' ? 'p@ss' : undefined);
    // The current value (as the renderer encodes it), another value, a line whose rest changed, a line without secrets.
    assert.equal(maskByTemplate(tpl, '[db]\nconnection = mysql+pymysql://nova:p%40ss@controller/nova\n', lookup), '[db]\nconnection = mysql+pymysql://nova:<secret:NOVA_DBPASS>@controller/nova\n');
    assert.equal(maskByTemplate(tpl, 'connection = mysql+pymysql://nova:old-one@controller/nova', lookup), 'connection = mysql+pymysql://nova:<secret:NOVA_DBPASS, another value>@controller/nova');
    assert.equal(maskByTemplate(tpl, 'connection = mysql+pymysql://nova:old-one@db2/nova', lookup), 'connection = <secret:NOVA_DBPASS?, the rest of the line hidden>');
    assert.equal(maskByTemplate(tpl, 'connection=mysql+pymysql://other:old-one@db2/nova', lookup), 'connection=<secret:NOVA_DBPASS?, the rest of the line hidden>');
    assert.equal(maskByTemplate(tpl, 'plain = 2\n# connection = x', lookup), 'plain = 2\n# connection = <secret:NOVA_DBPASS?, the rest of the line hidden>');
    // Two secrets on one line, each masked in its place.
    const two = `transport_url = rabbit://${secretRef('A', 'url')}:${secretRef('B', 'url')}@h:5672/\n`;
    assert.equal(
      maskByTemplate(two, 'transport_url = rabbit://u:v@h:5672/', () => 'u'),
      'transport_url = rabbit://<secret:A>:<secret:B, another value>@h:5672/',
    );
    // The same key in several sections (nova.conf's password in [keystone_authtoken], [neutron], [placement]):
    // each line is judged by its own section's secret.
    const nova = `[keystone_authtoken]\npassword = ${secretRef('NOVA_PASS', 'osloval')}\n[neutron]\npassword = ${secretRef('NEUTRON_PASS', 'osloval')}\n[placement]\npassword = ${secretRef('PLACEMENT_PASS', 'osloval')}\n`;
    const values: Record<string, string> = { NOVA_PASS: 'n0va', NEUTRON_PASS: 'neutr0n', PLACEMENT_PASS: 'pl4cement' };
    assert.equal(
      maskByTemplate(nova, '[keystone_authtoken]\npassword = n0va\n[neutron]\npassword = neutr0n\n[placement]\npassword = old-one\n', (n) => values[n]),
      '[keystone_authtoken]\npassword = <secret:NOVA_PASS>\n[neutron]\npassword = <secret:NEUTRON_PASS>\n[placement]\npassword = <secret:PLACEMENT_PASS, another value>\n',
    );
  });
});
