import * as assert from 'node:assert/strict';
import { analyze, render } from '../../src/core/compile';
import { completeAt } from '../../src/core/editor/complete';
import { fixesFor } from '../../src/core/editor/fixes';
import { hoverAt } from '../../src/core/editor/navigate';
import { Artifact, FileArtifact } from '../../src/core/render/artifacts';
import { renderScope } from '../../src/core/render/index';
import { checkRendered, checkRenderedScope, renderedRulesScope, ShadowMemo } from '../../src/core/renderedRules';
import { materialize } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { at, codes, lineOf, minimal, only, read, ZED } from './helpers';
import { MAX_UNKNOWN_PER_SECTION } from '../../src/core/validate';

const run = (text: string, env: Record<string, string> = {}) => analyze(text, env).findings;

describe('semantic rules', () => {
  it('a complete minimal topology has no findings', () => {
    assert.deepEqual(run(minimal()), []);
  });

  it('node/duplicate-address: on the second node, naming the first', () => {
    const text = minimal().replace('10.0.0.31', '10.0.0.11');
    const f = only(run(text), 'node/duplicate-address');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /already used by node `controller`/);
    assert.equal(f[0].range.start.line + 1, lineOf(text, 'address: 10.0.0.11', lineOf(text, 'compute1:')));
  });

  it('node/address-outside-cidr and node/reserved-address', () => {
    assert.equal(only(run(minimal().replace('10.0.0.31', '10.0.1.31')), 'node/address-outside-cidr').length, 1);
    assert.equal(only(run(minimal().replace('10.0.0.31', '10.0.0.255')), 'node/reserved-address').length, 1);
  });

  it('node/no-services', () => {
    const f = only(run(minimal('  spare:\n    address: 10.0.0.40\n')), 'node/no-services');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /`spare` runs nothing/);
  });

  it('node/lvm-devices-unused: lvmDevices where no cinder-volume runs; none where it does', () => {
    const f = only(run(minimal().replace('    roles: [compute]\n', '    roles: [compute]\n    lvmDevices: [/dev/sdb]\n')), 'node/lvm-devices-unused');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /`compute1` does not run cinder-volume \(the `block` role\)/);
    const block = run(
      minimal('  block1:\n    address: 10.0.0.41\n    roles: [block]\n    lvmDevices: [/dev/sdb]\n').replace(
        '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n',
        '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n  CINDER_DBPASS: Str0ng-Cinder-Db-1\n  CINDER_PASS: Str0ng-Cinder-Pass-1\n',
      ),
    );
    assert.deepEqual(
      block.filter((x) => x.severity !== 'info').map((x) => x.code),
      [],
    );
    // A device that is not a /dev path is an error on its line.
    assert.equal(only(run(minimal().replace('    roles: [compute]\n', '    roles: [compute]\n    lvmDevices: [sdb]\n')), 'schema/pattern').length, 1);
  });

  it('node/no-ceph-osds, node/ceph-osds-unused, and lvmDevices where the volumes go to Ceph', () => {
    const secrets = (t: string) =>
      t.replace(
        '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n',
        '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n  CINDER_DBPASS: Str0ng-Cinder-Db-1\n  CINDER_PASS: Str0ng-Cinder-Pass-1\n  CEPH_MON_KEY: AQDlOxBrgDw/OxAAp7UtHbOvxJI5R0tkGrRmiQ==\n  CEPH_ADMIN_KEY: AQDmOxBrwMYtABAABb7ActSDFVM1QtCLMMgnGw==\n  CEPH_CINDER_KEY: AQDmOxBrwMYtABAAJr+qu4CvUMeVLjJW31CcTQ==\n',
      );
    const noOsds = only(run(secrets(minimal('  block1:\n    address: 10.0.0.41\n    roles: [block, ceph]\n'))), 'node/no-ceph-osds');
    assert.equal(noOsds.length, 1);
    assert.equal(noOsds[0]!.severity, 'error');
    assert.match(noOsds[0]!.message, /`block1` runs ceph-osd .* lists no `cephOsds`/);
    const fine = run(secrets(minimal('  block1:\n    address: 10.0.0.41\n    roles: [block, ceph]\n    cephOsds: [{ size: 10G }]\n')));
    assert.deepEqual(
      fine.filter((x) => x.severity !== 'info').map((x) => x.code),
      [],
    );
    const lvm = only(run(secrets(minimal('  block1:\n    address: 10.0.0.41\n    roles: [block, ceph]\n    cephOsds: [{ size: 10G }]\n    lvmDevices: [/dev/sdb]\n'))), 'node/lvm-devices-unused');
    assert.match(lvm[0]!.message, /volumes go to Ceph/);
    assert.equal(only(run(minimal().replace('    roles: [compute]\n', '    roles: [compute]\n    cephOsds: [{ size: 10G }]\n')), 'node/ceph-osds-unused').length, 1);
    // A size that is not one is an error on its line.
    assert.equal(only(run(secrets(minimal('  block1:\n    address: 10.0.0.41\n    roles: [block, ceph]\n    cephOsds: [{ size: 10GB }]\n'))), 'schema/pattern').length, 1);
  });

  it('storage/images-without-ceph: images in Ceph need a node with the `ceph` role; the value is the fix', () => {
    const text = minimal().replace(/^nodes:$/m, 'storage:\n  images: rbd\nnodes:');
    const f = only(run(text), 'storage/images-without-ceph');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.equal(at(f[0]!), `${lineOf(text, 'images: rbd')}:11`);
    assert.deepEqual(f[0]!.suggestions, ['file']);
    assert.equal(only(run(minimal().replace(/^nodes:$/m, 'storage:\n  images: file\nnodes:')), 'storage/images-without-ceph').length, 0);
    // A value the schema does not know is its error, on its line.
    assert.equal(only(run(minimal().replace(/^nodes:$/m, 'storage:\n  images: swift\nnodes:')), 'schema/enum').length, 1);
  });

  it('ref/unknown-node for ntp.server, with did-you-mean', () => {
    const f = only(run(minimal('ntp:\n  server: controler\n')), 'ref/unknown-node');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].suggestions, ['controller']);
    assert.equal(at(f[0]), '30:11');
  });

  it('ntp/server-without-chrony', () => {
    const f = only(run(minimal('  spare:\n    address: 10.0.0.40\n    services: [etcd]\nntp:\n  server: spare\n').replace('etcd', 'nova-compute')), 'ntp/server-without-chrony');
    assert.equal(f.length, 1);
  });

  it('service/missing-prerequisite: nova without placement, on the role that placed it', () => {
    const text = minimal().replace('roles: [controller]', 'services: [chrony, mariadb, rabbitmq, memcached, keystone, glance, nova-api, nova-scheduler, nova-conductor, neutron-server]');
    const f = only(run(text), 'service/missing-prerequisite');
    const apis = f.filter((x) => x.message.startsWith('`nova-api`'));
    assert.equal(apis.length, 1);
    assert.match(apis[0].message, /needs `placement` somewhere in the cloud/);
    assert.deepEqual(apis[0].suggestions, ['placement']);
    assert.equal(apis[0].range.start.line + 1, lineOf(text, 'services: [chrony'));
    const computes = f.filter((x) => x.message.startsWith('`nova-compute`'));
    assert.equal(computes.length, 1);
    assert.equal(computes[0].range.start.line + 1, lineOf(text, 'roles: [compute]'));
  });

  it('service/multiple-instances: a second keystone', () => {
    const text = minimal().replace('roles: [compute]', 'roles: [compute]\n    services: [keystone]');
    const f = only(run(text), 'service/multiple-instances');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /`keystone` runs on `controller` already/);
    assert.equal(at(f[0]), `${lineOf(text, 'services: [keystone]')}:16`);
  });

  it('profile/unsupported: zed on centos7', () => {
    const f = only(run(minimal().replace('os: debian12', 'os: centos7')), 'profile/unsupported');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /no profile for OpenStack zed on centos7. Supported: train on centos7, zed on debian12/);
    assert.equal(at(f[0]), '3:10');
  });

  it('Debian 13 / 2025.1: `release: 2025.1` (a YAML number) and `epoxy` select the row; other numbers do not', () => {
    const e13 = (release: string) => minimal().replace('release: zed', `release: ${release}`).replace('os: debian12', 'os: debian13');
    for (const release of ['2025.1', '"2025.1"', 'epoxy']) {
      const a = analyze(e13(release), {});
      assert.deepEqual(
        a.findings.filter((f) => f.severity === 'error'),
        [],
        release,
      );
      assert.equal(a.cloud.release, '2025.1', release);
      assert.equal(a.cloud.profile?.id, 'debian13/2025.1', release);
      assert.equal(a.cloud.profile?.extends, 'debian12/zed');
    }
    // 2025.10 is no release, though YAML reads it as the same number as 2025.1.
    const f = only(run(e13('2025.10')), 'schema/enum');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /`2025\.10` is not allowed for `release`/);
    // Overrides are checked against 2025.1's own catalog: [api] auth_strategy exists, [glance] api_servers too.
    const typo = only(run(e13('2025.1') + 'config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debugg: true\n'), 'config/unknown-option');
    assert.equal(typo.length, 1);
    assert.match(typo[0].message, /in 2025\.1's nova\.conf — did you mean `debug`\?/);
  });

  it('completion offers the release ids and their other names; the hover of `epoxy` says it is 2025.1', () => {
    const text = minimal().replace('release: zed', 'release: epoxy').replace('os: debian12', 'os: debian13');
    const a = analyze(text, {});
    const i = text.indexOf('epoxy');
    const labels = completeAt(a, text, a.doc.positionAt(i)).map((e) => e.label);
    for (const r of ['train', 'zed', '2025.1', 'epoxy']) assert.ok(labels.includes(r), `${r} in ${labels.join(', ')}`);
    assert.match(hoverAt(a, a.doc.positionAt(i + 1))?.markdown ?? '', /The same as `2025\.1`: OpenStack 2025\.1 "Epoxy"/);
    const numeric = text.replace('release: epoxy', 'release: 2025.1');
    const b = analyze(numeric, {});
    assert.match(hoverAt(b, b.doc.positionAt(numeric.indexOf('2025.1') + 1))?.markdown ?? '', /^\*\*`2025\.1`\*\*: OpenStack 2025\.1 "Epoxy" \(2025\)/);
  });

  it('secret/missing names the services that need it', () => {
    const f = only(run(minimal().replace(/ {2}GLANCE_PASS: .*\n/, '')), 'secret/missing');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /Missing secret `GLANCE_PASS`, needed by glance/);
    assert.equal(at(f[0]), '8:1');
  });

  it("secret/weak: the guide's 123456, without printing the value elsewhere", () => {
    const f = only(run(minimal().replace('Str0ng-Rabbit-Pass-1', "'123456'")), 'secret/weak');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /`RABBIT_PASS` is weak: it is a well-known password/);
    assert.doesNotMatch(f[0].message, /123456/);
    assert.equal(only(run(minimal().replace('Str0ng-Rabbit-Pass-1', 'RABBIT_PASS')), 'secret/weak').length, 1);
    assert.equal(only(run(minimal().replace('Str0ng-Rabbit-Pass-1', 'short1A')), 'secret/weak').length, 1);
  });

  it('secret references: env set, unset, malformed', () => {
    const text = minimal().replace('Str0ng-Rabbit-Pass-1', '${env:RABBIT}');
    assert.deepEqual(codes(run(text, { RABBIT: 'From-The-Env-Str0ng' })), []);
    assert.deepEqual(codes(run(text, {})), ['secret/env-unset']);
    assert.deepEqual(codes(run(text, { RABBIT: 'weak' })), ['secret/weak']);
    assert.deepEqual(codes(run(minimal().replace('Str0ng-Rabbit-Pass-1', '${vault:x}'))), ['secret/bad-reference']);
  });

  it('a literal `${` is written `$${`; any other `${` in a literal is still a malformed reference', () => {
    const secret = (raw: string) => {
      const a = analyze(
        minimal().replace('Str0ng-Rabbit-Pass-1', () => raw),
        {},
      );
      return { codes: codes(a.findings), value: a.cloud.secrets.get('RABBIT_PASS')?.value };
    };
    assert.deepEqual(secret("'Str0ng-$${not-a-ref}-1'"), { codes: [], value: 'Str0ng-${not-a-ref}-1' });
    assert.deepEqual(secret("'$${env:RABBIT}-Long-1'"), { codes: [], value: '${env:RABBIT}-Long-1' }, 'a literal that reads like a reference');
    assert.deepEqual(secret("'Str0ng-$$${x}-Pass'"), { codes: [], value: 'Str0ng-$${x}-Pass' }, '$$${ is $ then ${');
    assert.deepEqual(secret("'Str0ng-$$-and-$-Pass-1'"), { codes: [], value: 'Str0ng-$$-and-$-Pass-1' }, 'a $ elsewhere is itself');
    assert.deepEqual(secret("'Str0ng-$${a}-${b}-1'").codes, ['secret/bad-reference']);
    assert.deepEqual(secret("'Str0ng-${a}-Pass-1'").codes, ['secret/bad-reference']);
    const f = only(run(minimal().replace('Str0ng-Rabbit-Pass-1', '${vault:x}')), 'secret/bad-reference')[0];
    assert.match(f.message, /in a literal, write `\$\$\{` for `\$\{`/);
  });

  it('the escaped literal is what the services get: rendered and revealed with a literal `${`', () => {
    const a = analyze(
      minimal().replace('Str0ng-Admin-Pass-1', () => "'Adm1n-$${x}-Pass'"),
      {},
    );
    assert.equal(a.hasErrors, false);
    const openrc = render(a)
      .nodes.flatMap((n) => n.artifacts)
      .find((x): x is FileArtifact => x.kind === 'file' && x.path === '/root/admin-openrc')!;
    assert.match(materialize(openrc.content, secretLookup(a.cloud.secrets)), /^export OS_PASSWORD='Adm1n-\$\{x\}-Pass'$/m);
  });

  it('completion and hover document the escape (from the schema)', () => {
    const text = minimal();
    const line = lineOf(text, 'ADMIN_PASS:') - 1;
    const h = hoverAt(analyze(text, {}), { line, character: text.split('\n')[line].length - 2 })!;
    assert.match(h.markdown, /`\$\$\{` stands for a literal `\$\{`/);
    // A new key in `secrets`: the secret names not written yet.
    const typed = text.replace('secrets:\n', 'secrets:\n  \n');
    const keys = completeAt(analyze(typed, {}), typed, { line: lineOf(typed, 'secrets:'), character: 2 }).filter((k) => k.kind === 'secret');
    assert.ok(keys.length > 0 && keys.every((k) => /`\$\$\{` stands for a literal `\$\{`/.test(k.documentation ?? '')), keys.map((k) => `${k.label}: ${k.documentation}`).join('\n'));
  });

  it('secret/unknown-name with did-you-mean', () => {
    const f = only(run(minimal('').replace('secrets:\n', 'secrets:\n  GLANCE_PAS: Str0ng-Glance-Pass-2\n')), 'secret/unknown-name');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].suggestions, ['GLANCE_PASS']);
  });

  it('value/line-break in a secret and in a config value', () => {
    assert.ok(codes(run(minimal().replace('Str0ng-Rabbit-Pass-1', '"Str0ng-Rabbit\\nPass"'))).includes('value/line-break'));
    const f = only(run(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        my_ip: "1.2.3.4\\nevil = 1"\n')), 'value/line-break');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'error');
  });

  it(`config/unknown-option: at most ${MAX_UNKNOWN_PER_SECTION} in a section one by one, then one finding on the section that counts the rest`, () => {
    const n = MAX_UNKNOWN_PER_SECTION + 25;
    const opts = Array.from({ length: n }, (_, i) => `        opt_${i}: v\n`).join('') + '        debug: true\n';
    const text = minimal(`config:\n  nova:\n    nova.conf:\n      DEFAULT:\n${opts}`);
    const f = only(run(text), 'config/unknown-option');
    assert.equal(f.length, MAX_UNKNOWN_PER_SECTION + 1);
    const rest = f.find((x) => /more options/.test(x.message))!;
    assert.equal(rest.message, `[DEFAULT] has 25 more options that zed's nova.conf does not have, not reported one by one (the first ${MAX_UNKNOWN_PER_SECTION} are).`);
    assert.equal(rest.range.start.line + 1, lineOf(text, '      DEFAULT:'));
    assert.equal(f.filter((x) => x !== rest).at(-1)!.range.start.line + 1, lineOf(text, `opt_${MAX_UNKNOWN_PER_SECTION - 1}:`));
  });

  it('config/unknown-option and config/unknown-section from the Zed catalog, with did-you-mean', () => {
    const f = run(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debgu: true\n      schedular:\n        workers: 2\n'));
    const opt = only(f, 'config/unknown-option');
    assert.equal(opt.length, 1);
    assert.deepEqual(opt[0].suggestions?.[0], 'debug');
    // [DEFAULT]'s options are fixed: nova would ignore `debgu` silently, so validate fails.
    assert.equal(opt[0].severity, 'error');
    const sec = only(f, 'config/unknown-section');
    assert.equal(sec.length, 1);
    assert.deepEqual(sec[0].suggestions?.[0], 'scheduler');
  });

  it('config: keystoneauth options are known where auth_type is', () => {
    assert.deepEqual(run(minimal('config:\n  nova:\n    nova.conf:\n      placement:\n        username: placement2\n')), []);
  });

  it('config/unknown-option is a warning where the options depend on an auth plugin', () => {
    // Another auth_type plugin may take options the password plugin does not have.
    const f = only(run(minimal('config:\n  nova:\n    nova.conf:\n      placement:\n        application_credential_id: abc\n')), 'config/unknown-option');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'warning');
  });

  it('config/shadowed-option: nova.conf compute_driver is read before nova-compute.conf on Debian', () => {
    const text = minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        compute_driver: fake.FakeDriver\n');
    const f = only(run(text), 'config/shadowed-option');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'warning');
    assert.equal(f[0].range.start.line + 1, lineOf(text, 'compute_driver'));
    assert.match(f[0].message, /compute_driver in nova\.conf never reaches nova-compute on compute1: nova-compute reads nova-compute\.conf after nova\.conf/);
    assert.deepEqual(f[0].suggestions, ['nova-compute.conf']);
    // Where it belongs, nothing to say; options nova-compute.conf does not set are not shadowed.
    assert.deepEqual(run(minimal('config:\n  nova:\n    nova-compute.conf:\n      DEFAULT:\n        compute_driver: fake.FakeDriver\n    nova.conf:\n      DEFAULT:\n        debug: true\n')), []);
    // CentOS has one nova.conf: no shadow there.
    const train = text.replace('release: zed', 'release: train').replace('os: debian12', 'os: centos7');
    assert.deepEqual(only(run(train), 'config/shadowed-option'), []);
  });

  it('config/shadowed-option reads a render of the nova files of the nodes with such an override only, the same files as the whole render', () => {
    const text = read(ZED).replace('reserved_host_memory_mb: 1024\n', 'reserved_host_memory_mb: 1024\n            compute_driver: fake.FakeDriver\n');
    const a = analyze(text, {});
    const scope = renderedRulesScope(a.cloud);
    assert.ok(scope);
    assert.deepEqual([...scope.nodes], ['compute1']);
    assert.deepEqual([...scope.projects], ['nova']);
    const part = [...renderScope(a.cloud, scope)];
    assert.deepEqual(
      part.map((p) => p.node),
      ['compute1'],
    );
    const whole = render(a).nodes.find((n) => n.name === 'compute1')!.artifacts;
    const files = (artifacts: Artifact[]) => artifacts.filter((f): f is FileArtifact => f.kind === 'file' && f.id.startsWith('nova'));
    assert.ok(files(part[0]!.artifacts).length >= 2);
    for (const f of files(part[0]!.artifacts))
      assert.deepEqual(
        f,
        files(whole).find((w) => w.id === f.id),
        f.id,
      );
    assert.equal(only(a.findings, 'config/shadowed-option').length, 1);
    // Nothing to look at: no render at all.
    assert.equal(renderedRulesScope(analyze(minimal(), {}).cloud), undefined);
  });

  it('config/shadowed-option renders nodes with the same services and overrides once: the findings of every node, each at its own line, as a render of all would give', () => {
    // Six computes: four override compute_driver in nova.conf alike (one render), one with another value,
    // one overriding something nova-compute.conf does not set; plus a global override that every node shadows.
    const computes = [1, 2, 3, 4, 5, 6]
      .map((i) => {
        const opt = i <= 4 ? 'compute_driver: fake.FakeDriver' : i === 5 ? 'compute_driver: libvirt.LibvirtDriver' : 'reserved_host_memory_mb: 512';
        return `  compute${i}:\n    address: 10.0.0.${30 + i}\n    roles: [compute]\n    config:\n      nova:\n        nova.conf:\n          DEFAULT:\n            ${opt}\n`;
      })
      .join('');
    const text = minimal().replace(/ {2}compute1:\n {4}address: 10\.0\.0\.31\n {4}roles: \[compute\]\n/, computes);
    const a = analyze(text, {});
    const scope = renderedRulesScope(a.cloud)!;
    assert.deepEqual([...scope.nodes], ['compute1', 'compute5', 'compute6']);
    assert.deepEqual(scope.members.get('compute1'), ['compute1', 'compute2', 'compute3', 'compute4']);
    // The same findings as from a render of every node, one by one.
    const all = checkRendered(a.doc, a.cloud, renderScope(a.cloud, { nodes: new Set(a.cloud.nodes.map((n) => n.name)), projects: scope.projects }));
    const grouped = only(a.findings, 'config/shadowed-option');
    assert.equal(grouped.length, 5);
    assert.deepEqual(
      grouped.map((f) => [f.path, f.range.start.line, f.message]),
      all.map((f) => [f.path, f.range.start.line, f.message]),
    );
    assert.deepEqual(
      grouped.map((f) => f.range.start.line + 1),
      [1, 2, 3, 4, 5].map((i) => text.split('\n').indexOf(`  compute${i}:`) + 8),
    );
  });

  it('config/shadowed-option after an edit renders only the nodes whose services or overrides changed, and finds what a fresh analysis finds', () => {
    const computes = (drivers: string[]) =>
      drivers.map((d, i) => `  compute${i + 1}:\n    address: 10.0.0.${31 + i}\n    roles: [compute]\n    config:\n      nova:\n        nova.conf:\n          DEFAULT:\n            ${d}\n`).join('');
    const withComputes = (drivers: string[], extra = '') => minimal(extra).replace(/ {2}compute1:\n {4}address: 10\.0\.0\.31\n {4}roles: \[compute\]\n/, computes(drivers));
    const fake = 'compute_driver: fake.FakeDriver';
    const rendered: string[][] = [];
    const shadows = (text: string, previous?: ShadowMemo) => {
      const a = analyze(text, {});
      const scope = renderedRulesScope(a.cloud)!;
      const r = checkRenderedScope(a.doc, a.cloud, scope, (part) => (rendered.push([...part.nodes]), renderScope(a.cloud, part)), previous);
      assert.deepEqual(r.findings, only(a.findings, 'config/shadowed-option'));
      return r.memo;
    };
    const first = shadows(withComputes([fake, fake, 'reserved_host_memory_mb: 512']));
    assert.deepEqual(rendered.pop(), ['compute1', 'compute3']);
    // An address changed: nothing is rendered again.
    const same = shadows(withComputes([fake, fake, 'reserved_host_memory_mb: 512']).replace('10.0.0.33', '10.0.0.40'), first);
    assert.equal(rendered.length, 0);
    // One node's override changed: that node alone.
    shadows(withComputes([fake, fake, 'compute_driver: libvirt.LibvirtDriver']), same);
    assert.deepEqual(rendered.pop(), ['compute3']);
    // What every node's files depend on changed (a cloud-wide override, another node's devices): all again.
    shadows(withComputes([fake, fake, 'reserved_host_memory_mb: 512'], 'config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: true\n'), same);
    assert.deepEqual(rendered.pop(), ['compute1', 'compute3']);
    shadows(withComputes([fake, fake, 'reserved_host_memory_mb: 512']).replace('roles: [controller]', 'roles: [controller]\n    lvmDevices: [/dev/sdb]'), same);
    assert.deepEqual(rendered.pop(), ['compute1', 'compute3']);
  });

  it('an analysis given the one before an edit gives what a fresh one gives, edit after edit', () => {
    const base = read(ZED).replace('reserved_host_memory_mb: 1024\n', 'reserved_host_memory_mb: 1024\n            compute_driver: fake.FakeDriver\n');
    const edits: ((t: string) => string)[] = [
      (t) => t.replace('compute_driver: fake.FakeDriver', 'compute_driver: libvirt.LibvirtDriver'),
      (t) => t.replace(/compute1\b/g, 'compute9'),
      (t) => t.replace('        debug: false\n', '        debug: false\n        compute_driver: fake.FakeDriver\n'),
      (t) => t.replace('roles: [compute]', 'roles: [compute]\n    lvmDevices: [/dev/sdb]'),
      (t) => t.replace('address: 10.0.0.31', 'address: 10.0.0.'),
      (t) => t.replace('address: 10.0.0.\n', 'address: 10.0.0.32\n'),
      (t) => t.replace('  controller:\n', '  c2:\n    address: 10.0.0.77\n    roles: [compute]\n  controller:\n'),
      (t) => t.replace('release: zed', 'release: 2025.1').replace('os: debian12', 'os: debian13'),
    ];
    let text = base;
    let previous = analyze(text, {});
    let shadowed = 0;
    for (const edit of edits) {
      text = edit(text);
      const reused = analyze(text, {}, undefined, undefined, previous);
      const fresh = analyze(text, {});
      assert.deepEqual(reused.findings, fresh.findings, text);
      shadowed += only(fresh.findings, 'config/shadowed-option').length;
      previous = reused;
    }
    assert.ok(shadowed >= 8, `the edits should keep overrides shadowed (${shadowed})`);
  });

  it('a YAML syntax error comes first, without the findings it caused', () => {
    // The unclosed list swallows the rest of the file: the schema and the secret rules would report its consequences.
    const text = minimal().replace('roles: [controller]', 'roles: [controller');
    const f = run(text);
    assert.equal(f[0].code, 'yaml/syntax');
    assert.deepEqual(
      f.filter((x) => x.code !== 'yaml/syntax'),
      [],
    );
    // Findings before the break that stand on their own are kept, after the syntax error.
    const both = run(minimal().replace('release: zed', 'release: zedd').replace('roles: [compute]', 'roles: [compute'));
    assert.deepEqual(codes(both), ['yaml/syntax', 'schema/enum']);
    // An unclosed quote is reported where it opens, not at the end of the file.
    const quote = minimal().replace('name: t', 'name: "t');
    assert.equal(at(run(quote)[0]), '2:7');
    // One stray token is one error, not one per token after it.
    assert.equal(run(minimal().replace('nodes:', 'nodes: ]')).length, 1);
  });

  it('config/option-type against the option catalog', () => {
    const f = only(run(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: maybe\n        osapi_compute_workers: many\n')), 'config/option-type');
    assert.equal(f.length, 2);
    assert.match(f[0].message, /expects true or false/);
    assert.match(f[1].message, /expects a whole number/);
  });

  it('config/file-not-in-profile: nova-compute.conf on CentOS', () => {
    const text = minimal('config:\n  nova:\n    nova-compute.conf:\n      DEFAULT:\n        compute_driver: fake.FakeDriver\n')
      .replace('release: zed', 'release: train')
      .replace('os: debian12', 'os: centos7');
    const f = only(run(text), 'config/file-not-in-profile');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].suggestions, ['nova.conf']);
  });

  it('config/not-rendered: a node override for a project it does not run', () => {
    const f = only(run(minimal('    config:\n      glance:\n        glance-api.conf:\n          DEFAULT:\n            debug: true\n')), 'config/not-rendered');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /Node `compute1` runs no glance service, so this glance-api.conf override changes nothing/);
  });
});

describe('findings carry structured data', () => {
  it('secret/missing and service/missing-prerequisite: quick fixes read the data, never the message', () => {
    const a = analyze(minimal().replace(/ {2}NOVA_PASS: .*\n/, ''), {});
    const f = a.findings.find((x) => x.code === 'secret/missing');
    assert.deepEqual(f?.data?.secret, 'NOVA_PASS');
    assert.ok(f?.data?.services?.includes('nova-compute'));
    const reworded = { ...f!, message: 'Something is missing.' };
    assert.match(fixesFor(a, reworded)[0].title, /Add NOVA_PASS with a generated strong value/);
  });
});
