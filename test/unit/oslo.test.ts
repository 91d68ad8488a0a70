import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_FILES } from '../../src/core/services/registry';
import { render } from '../../src/core/compile';
import { FileArtifact } from '../../src/core/render/artifacts';
import { materialize } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { analyzeFile, DEBIAN_PYTHON, EPOXY, ROOT, TRAIN, ZED } from './helpers';

/**
 * The project's own check of rendered files with the real oslo.config (test/oslo/oslo_check.py), against
 * the option definitions of Debian 12's Zed packages and of Debian 13's 2025.1 packages kept beside it
 * (test/oslo/options/RELEASE, copies of the shared oslo-check data).
 */
const CHECKER = path.join(ROOT, 'test', 'oslo', 'oslo_check.py');
const INSTALL = 'apt-get install -y --no-install-recommends python3-oslo.config';

interface OsloFinding {
  level: 'ERROR' | 'WARNING';
  code: string;
  section: string | null;
  option: string | null;
  line: number | null;
  message: string;
}

interface OsloReport {
  service: string;
  file: string;
  errors: number;
  warnings: number;
  findings: OsloFinding[];
}

/** A file to check; `check` names its definitions: SERVICE/FILE (nova/nova.conf, neutron/ml2_conf.ini). */
interface Job {
  id: string;
  check: string;
  text: string;
}

/** Checks all jobs in one run of oslo_check.py (one Python start); the reports by job id. */
function osloCheck(jobs: Job[], release = 'zed'): Map<string, OsloReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-oslo-'));
  try {
    const args: string[] = [];
    jobs.forEach((j, i) => {
      const p = path.join(dir, `${i}-${path.basename(j.check)}`);
      fs.writeFileSync(p, j.text);
      args.push(j.check, p);
    });
    const r = spawnSync(DEBIAN_PYTHON, [CHECKER, '--options', path.join(ROOT, 'test', 'oslo', 'options', release), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.ok(r.status === 0 || r.status === 1, `oslo_check.py could not run (exit ${r.status}): ${r.error ?? r.stderr}`);
    const out = JSON.parse(r.stdout) as { errors: number; files: OsloReport[] };
    assert.equal(r.status, out.errors > 0 ? 1 : 0, 'exit status 1 exactly when a file has errors');
    assert.equal(out.files.length, jobs.length);
    return new Map(jobs.map((j, i) => [j.id, out.files[i]]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every oslo.config file of a rendered example, revealed (values as the service reads them). */
function osloFiles(example: string): { node: string; path: string; file: string; check: string; text: string }[] {
  const a = analyzeFile(example);
  const lookup = secretLookup(a.cloud.secrets);
  const out = [];
  for (const n of render(a).nodes) {
    for (const f of n.artifacts.filter((x): x is FileArtifact => x.kind === 'file' && x.language === 'ini')) {
      const def = CONFIG_FILES.find((d) => d.oslo && f.id.endsWith('/' + d.name));
      if (!def?.catalog) continue;
      const { service, file } = def.catalog;
      out.push({ node: n.name, path: f.path, file, check: `${service}/${file}`, text: materialize(f.content, lookup) });
    }
  }
  return out;
}

/**
 * Small bad files and exactly the findings the checker must give for each: what it claims to catch.
 * Each finding is `LEVEL code [section] option` and a pattern its message must match.
 */
const BAD: { name: string; check: string; text: string; expect: [string, RegExp][] }[] = [
  {
    name: 'an unknown option, with a did-you-mean',
    check: 'nova/nova.conf',
    text: '[database]\nconection = mysql+pymysql://nova:x@controller/nova\n',
    expect: [['ERROR unknown-option [database] conection', /did you mean connection\b/]],
  },
  {
    name: 'values of the wrong type, as oslo.config rejects them',
    check: 'glance/glance-api.conf',
    text: '[DEFAULT]\nworkers = many\ndebug = maybe\nbind_host = not an address!\n',
    expect: [
      ['ERROR invalid-value [DEFAULT] workers', /'many' \(integer value\): invalid literal for int\(\)/],
      ['ERROR invalid-value [DEFAULT] debug', /'maybe' \(boolean value\): Unexpected boolean value/],
      ['ERROR invalid-value [DEFAULT] bind_host', /\(host address value\): not an address! is not a valid host address/],
    ],
  },
  {
    name: 'a value that is not one of the choices',
    check: 'nova/nova.conf',
    text: '[libvirt]\nvirt_type = kvmm\n',
    expect: [['ERROR invalid-value [libvirt] virt_type', /Valid values are \[kvm, lxc, qemu, parallels\], but found 'kvmm'/]],
  },
  {
    name: 'a port and an integer out of range',
    check: 'nova/nova.conf',
    text: '[vnc]\nnovncproxy_port = 99999\n\n[DEFAULT]\nosapi_compute_workers = 0\n',
    expect: [
      ['ERROR invalid-value [vnc] novncproxy_port', /'99999' \(port value\): Should be less than or equal to 65535/],
      ['ERROR invalid-value [DEFAULT] osapi_compute_workers', /Should be greater than or equal to 1/],
    ],
  },
  {
    name: 'unknown sections, with a did-you-mean',
    check: 'placement/placement.conf',
    text: '[placement_databse]\nconnection = mysql+pymysql://placement:x@controller/placement\n\n[default]\ndebug = true\n',
    expect: [
      ['ERROR unknown-section [placement_databse] null', /did you mean \[placement_database\]/],
      ['ERROR unknown-section [default] null', /\[DEFAULT\], in upper case/],
    ],
  },
  {
    name: 'an auth_type section takes the options of its keystoneauth1 plugin, and only those',
    check: 'neutron/neutron.conf',
    text:
      '[nova]\nauth_type = token\nauth_url = http://controller:5000\ntoken = 0123abcd\nusername = nova\n\n' +
      '[placement]\nauth_type = password\nauth_url = http://controller:5000\nusrname = placement\npassword = x\n',
    expect: [
      ['ERROR unknown-option [nova] username', /keystoneauth1 plugins .*\bpassword\b.*\(here auth_type = token\)/],
      ['ERROR unknown-option [placement] usrname', /did you mean username\b/],
    ],
  },
  {
    name: 'an auth_type that names no keystoneauth1 plugin',
    check: 'nova/nova.conf',
    text: '[neutron]\nauth_type = pasword\nusername = neutron\n',
    expect: [['ERROR unknown-auth-plugin [neutron] auth_type', /no keystoneauth1 plugin 'pasword'; did you mean 'password'\?/]],
  },
  {
    name: "glance_store backend sections are the ones enabled_backends names, with their store's options",
    check: 'glance/glance-api.conf',
    text:
      '[DEFAULT]\nenabled_backends = fs:file, cold:fille\n\n[glance_store]\ndefault_backend = fs\n\n' +
      '[fs]\nfilesystem_store_datadir = /var/lib/glance/images/\nfilesystem_store_file_perm = rw\n\n[file]\nfilesystem_store_datadir = /srv\n',
    expect: [
      ['ERROR unknown-store [DEFAULT] enabled_backends', /backend 'cold': no glance_store driver 'fille'; did you mean 'file'\?/],
      ['ERROR invalid-value [fs] filesystem_store_file_perm', /'rw' \(integer value\)/],
      ['ERROR unknown-section [file] null', /not a section of glance glance-api\.conf/],
    ],
  },
  {
    name: "cinder backend sections are the ones enabled_backends names, with the volume drivers' options",
    check: 'cinder/cinder.conf',
    text: '[DEFAULT]\nenabled_backends = lvm\n\n[lvm]\nvolume_group = cinder-volumes\nvolume_grup = x\ntarget_protocol = iscsi\n\n[lvm2]\nvolume_group = y\n',
    expect: [
      ['ERROR unknown-option [lvm] volume_grup', /did you mean volume_group\b/],
      ['ERROR unknown-section [lvm2] null', /not a section of cinder cinder\.conf/],
    ],
  },
  {
    name: 'a multi-valued option written as repeated keys; any other key set twice is a warning',
    check: 'glance/glance-api.conf',
    text: '[DEFAULT]\nenabled_backends = fs:file\ndebug = true\ndebug = false\n\n[fs]\nfilesystem_store_datadirs = /srv/a:100\nfilesystem_store_datadirs = /srv/b:200\n',
    expect: [['WARNING duplicate-option [DEFAULT] debug', /set 2 times; it is not multi-valued: oslo.config reads the last one/]],
  },
  {
    name: "deprecated names are warnings that name the option to use (a keystoneauth1 plugin's too)",
    check: 'neutron/neutron.conf',
    text: '[DEFAULT]\nsql_connection = mysql+pymysql://neutron:x@controller/neutron\n\n[nova]\nauth_type = password\ntenant_name = service\n',
    expect: [
      ['WARNING deprecated-name [DEFAULT] sql_connection', /use \[database\] connection/],
      ['WARNING deprecated-name [nova] tenant_name', /use \[nova\] project_name/],
    ],
  },
  {
    name: 'options deprecated for removal are warnings',
    check: 'nova/nova.conf',
    text: '[glance]\napi_servers = http://controller:9292\n',
    expect: [['WARNING deprecated-for-removal [glance] api_servers', /deprecated for removal since 21\.0\.0: /]],
  },
  {
    name: 'a $reference to no option; one to an option is substituted',
    check: 'nova/nova.conf',
    text: '[DEFAULT]\nlog_dir = $nonexistent/log\n\n[oslo_concurrency]\nlock_path = $state_path/tmp\n',
    expect: [['ERROR invalid-value [DEFAULT] log_dir', /a \$reference names no option \(no such option nonexistent/]],
  },
  {
    name: 'a file that oslo.config cannot parse',
    check: 'keystone/keystone.conf',
    text: '[token]\nprovider = fernet\n\n[DEFAULT\ndebug = true\n',
    expect: [['ERROR parse-error [null] null', /at .*:4, Invalid section \(must end with \]\)/]],
  },
];

describe('rendered configs against the real oslo.config option definitions (test/oslo)', function () {
  this.timeout(60000);
  let zed: ReturnType<typeof osloFiles>;
  let train: ReturnType<typeof osloFiles>;
  let reports: Map<string, OsloReport>;

  before(function () {
    const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import oslo_config'], { encoding: 'utf8' });
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop();
    assert.equal(probe.status, 0, `${DEBIAN_PYTHON} cannot import oslo_config (${why}); install it: ${INSTALL}`);
    zed = osloFiles(ZED);
    train = osloFiles(TRAIN);
    // Both examples and every bad file in one run of the checker.
    reports = osloCheck([
      ...zed.map((f) => ({ id: `zed ${f.node}:${f.path}`, check: f.check, text: f.text })),
      ...train.map((f) => ({ id: `train ${f.node}:${f.path}`, check: f.check, text: f.text })),
      ...BAD.map((b) => ({ id: `bad ${b.name}`, check: b.check, text: b.text })),
    ]);
  });

  it('Debian 12 / Zed: every rendered oslo file has zero errors', () => {
    assert.deepEqual(zed.map((f) => `${f.node}:${f.path}`).sort(), [
      'compute1:/etc/neutron/neutron.conf',
      'compute1:/etc/neutron/plugins/ml2/linuxbridge_agent.ini',
      'compute1:/etc/nova/nova-compute.conf',
      'compute1:/etc/nova/nova.conf',
      'controller:/etc/glance/glance-api.conf',
      'controller:/etc/keystone/keystone.conf',
      'controller:/etc/neutron/dhcp_agent.ini',
      'controller:/etc/neutron/l3_agent.ini',
      'controller:/etc/neutron/metadata_agent.ini',
      'controller:/etc/neutron/neutron.conf',
      'controller:/etc/neutron/plugins/ml2/linuxbridge_agent.ini',
      'controller:/etc/neutron/plugins/ml2/ml2_conf.ini',
      'controller:/etc/nova/nova.conf',
      'controller:/etc/placement/placement.conf',
    ]);
    for (const f of zed) {
      const errors = reports.get(`zed ${f.node}:${f.path}`)!.findings.filter((x) => x.level === 'ERROR');
      assert.deepEqual(errors, [], `${f.node} ${f.path}`);
    }
  });

  it('CentOS 7 / Train: zero errors but the options Zed removed, listed here', () => {
    // Train options that Zed no longer has: expected unknown to the Zed definitions.
    const removedInZed = new Set(['nova.conf [DEFAULT] use_neutron', 'nova.conf [DEFAULT] firewall_driver', 'neutron.conf [DEFAULT] allow_overlapping_ips']);
    const seen = new Set<string>();
    for (const f of train) {
      for (const e of reports.get(`train ${f.node}:${f.path}`)!.findings.filter((x) => x.level === 'ERROR')) {
        const id = `${f.file} [${e.section}] ${e.option}`;
        assert.ok(removedInZed.has(id) && e.code === 'unknown-option', `${f.node} ${id}: ${e.code} ${e.message}`);
        seen.add(id);
      }
    }
    assert.deepEqual([...seen].sort(), [...removedInZed].sort(), 'the expected findings are really there');
  });

  it('Debian 13 / 2025.1: every rendered oslo file has zero errors and zero warnings (no deprecated option)', () => {
    const epoxy = osloFiles(EPOXY);
    // The same files, but the Open vSwitch agent's for the Linux bridge agent's (2025.1 has no Linux bridge),
    // and cinder's (block1, with Ceph RBD).
    assert.deepEqual(
      epoxy.map((f) => `${f.node}:${f.path}`).sort(),
      [...zed.map((f) => `${f.node}:${f.path}`.replace('linuxbridge_agent', 'openvswitch_agent')), 'block1:/etc/cinder/cinder.conf', 'controller:/etc/cinder/cinder.conf'].sort(),
    );
    assert.match(epoxy.find((f) => f.node === 'block1')!.text, /^\[ceph\]\nvolume_driver = cinder\.volume\.drivers\.rbd\.RBDDriver$/m);
    const r = osloCheck(
      epoxy.map((f) => ({ id: `${f.node}:${f.path}`, check: f.check, text: f.text })),
      '2025.1',
    );
    for (const f of epoxy) assert.deepEqual(r.get(`${f.node}:${f.path}`)!.findings, [], `${f.node} ${f.path}`);
  });

  it("Debian 13 / 2025.1 with Open vSwitch's userspace datapath: the agents' files have zero errors and zero warnings", () => {
    const text = fs.readFileSync(EPOXY, 'utf8').replace(/^ {2}selfservice:$/m, '  ovsDatapath: netdev\n  selfservice:');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-netdev-'));
    try {
      const p = path.join(dir, 'netdev.ostopo.yaml');
      fs.writeFileSync(p, text);
      const files = osloFiles(p).filter((f) => /openvswitch_agent|dhcp_agent|l3_agent/.test(f.path));
      assert.ok(files.some((f) => f.text.includes('datapath_type = netdev')) && files.some((f) => f.text.includes('ovs_use_veth = true')), 'the datapath settings are in the files checked');
      const r = osloCheck(
        files.map((f) => ({ id: `${f.node}:${f.path}`, check: f.check, text: f.text })),
        '2025.1',
      );
      for (const f of files) assert.deepEqual(r.get(`${f.node}:${f.path}`)!.findings, [], `${f.node} ${f.path}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a block storage node (the guide's block1, LVM): cinder.conf of the controller and of block1, and nova's [cinder], zero errors and warnings on Zed and 2025.1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-block-'));
    try {
      for (const [example, release] of [
        [ZED, 'zed'],
        [EPOXY, '2025.1'],
      ] as const) {
        const p = path.join(dir, `${release}.ostopo.yaml`);
        // The example's own block1 (Ceph) and its secrets out: this one is the guide's, with LVM.
        const text = fs
          .readFileSync(example, 'utf8')
          .replace(/^ {2}#[^\n]*\n {2}#[^\n]*\n {2}block1:\n( {4}[^\n]*\n)*/m, '')
          .replace(/^ {2}(CINDER|CEPH)_[A-Z_]+: [^\n]*\n|^ {2}# Ceph's keys[^\n]*\n/gm, '')
          .replace(/^# glance keeps images in Ceph[^\n]*\nstorage:\n( {2}[^\n]*\n)*/m, '')
          .replace(/^nodes:$/m, 'nodes:\n  block1:\n    address: 10.0.0.41\n    roles: [block]\n    lvmDevices: [/dev/sdb]')
          .replace(/^secrets:$/m, 'secrets:\n  CINDER_DBPASS: Cinder-Db-Example-Pass\n  CINDER_PASS: Cinder-Example-Pass');
        fs.writeFileSync(p, text);
        const files = osloFiles(p).filter((f) => f.path === '/etc/cinder/cinder.conf' || f.path === '/etc/nova/nova.conf');
        assert.deepEqual(files.map((f) => `${f.node}:${f.path}`).sort(), [
          'block1:/etc/cinder/cinder.conf',
          'compute1:/etc/nova/nova.conf',
          'controller:/etc/cinder/cinder.conf',
          'controller:/etc/nova/nova.conf',
        ]);
        const block = files.find((f) => f.node === 'block1')!.text;
        assert.match(block, /^\[lvm\]\nvolume_driver = cinder\.volume\.drivers\.lvm\.LVMVolumeDriver\nvolume_group = cinder-volumes\ntarget_protocol = iscsi\ntarget_helper = tgtadm\n/m);
        for (const f of files.filter((x) => x.path.includes('nova'))) assert.match(f.text, /^\[cinder\]\nos_region_name = RegionOne$/m, f.node);
        const r = osloCheck(
          files.map((f) => ({ id: `${f.node}:${f.path}`, check: f.check, text: f.text })),
          release,
        );
        for (const f of files) {
          const findings = r.get(`${f.node}:${f.path}`)!.findings.filter((x) => !(release === 'zed' && f.path.includes('nova') && x.code === 'deprecated-for-removal'));
          assert.deepEqual(findings, [], `${release} ${f.node} ${f.path}`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the checker catches what it claims', () => {
    for (const b of BAD) {
      it(b.name, () => {
        const r = reports.get(`bad ${b.name}`)!;
        const got = r.findings.map((f) => `${f.level} ${f.code} [${f.section}] ${f.option}`);
        assert.deepEqual(
          got,
          b.expect.map(([id]) => id),
          JSON.stringify(r.findings, null, 1),
        );
        b.expect.forEach(([, re], i) => assert.match(r.findings[i].message, re));
        for (const f of r.findings) assert.ok(Number.isInteger(f.line) && f.line! > 0, `a line for ${f.code}`);
      });
    }
  });

  it('cannot run (exit 2, no report) on an unknown service or file, or without oslo.config, and says how to install it', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-oslo-'));
    try {
      const p = path.join(tmp, 'x.conf');
      fs.writeFileSync(p, '[DEFAULT]\n');
      const run = (...args: string[]) => spawnSync(DEBIAN_PYTHON, args, { encoding: 'utf8' });
      const svc = run(CHECKER, 'swift', p);
      assert.equal(svc.status, 2);
      assert.match(svc.stderr, /no option data for service 'swift' .*\(have: cinder, glance, keystone, neutron, nova, placement\)/);
      const file = run(CHECKER, 'neutron/l2_agent.ini', p);
      assert.equal(file.status, 2);
      assert.match(file.stderr, /service neutron has no file 'l2_agent.ini' \(have: neutron.conf, ml2_conf.ini/);
      assert.equal(run(CHECKER, 'nova', path.join(tmp, 'missing.conf')).status, 2);
      // -S: no site packages, so no oslo.config
      const bare = run('-S', CHECKER, 'nova', p);
      assert.equal(bare.status, 2);
      assert.ok(bare.stderr.includes(INSTALL), bare.stderr);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
