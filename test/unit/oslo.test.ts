import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_FILES } from '../../src/core/catalog';
import { render } from '../../src/core/compile';
import { FileArtifact } from '../../src/core/render/artifacts';
import { materialize } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { analyzeFile, DEBIAN_PYTHON, SHARED, TRAIN, ZED } from './helpers';

interface OsloFinding {
  level: 'ERROR' | 'WARNING' | 'INFO';
  code: string;
  section: string | null;
  option: string | null;
  line: number | null;
  message: string;
}

const VALIDATOR = path.join(SHARED, 'oslo-check', 'validate.py');

/** Runs the real oslo.config option definitions (../shared/oslo-check) over one rendered file. */
function osloCheck(service: string, file: string, text: string): OsloFinding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-oslo-'));
  try {
    const p = path.join(dir, file);
    fs.writeFileSync(p, text);
    const r = spawnSync(DEBIAN_PYTHON, [VALIDATOR, service, p, '--file', file, '--mode', 'fast', '--json'], { encoding: 'utf8' });
    assert.notEqual(r.status, 2, `oslo-check could not run on ${file}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { findings: OsloFinding[] }).findings;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every oslo.config file of a rendered example, revealed (values as the service reads them). */
function osloFiles(example: string): { node: string; path: string; service: string; file: string; text: string }[] {
  const a = analyzeFile(example);
  const lookup = secretLookup(a.cloud.secrets);
  const out = [];
  for (const n of render(a).nodes) {
    for (const f of n.artifacts.filter((x): x is FileArtifact => x.kind === 'file' && x.language === 'ini')) {
      const def = CONFIG_FILES.find((d) => d.oslo && f.id.endsWith('/' + d.name));
      if (!def?.catalog) continue;
      out.push({ node: n.name, path: f.path, service: def.catalog.service, file: def.catalog.file, text: materialize(f.content, lookup) });
    }
  }
  return out;
}

describe('rendered configs against the real oslo.config option definitions (shared/oslo-check)', function () {
  this.timeout(120000);

  before(function () {
    assert.ok(fs.existsSync(VALIDATOR), `oslo-check not found at ${VALIDATOR}: set OSTOPO_SHARED to the shared folder`);
    const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import oslo_config'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `${DEBIAN_PYTHON} cannot import oslo_config: apt-get install python3-oslo.config (.ci/run does)`);
    execFileSync(DEBIAN_PYTHON, ['--version']);
  });

  it('Debian 12 / Zed: every rendered oslo file has zero errors', () => {
    const files = osloFiles(ZED);
    assert.deepEqual(files.map((f) => `${f.node}:${f.path}`).sort(), [
      'compute1:/etc/nova/nova-compute.conf',
      'compute1:/etc/nova/nova.conf',
      'controller:/etc/glance/glance-api.conf',
      'controller:/etc/keystone/keystone.conf',
      'controller:/etc/neutron/neutron.conf',
      'controller:/etc/neutron/plugins/ml2/ml2_conf.ini',
      'controller:/etc/nova/nova.conf',
      'controller:/etc/placement/placement.conf',
    ]);
    for (const f of files) {
      const errors = osloCheck(f.service, f.file, f.text).filter((x) => x.level === 'ERROR');
      assert.deepEqual(errors, [], `${f.node} ${f.path}`);
    }
  });

  it('CentOS 7 / Train: zero errors but the options Zed removed, listed here', () => {
    // Train options that Zed no longer has: expected unknown to the Zed definitions.
    const removedInZed = new Set(['nova.conf [DEFAULT] use_neutron', 'nova.conf [DEFAULT] firewall_driver']);
    const seen = new Set<string>();
    for (const f of osloFiles(TRAIN)) {
      for (const e of osloCheck(f.service, f.file, f.text).filter((x) => x.level === 'ERROR')) {
        const id = `${f.file} [${e.section}] ${e.option}`;
        assert.ok(removedInZed.has(id) && e.code === 'unknown-option', `${f.node} ${id}: ${e.code} ${e.message}`);
        seen.add(id);
      }
    }
    assert.deepEqual([...seen].sort(), [...removedInZed].sort(), 'the expected findings are really there');
  });
});
