import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataKey, dataTables, localeFromEnv, localeOf, setLocale, t, tables, tData } from '../../src/core/l10n';
import { LAYER_NAMES } from '../../src/core/render/ini';
import { LAUNCH_SERVER_ON_PROVIDER } from '../../src/core/render/launch';
import { analyze, render } from '../../src/core/compile';
import { hoverAt } from '../../src/core/editor/navigate';
import { SNIPPETS } from '../../src/core/editor/snippets';
import { formatEvent, STEP_STATUS } from '../../src/core/deploy/events';
import { HELP, main } from '../../src/cli/main';
import { localSchema, schemaJson } from '../../src/core/schema';
import { TYPE_WORDS } from '../../src/core/schemaCheck';
import { YAML_ERRORS } from '../../src/core/yamlRead';
import { LAYER_WORDS } from '../../src/core/renderedRules';
import { NETWORK_MECHANISMS, OPERATING_SYSTEMS, OVS_DATAPATHS, RELEASES } from '../../src/core/profiles';
import { CONFIG_FILES, REGISTRY, ROLE_IDS, ROLES, SECRETS, SECRETS_OF_UNDEPLOYED, SERVICE_IDS } from '../../src/core/services/registry';
import { listFiles, minimal } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
/** Links and code spans a translation must keep as they are (command links, `config`...). */
const kept = (s: string) => [...s.matchAll(/\(command:[^)]+\)|`[^`]+`|\*\.ostopo\.yaml|\.ostopo\//g)].map((m) => m[0]).sort();

/** Every message the code passes to t() as a literal (src/**: core, CLI, extension). */
function keysInSource(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const f of listFiles(path.join(ROOT, 'src')).filter((x) => x.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(ROOT, 'src', f), 'utf8');
    for (const m of text.matchAll(/(?<![\w.])(?:l10n\.)?t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g)) {
      keys.set(JSON.parse(m[1]!.startsWith("'") ? `"${m[1]!.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : m[1]!), f);
    }
  }
  return keys;
}

describe('languages: English and Simplified Chinese (zh-cn)', () => {
  afterEach(() => setLocale('en'));

  it('every message the code shows has a zh-cn translation with the same placeholders, and the table has no stale entries', () => {
    const source = keysInSource();
    assert.ok(source.size > 80, `found ${source.size} messages`);
    // Messages that reach t() through a table rather than as a literal.
    const dynamic = [
      ...Object.values(LAYER_NAMES),
      ...Object.values(TYPE_WORDS),
      ...Object.values(YAML_ERRORS),
      ...Object.values(LAYER_WORDS),
      // The descriptors' and profiles' documentation, which the schema (hover, completion) shows through t().
      ...RELEASES.map((r) => r.description),
      ...OPERATING_SYSTEMS.map((o) => o.description),
      ...NETWORK_MECHANISMS.map((m) => m.description),
      ...OVS_DATAPATHS.map((d) => d.description),
      ...SERVICE_IDS.flatMap((s) => [REGISTRY[s].title, REGISTRY[s].description]),
      ...ROLE_IDS.map((r) => ROLES[r].description),
      ...Object.values(SECRETS),
      ...Object.values(SECRETS_OF_UNDEPLOYED),
      ...CONFIG_FILES.map((f) => f.description),
      ...Object.entries(SNIPPETS).flatMap(([name, sn]) => [name, sn.description]),
      ...Object.values(STEP_STATUS),
      HELP,
    ];
    for (const [name, table] of Object.entries(tables())) {
      for (const [key, where] of source) {
        assert.ok(key in table, `${name}: no translation of ${JSON.stringify(key)} (${where})`);
        assert.deepEqual(placeholders(table[key]!), placeholders(key), `${name}: placeholders of ${JSON.stringify(key)}`);
        assert.deepEqual(kept(table[key]!), kept(key), `${name}: links and code of ${JSON.stringify(key)}`);
      }
      for (const key of dynamic) assert.ok(key in table, `${name}: no translation of ${JSON.stringify(key)}`);
      const stale = Object.keys(table).filter((k) => !source.has(k) && !dynamic.includes(k));
      assert.deepEqual(stale, [], `${name}: entries no code uses`);
    }
  });

  it('the manifest: every %key% of package.json is in package.nls.json and each language, with the same command links', () => {
    const pkg = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    const used = new Set([...pkg.matchAll(/"%([\w.]+)%"/g)].map((m) => m[1]!));
    const en = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(en).sort(), [...used].sort(), 'package.nls.json holds exactly the keys package.json uses');
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), 'package.nls.zh-cn.json has every key');
    for (const k of Object.keys(en)) {
      assert.deepEqual(
        kept(zh[k]!).filter((x) => x.startsWith('(command:')),
        kept(en[k]!).filter((x) => x.startsWith('(command:')),
        k,
      );
      if (k.endsWith('.media')) assert.ok(fs.existsSync(path.join(ROOT, zh[k]!)) && fs.existsSync(path.join(ROOT, en[k]!)), k);
    }
    // The VSIX ships both (and the walkthrough's pages in both languages, under media/).
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!package\.nls\.json$/m);
    assert.match(ignore, /^!package\.nls\.\*\.json$/m);
  });

  it('the locale: VS Code display languages and LC_ALL / LC_MESSAGES / LANG, English otherwise', () => {
    for (const tag of ['zh-cn', 'zh-CN', 'zh_CN.UTF-8', 'zh', 'zh-Hans', 'zh-hans-cn', 'zh-SG']) assert.equal(localeOf(tag), 'zh-cn', tag);
    for (const tag of ['en', 'en-US', 'C.UTF-8', 'POSIX', 'zh-TW', 'zh-Hant', 'de', '', undefined]) assert.equal(localeOf(tag), 'en', String(tag));
    assert.equal(localeFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh-cn');
    assert.equal(localeFromEnv({ LC_ALL: 'C.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en', 'LC_ALL wins');
    assert.equal(localeFromEnv({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }), 'zh-cn', 'LC_MESSAGES before LANG');
  });

  it('t: the translation with its values in place; English (the key) by default', () => {
    assert.equal(t('{0} min ago', 5), '5 min ago');
    setLocale('zh-CN');
    assert.equal(t('{0} min ago', 5), '5 分钟前');
    assert.equal(t('{0} on {1}', 'zed', 'debian12'), 'debian12 上的 zed');
    assert.equal(t('a message with no translation {0}', 'x'), 'a message with no translation x');
  });

  it('findings of the semantic rules are in the locale; codes, keys and values stay as they are', () => {
    const text = minimal().replace('10.0.0.31', '10.0.0.11').replace('Str0ng-Rabbit-Pass-1', "'123456'");
    setLocale('zh-cn');
    const zh = analyze(text, {}).findings;
    setLocale('en');
    const en = analyze(text, {}).findings;
    assert.deepEqual(
      zh.map((f) => f.code),
      en.map((f) => f.code),
    );
    const dup = zh.find((f) => f.code === 'node/duplicate-address')!;
    assert.equal(dup.message, '地址 10.0.0.11 已被节点 `controller` 使用：每个节点都需要自己的地址。');
    assert.equal(zh.find((f) => f.code === 'secret/weak')?.message, '`RABBIT_PASS` 强度太弱：它是众所周知的密码。');
    assert.match(en.find((f) => f.code === 'node/duplicate-address')!.message, /^Address 10\.0\.0\.11 is already used by node `controller`/);
    // The schema's findings too.
    setLocale('zh-cn');
    const schema = analyze(minimal('ntpx: 1\n').replace('os: debian12', 'os: debian1'), {}).findings;
    setLocale('en');
    assert.match(schema.find((f) => f.code === 'schema/unknown-key')?.message ?? '', /^未知键 `ntpx` — 你是想写 `ntp` 吗？ 已知的键：/);
    assert.match(schema.find((f) => f.code === 'schema/enum')?.message ?? '', /^`debian1` 不允许用于 `os` — 你是想写 `debian12` 吗？ 允许的值：centos7, debian12, debian13。$/);
    // The reader's findings: YAML syntax (the parser's own sentence kept after the translation), duplicate keys.
    setLocale('zh-cn');
    const broken = analyze(minimal().replace('nodes:\n', 'nodes:\n  x: [1,\n'), {}).findings.filter((f) => f.code === 'yaml/syntax');
    const twice = analyze(minimal('ntp: {}\nntp: {}\n'), {}).findings.find((f) => f.code === 'yaml/duplicate-key');
    setLocale('en');
    assert.ok(broken.length > 0);
    for (const f of broken) assert.match(f.message, /^YAML：[^A-Za-z]+（.*[A-Za-z].*）$/, f.message);
    assert.match(twice?.message ?? '', /^重复的键：`ntp` 已在此映射的第 \d+ 行，每个键只能出现一次/);
    // The schema's documentation: hover and completion (the English schema file stays English).
    setLocale('zh-cn');
    const zhHover = hoverAt(analyze(minimal(), {}), { line: minimal().split('\n').indexOf('nodes:'), character: 1 })?.markdown ?? '';
    const zhRelease = localSchema().properties?.release?.enumDescriptions?.[0];
    setLocale('en');
    assert.match(zhHover, /云中的服务器，按主机名列出。/);
    assert.match(zhRelease ?? '', /^OpenStack Train（2019）/);
    assert.match(schemaJson(), /"description": "The servers of the cloud, by host name\./);
    assert.doesNotMatch(schemaJson(), /[\u4e00-\u9fff]/);
  });

  it('the texts of a rendered cloud (step and check titles, stages, file descriptions) read in zh-cn through the data table; they stay English data', () => {
    // Every example and end-to-end topology, rendered: each text has an entry (itself or a template), and
    // each entry is used by one of them.
    const env: Record<string, string> = {};
    for (const s of Object.keys(SECRETS)) env[`E2E_${s}`] = `E2e-Strong-${s}-1`;
    const dirs = [path.join(ROOT, 'examples'), path.join(ROOT, 'test', 'e2e')];
    const texts = new Set<string>();
    const topologies = dirs.flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((x) => x.endsWith('.ostopo.yaml'))
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')),
    );
    // The e2e data plane as the dataplane-2025.1 cloud deploys it (test/e2e/run.mjs): Open vSwitch in userspace.
    topologies.push(
      fs
        .readFileSync(path.join(ROOT, 'test', 'e2e', 'dataplane.ostopo.yaml'), 'utf8')
        .replace(/^release: .*$/m, 'release: 2025.1')
        .replace(/^os: .*$/m, 'os: debian13')
        .replace(/^networks:$/m, 'networks:\n  ovsDatapath: netdev'),
    );
    for (const text of topologies) {
      const rendered = render(analyze(text, env), {});
      for (const n of rendered.nodes)
        for (const a of n.artifacts) {
          if (a.kind === 'file') texts.add(a.description);
          else texts.add(a.title);
          if (a.kind === 'check') for (const st of a.stages ?? []) texts.add(st);
        }
    }
    // And the stage of a cloud without self-service networks.
    texts.add(LAUNCH_SERVER_ON_PROVIDER);
    assert.ok(texts.size > 150, `${texts.size} texts`);
    const used = new Set<string>();
    for (const text of texts) {
      const hit = dataKey(text, 'zh-cn');
      assert.ok(hit, `zh-cn: no entry in zh-cn.titles.json reads ${JSON.stringify(text)}`);
      used.add(hit.key);
    }
    for (const [name, table] of Object.entries(dataTables())) {
      for (const [key, value] of Object.entries(table)) {
        assert.ok(used.has(key), `${name}: ${JSON.stringify(key)} reads no text of the rendered examples (stale?)`);
        assert.deepEqual(placeholders(value), placeholders(key), `${name}: placeholders of ${JSON.stringify(key)}`);
        assert.deepEqual(kept(value), kept(key), `${name}: code spans of ${JSON.stringify(key)}`);
      }
    }
    setLocale('zh-cn');
    const zh = [
      'install chrony',
      'nova-api, nova-scheduler running on controller',
      'keystone: user glance (admin and service in project service), service glance (image), its endpoints http://controller:9292',
      'openstack catalog list has identity, image',
      'not a known text',
    ].map(tData);
    setLocale('en');
    assert.deepEqual(zh, [
      '安装 chrony',
      'nova-api, nova-scheduler 在 controller 上运行',
      'keystone：用户 glance（在 service 项目中拥有 admin 和 service 角色）、服务 glance（image）及其端点 http://controller:9292',
      'openstack catalog list 中有 identity, image',
      'not a known text',
    ]);
    assert.equal(tData('install chrony'), 'install chrony');
    // The deploy's lines in the terminal: the title in Chinese, the step id and the unit names as they are.
    setLocale('zh-cn');
    const line = formatEvent({ type: 'action', node: 'controller', step: 'chrony', id: 'chrony/install', title: 'install chrony', status: 'ran', ms: 1200 }, { color: false, verbose: false });
    const check = formatEvent({ type: 'check', node: 'controller', id: 'c', title: 'chrony running on controller', ok: true, ms: 100, evidence: '' }, { color: false, verbose: false });
    setLocale('en');
    assert.match(line ?? '', /✔ 安装 chrony/);
    assert.match(check ?? '', /✔ PASS chrony 在 controller 上运行/);
  });

  it('the CLI speaks the language of LC_ALL / LC_MESSAGES / LANG: help, findings, summaries; exit codes and codes are the same', () => {
    const run = (argv: string[], env: Record<string, string>) => {
      let out = '';
      let err = '';
      const code = main(argv, { out: (x) => (out += x), err: (x) => (err += x), env, cwd: process.cwd() });
      setLocale('en');
      return { code, out, err };
    };
    const help = run(['--help'], { LANG: 'zh_CN.UTF-8' });
    assert.match(help.out, /^ostopo \d+\.\d+\.\d+ — 用一个拓扑文件编写 OpenStack 云/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-l10n-'));
    try {
      const file = path.join(dir, 't.ostopo.yaml');
      fs.writeFileSync(file, minimal().replace('10.0.0.31', '10.0.0.11'));
      const zh = run(['validate', file], { LANG: 'zh_CN.UTF-8' });
      const en = run(['validate', file], { LANG: 'en_US.UTF-8' });
      assert.equal(zh.code, 1);
      assert.equal(en.code, 1);
      assert.match(zh.out, /error node\/duplicate-address 地址 10\.0\.0\.11 已被节点 `controller` 使用/);
      assert.match(zh.err, /1 个错误，0 个警告，0 条提示/);
      assert.match(en.err, /1 error\(s\), 0 warning\(s\), 0 info/);
      assert.match(run(['render', file], { LC_ALL: 'zh_CN.UTF-8' }).err, /render 需要 --out DIR/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
