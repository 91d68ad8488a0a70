import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { render } from '../../src/core/compile';
import { Artifact, CommandArtifact, FileArtifact } from '../../src/core/render/artifacts';
import { IniDoc } from '../../src/core/render/ini';
import { encode, materialize, secretRef } from '../../src/core/render/template';
import { analyzeFile, DEBIAN_PYTHON, NASTY, ROOT, TRAIN, ZED } from './helpers';

/**
 * Secrets reach their consumers intact: each encoding is proven by the consumer that reads it, on
 * passwords chosen to break naive quoting. The consumers are the real ones: oslo.config (Debian's
 * python3-oslo.config), SQLAlchemy's URL parser (python3-sqlalchemy), oslo.messaging's TransportURL
 * rules on Python's urllib.parse, MariaDB's option-file reader (`my_print_defaults`, Debian's
 * mariadb-client-core), bash (and dash, Debian's /bin/sh). SQL has no server here: its string literal
 * is read back by the MariaDB lexer's rules, written out below. The passwords: NASTY in helpers.ts.
 */

const READ_BACK = path.join(ROOT, 'test', 'oslo', 'read_back.py');
const lookupOf = (values: Record<string, string>) => (name: string) => values[name];
const files = (arts: Artifact[]) => arts.filter((a): a is FileArtifact => a.kind === 'file');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: exit ${r.status} ${r.error ?? ''}\n${r.stderr}`);
  return r.stdout;
}

interface ReadBack {
  value?: string;
  error?: string;
  sqlalchemy: { username: string; password: string; error?: string } | null;
  transport: { username: string; password: string } | null;
}

describe('secrets reach their consumers intact (test/unit/encoding.test.ts)', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-enc-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('oslo.config reads back every value ostopo writes (IniDoc + materialize, read by oslo.config)', () => {
    let got: Record<string, Record<string, ReadBack>>;
    let text: string;
    const values: Record<string, string> = {};

    before(() => {
      const ini = new IniDoc(true);
      const origin = { layer: 'topology' as const };
      NASTY.forEach((v, i) => {
        const name = `S${i}`;
        values[name] = v;
        ini.set('secrets', `p${i}`, secretRef(name), origin);
        ini.set('embedded', `mid${i}`, `pre ${secretRef(name)} post`, origin);
        ini.set('embedded', `edge${i}`, `${secretRef(name)}:end`, origin);
        ini.set('database', `connection${i}`, `mysql+pymysql://nova:${secretRef(name, 'url')}@controller/nova`, origin);
        ini.set('DEFAULT', `transport_url${i}`, `rabbit://openstack:${secretRef(name, 'url')}@controller:5672/`, origin);
      });
      text = materialize(ini.render(['test']).text, lookupOf(values));
      const file = path.join(tmp, 'values.conf');
      fs.writeFileSync(file, text);
      got = JSON.parse(run(DEBIAN_PYTHON, [READ_BACK, file]));
    });

    NASTY.forEach((v, i) => {
      it(`${JSON.stringify(v)}: as a whole value, inside one, and in the database and transport URLs`, () => {
        const line = (k: string) => text.split('\n').find((l) => l.startsWith(`${k} = `));
        assert.deepEqual(got.secrets[`p${i}`].value, v, `${line(`p${i}`)}: ${JSON.stringify(got.secrets[`p${i}`])}`);
        assert.deepEqual(got.embedded[`mid${i}`].value, `pre ${v} post`, line(`mid${i}`));
        assert.deepEqual(got.embedded[`edge${i}`].value, `${v}:end`, line(`edge${i}`));
        const db = got.database[`connection${i}`];
        assert.deepEqual(db.sqlalchemy, { username: 'nova', password: v }, `SQLAlchemy make_url of ${db.value}`);
        const mq = got.DEFAULT[`transport_url${i}`];
        assert.deepEqual(mq.transport, { username: 'openstack', password: v }, `TransportURL of ${mq.value}`);
      });
    });

    it('a secret that needs no quoting is written bare, as the guide writes it', () => {
      const ini = new IniDoc(true).set('s', 'password', secretRef('P'), { layer: 'topology' });
      assert.match(
        materialize(ini.render([]).text, () => 'Plain-Pass_1.x'),
        /^password = Plain-Pass_1\.x$/m,
      );
    });
  });

  describe('MariaDB reads /root/.my.cnf back (my_print_defaults)', () => {
    const train = analyzeFile(TRAIN);
    const cnf = files(render(train).nodes.flatMap((n) => n.artifacts)).find((f) => f.path === '/root/.my.cnf')!;

    it('the rendered file is the one of the password profile (CentOS 7)', () => {
      assert.ok(cnf, 'CentOS 7 renders /root/.my.cnf');
      assert.match(cnf.content, /^password = "/m);
    });

    for (const v of NASTY) {
      it(`${JSON.stringify(v)}`, () => {
        const file = path.join(tmp, 'my.cnf');
        fs.writeFileSync(file, materialize(cnf.content, lookupOf({ DB_ROOT_PASS: v })), { mode: 0o600 });
        const out = run('my_print_defaults', [`--defaults-file=${file}`, 'client']);
        assert.deepEqual(out.split('\n').filter(Boolean), ['--user=root', `--password=${v}`]);
      });
    }
  });

  describe('the shell reads openrc files back (bash, dash)', () => {
    const zed = analyzeFile(ZED);
    const openrc = files(render(zed).nodes.flatMap((n) => n.artifacts)).find((f) => f.path === '/root/admin-openrc')!;
    const shells = ['bash', ...(fs.existsSync('/bin/dash') ? ['dash'] : [])];

    for (const v of NASTY) {
      it(`${JSON.stringify(v)}: sh (export OS_PASSWORD=...) and dq ("...")`, () => {
        const rc = path.join(tmp, 'openrc');
        fs.writeFileSync(rc, materialize(openrc.content, lookupOf({ ADMIN_PASS: v })));
        const dq = path.join(tmp, 'dq.sh');
        fs.writeFileSync(dq, `X="${encode(v, 'dq')}"\n`);
        for (const sh of shells) {
          assert.equal(run(sh, ['-c', '. "$1"; printf %s "$OS_PASSWORD"', 'sh', rc]), v, `${sh}: ${materialize(openrc.content, lookupOf({ ADMIN_PASS: v }))}`);
          assert.equal(run(sh, ['-c', '. "$1"; printf %s "$X"', 'sh', dq]), v, `${sh} dq`);
        }
      });
    }
  });

  describe("the OpenStack client's YAML reader reads secure.yaml back (PyYAML's safe_load, as openstacksdk loads it)", () => {
    const text = fs.readFileSync(ZED, 'utf8').replace(/^region: .*$/m, (l) => `${l}\ncloudsYaml: { passwords: true }`);
    const secure = (() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-secure-'));
      try {
        fs.writeFileSync(path.join(dir, 'z.ostopo.yaml'), text);
        return files(render(analyzeFile(path.join(dir, 'z.ostopo.yaml'))).nodes.flatMap((n) => n.artifacts)).find((f) => f.path === '/root/.config/openstack/secure.yaml')!;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    })();
    for (const v of NASTY) {
      it(`${JSON.stringify(v)}`, () => {
        const f = path.join(tmp, 'secure.yaml');
        fs.writeFileSync(f, materialize(secure.content, lookupOf({ ADMIN_PASS: v, DEMO_PASS: v })));
        const out = run(DEBIAN_PYTHON, ['-c', 'import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); print(json.dumps([d["clouds"][c]["auth"]["password"] for c in ("admin","demo")]))', f]);
        assert.deepEqual(JSON.parse(out), [v, v]);
      });
    }
  });

  describe('SQL string literals read back by the MariaDB lexer rules', () => {
    /**
     * A single-quoted MariaDB string literal starting at `sql[start]`, read as the server's lexer reads
     * it with NO_BACKSLASH_ESCAPES off (the default, and what ostopo's commands run with): `''` is a
     * quote; a backslash escapes the next character — \0 \b \n \r \t \Z are control characters, \% and
     * \_ stay two characters (they are LIKE escapes), any other \x is x. The mysql client that reads
     * ostopo's stdin skips over the same `\x` pairs inside a string when it looks for the `;` that ends a
     * statement, so the literal ends where the server's does. Returns the value and the index after the
     * closing quote.
     */
    function readLiteral(sql: string, start: number): { value: string; end: number } {
      assert.equal(sql[start], "'");
      const controls: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };
      let value = '';
      for (let i = start + 1; i < sql.length; i++) {
        const c = sql[i];
        if (c === '\\') {
          const n = sql[++i];
          value += n in controls ? controls[n] : n === '%' || n === '_' ? '\\' + n : n;
        } else if (c === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i++;
          } else return { value, end: i + 1 };
        } else value += c;
      }
      throw new Error('unterminated string literal');
    }

    const zed = analyzeFile(ZED);
    const create = render(zed)
      .nodes.flatMap((n) => n.artifacts)
      .find((a): a is CommandArtifact => a.kind === 'command' && a.id === 'nova-database/create')!;

    it('the rules themselves: what they read', () => {
      assert.deepEqual(readLiteral(`'a''b\\'c\\\\d\\%e\\qf';`, 0), { value: "a'b'c\\d\\%eqf", end: 18 });
    });

    for (const v of NASTY) {
      it(`${JSON.stringify(v)}: IDENTIFIED BY '...' in the GRANTs`, () => {
        const sql = materialize(create.stdin!, lookupOf({ NOVA_DBPASS: v }));
        const at = [...sql.matchAll(/IDENTIFIED BY '/g)].map((m) => m.index + m[0].length - 1);
        assert.equal(at.length, 6, 'two GRANTs for each of nova_api, nova, nova_cell0');
        for (const i of at) {
          const lit = readLiteral(sql, i);
          assert.equal(lit.value, v);
          assert.equal(sql.slice(lit.end, lit.end + 2), ';\n', 'the statement ends right after the literal');
        }
      });
    }
  });
});
