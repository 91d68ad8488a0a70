import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { catalogFor } from '../../src/core/catalog/options';
import { hoverAt } from '../../src/core/editor/navigate';
import { SNIPPETS } from '../../src/core/editor/snippets';
import { extend, findProfile, Profile, PROFILES } from '../../src/core/profiles';
import { CommandArtifact } from '../../src/core/render/artifacts';
import { secretsIn } from '../../src/core/render/template';
import { availableOn, onProfile, PROJECT_IDS, REGISTRY, RENDER_ORDER, secretsOf, SECRET_NAMES, SERVICE_IDS, ServiceId } from '../../src/core/services/registry';
import { analyzeFile, listFiles, ROOT, TRAIN } from './helpers';

const ALL_SECRETS = SECRET_NAMES.map((s) => `  ${s}: Str0ng-${s.replace(/_/g, '-')}-Value-9`).join('\n');

/** Every service on a node of its own (`n-<service>`), all of them placed: what each renderer uses shows per node. */
function onePerNode(os: string, release: string): string {
  const profile = findProfile(os, release)!;
  const nodes = SERVICE_IDS.filter((s) => availableOn(profile, s))
    .map((s, i) => `  n-${s}:\n    address: 10.0.0.${10 + i}\n    services: [${s}]${s === 'ceph-osd' ? '\n    cephOsds: [{ size: 10G }]' : ''}`)
    .join('\n');
  return `ostopo: 1\nname: one-per-node\nrelease: ${release}\nos: ${os}\nnetworks:\n  management:\n    cidr: 10.0.0.0/24\nntp:\n  server: n-chrony\nsecrets:\n${ALL_SECRETS}\nnodes:\n${nodes}\n`;
}

describe('the service registry', () => {
  for (const p of PROFILES) {
    it(`${p.id}: the secrets each service declares are the ones its rendered files and commands use (each service it has)`, () => {
      const a = analyze(onePerNode(p.os, p.release), {});
      assert.deepEqual(
        a.findings.filter((f) => f.severity === 'error'),
        [],
      );
      const r = render(a, {});
      // The databases (and grants) of every service are made on the MariaDB node with their passwords.
      const dbSecrets = SERVICE_IDS.flatMap((s) => (REGISTRY[s].database ? [REGISTRY[s].database.secret] : []));
      for (const n of r.nodes) {
        const service = n.name.slice(2) as ServiceId;
        const used = new Set<string>();
        for (const x of n.artifacts) {
          for (const text of [x.kind === 'file' ? x.content : x.run, (x as CommandArtifact).stdin ?? '', (x as CommandArtifact).check ?? '']) for (const s of secretsIn(text)) used.add(s);
          for (const s of (x as CommandArtifact).env ?? []) used.add(s);
        }
        const declared = new Set<string>([...secretsOf(service, { guideSamples: true, nodes: a.cloud.nodes }), ...(service === 'mariadb' ? dbSecrets : [])]);
        assert.deepEqual(
          SECRET_NAMES.filter((s) => used.has(s)),
          SECRET_NAMES.filter((s) => declared.has(s)),
          `${service}: rendered secrets vs. declared ones (secretsOf)`,
        );
      }
    });
  }

  it('is the only list of services: no other module enumerates service ids', () => {
    const ids = SERVICE_IDS.map((s) => `'${s}'`);
    const offenders: string[] = [];
    for (const rel of listFiles(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.startsWith(path.join('core', 'services')))) {
      const text = fs.readFileSync(path.join(ROOT, 'src', rel), 'utf8');
      // A list literal of mostly service ids, three or more, is an enumeration (a renderer may name a
      // service it configures; the weak-password list holds a few service names among other words).
      for (const m of text.matchAll(/\[[^\][]*\]/g)) {
        const items = m[0].split(',').length;
        const named = ids.filter((id) => m[0].includes(id));
        if (named.length >= 3 && named.length * 2 >= items) offenders.push(`${rel}: ${m[0].slice(0, 80)}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('derives the render order from `after`: every service after the ones it names, else in registry order', () => {
    assert.deepEqual([...RENDER_ORDER].sort(), [...SERVICE_IDS].sort());
    for (const s of SERVICE_IDS) for (const a of REGISTRY[s].after) assert.ok(RENDER_ORDER.indexOf(a) < RENDER_ORDER.indexOf(s), `${a} before ${s}`);
    // The guide's order is the dependency order: the registry lists the services that way.
    assert.deepEqual(RENDER_ORDER, SERVICE_IDS);
    for (const p of PROJECT_IDS)
      assert.ok(
        SERVICE_IDS.some((s) => REGISTRY[s].project === p),
        `project ${p} has a service`,
      );
  });

  it('every service of every role is available on every profile row, but Ceph on CentOS 7 (said on the line where it is placed)', () => {
    for (const p of PROFILES) for (const s of SERVICE_IDS) assert.equal(!!onProfile(p, s), p.id !== 'centos7/train' || REGISTRY[s].project !== 'ceph', `${s} on ${p.id}`);
    const text = fs.readFileSync(TRAIN, 'utf8').replace('    roles: [block]\n', '    roles: [block, ceph]\n    cephOsds: [{ size: 10G }]\n');
    const f = analyze(text, {}).findings.filter((x) => x.code === 'profile/service-unavailable');
    assert.deepEqual(
      f.map((x) => x.message).sort(),
      ['ceph-mgr', 'ceph-mon', 'ceph-osd'].map((s) => `\`${s}\` is not available on CentOS 7 / OpenStack Train (RDO): ostopo has no packages for it there.`),
    );
    assert.equal(text.split('\n')[f[0]!.range.start.line]!.trim(), 'roles: [block, ceph]');
  });

  it('a service without an entry for the profile row is an error where it is placed', () => {
    const entry = REGISTRY.etcd.profiles['debian12/zed'];
    delete REGISTRY.etcd.profiles['debian12/zed'];
    try {
      const text = fs.readFileSync(path.join(ROOT, 'examples', 'zed-debian12.ostopo.yaml'), 'utf8');
      const f = analyze(text, {}).findings.filter((x) => x.code === 'profile/service-unavailable');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /`etcd` is not available on Debian 12/);
      assert.equal(text.split('\n')[f[0].range.start.line].trim(), 'roles: [controller, network]');
    } finally {
      REGISTRY.etcd.profiles['debian12/zed'] = entry;
    }
  });

  it('a row that extends another takes its fields and, per service, its entries', () => {
    const zed = findProfile('debian12', 'zed')!;
    const child: Profile = extend(zed, { id: 'debian12/zed', os: 'debian12', release: 'zed', title: 'child', options: { novaLockPath: '/run/nova' } });
    assert.equal(child.extends, 'debian12/zed');
    assert.equal(child.options.novaLockPath, '/run/nova');
    assert.equal(child.options.glanceStores, zed.options.glanceStores, 'objects are merged key by key');
    assert.deepEqual(child.repository, zed.repository);
    // A row id without entries of its own (here: one the descriptors do not name) uses the parent's.
    const orphan = { ...child, id: 'debian13/2025.1' } as unknown as Profile;
    assert.deepEqual(onProfile(orphan, 'nova-api'), REGISTRY['nova-api'].profiles['debian12/zed']);
  });

  it('the snippets take their choices from the profile table and the registry', () => {
    const topology = SNIPPETS.Topology!.body.join('\n');
    assert.match(topology, /release: \$\{2\|2025\.1,zed,train\|\}/);
    assert.match(topology, /os: \$\{3\|debian13,debian12,centos7\|\}/);
    assert.match(SNIPPETS.Node!.body.join('\n'), /roles: \[\$\{3\|compute,block,ceph,network,controller\|\}\]/);
  });

  it('catalogFor decides, in one place, which option catalog a profile gets', () => {
    assert.deepEqual(catalogFor(findProfile('debian12', 'zed')), { release: 'zed', own: true });
    assert.deepEqual(catalogFor(findProfile('debian13', '2025.1')), { release: '2025.1', own: true });
    // Train has no catalog of its own: it borrows the nearest later release's (Zed, not 2025.1) for
    // completion and hover, and is not checked.
    assert.deepEqual(catalogFor(findProfile('centos7', 'train')), { release: 'zed', own: false });
    assert.equal(catalogFor(undefined), undefined);
    const text = fs.readFileSync(TRAIN, 'utf8').replace(/\nnodes:\n/, '\nconfig:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: true\n        no_such_option_here: 1\nnodes:\n');
    const a = analyze(text, {});
    assert.ok(!a.findings.some((f) => f.code === 'config/unknown-option'), "no check against another release's catalog");
    const line = text.split('\n').findIndex((l) => l.includes('debug: true'));
    const hover = hoverAt(a, { line, character: 10 });
    assert.match(hover?.markdown ?? '', /From the zed option catalog: train has none of its own/);
    assert.ok(analyzeFile(TRAIN).findings.every((f) => f.severity !== 'error'));
  });
});
