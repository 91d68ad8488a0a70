import * as assert from 'node:assert/strict';
import { analyze, render } from '../../src/core/compile';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../src/core/deploy/journal';
import { buildPlan, decideCommand, decideFile, planText } from '../../src/core/deploy/plan';
import { CommandArtifact, FileArtifact, RenderedCloud } from '../../src/core/render/artifacts';
import { analyzeFile, minimal, TRAIN, ZED } from './helpers';

describe('the deploy plan', () => {
  it('every `after` names a step of the plan, else the plan is refused', () => {
    const r = render(analyzeFile(ZED));
    assert.ok(buildPlan(r).nodes.length === 2);
    const broken: RenderedCloud = JSON.parse(JSON.stringify(r));
    const cmd = broken.nodes[1].artifacts.find((a) => a.kind === 'command')!;
    if (cmd.kind === 'command') cmd.after = [{ node: 'controller', step: 'no-such-step' }];
    assert.throws(() => buildPlan(broken), /waits for controller\/no-such-step, which is no step of the plan/);
  });

  it("cell discovery waits for each compute node's nova step, also where it runs a control service", () => {
    const text = minimal().replace(
      /nodes:[\s\S]*$/,
      'nodes:\n  controller:\n    address: 10.0.0.11\n    services: [chrony, mariadb, rabbitmq, memcached, keystone, glance, placement, nova-api, nova-conductor, nova-novncproxy, neutron-server]\n  c1:\n    address: 10.0.0.31\n    services: [chrony, nova-scheduler, nova-compute]\n  c2:\n    address: 10.0.0.32\n    roles: [compute]\n',
    );
    const a = analyze(text, {});
    assert.deepEqual(
      a.findings.filter((f) => f.severity === 'error'),
      [],
    );
    const plan = buildPlan(render(a));
    const cells = plan.nodes.find((n) => n.name === 'controller')!.steps.find((s) => s.step === 'nova-cells')!;
    assert.deepEqual(cells.after.sort(), ['c1/nova-controller', 'c2/nova-compute']);
  });

  it('both examples plan without a dangling edge', () => {
    for (const f of [TRAIN, ZED]) assert.ok(buildPlan(render(analyzeFile(f))).nodes.every((n) => n.steps.length > 0));
  });

  it('one decision per file and command: plan (journal only) and deploy (node state) apply the same rules', () => {
    const f = { kind: 'file', id: 's/f', step: 's', service: 'base', path: '/etc/f', owner: 'root', group: 'root', mode: '0644', language: 'plaintext', content: 'x', description: '' } as FileArtifact;
    const node = (sha256: string, mode = '0644') => ({ sha256, owner: 'root', group: 'root', mode });
    assert.equal(decideFile(f, 'A', undefined, 'unknown', false).mark, '+');
    assert.equal(decideFile(f, 'A', { sha256: 'B' }, 'unknown', false).mark, '~');
    assert.equal(decideFile(f, 'A', { sha256: 'A' }, 'unknown', false).action, 'keep');
    assert.equal(decideFile(f, 'A', { sha256: 'A' }, node('A'), false).action, 'keep');
    assert.equal(decideFile(f, 'A', { sha256: 'A' }, node('A', '0600'), false).action, 'write', 'permissions differ');
    assert.equal(decideFile(f, 'A', { sha256: 'A' }, node('C'), false).action, 'drift', 'changed on the node since ostopo wrote it');
    assert.equal(decideFile(f, 'A', { sha256: 'A' }, node('C'), true).action, 'write', '--force');
    assert.deepEqual(decideFile(f, 'A', undefined, undefined, false), { action: 'write', mark: '+', why: 'new file' });

    const c = { kind: 'command', id: 's/c', step: 's', service: 'base', title: 't', run: 'r' } as CommandArtifact;
    const checked = { ...c, check: 'test -e x' };
    const none = new Set<string>();
    assert.equal(decideCommand(c, 'h', undefined, none, 'unknown', false).why, 'not run yet');
    assert.equal(decideCommand(c, 'h', { hash: 'h' }, none, 'unknown', false).action, 'skip');
    assert.equal(decideCommand(c, 'h', { hash: 'g' }, none, 'unknown', false).why, 'its input changed');
    assert.equal(decideCommand({ ...c, onChange: ['s/f'] }, 'h', { hash: 'h' }, new Set(['s/f']), 'unknown', false).why, 's/f changes');
    // A check is asked on the node: plan cannot know; deploy asks, then decides with the answer.
    assert.equal(decideCommand(checked, 'h', { hash: 'h' }, none, 'unknown', false).action, 'ask');
    assert.equal(decideCommand(checked, 'h', { hash: 'h' }, none, 'unknown', false).mark, '=');
    assert.equal(decideCommand(checked, 'h', undefined, none, true, false).record, true);
    assert.equal(decideCommand(checked, 'h', { hash: 'h' }, none, false, false).action, 'run');
    // API checks take seconds: the journal vouches, unless asked to recheck.
    assert.equal(decideCommand({ ...checked, trustJournal: true }, 'h', { hash: 'h' }, none, 'unknown', false).action, 'skip');
    assert.equal(decideCommand({ ...checked, trustJournal: true }, 'h', { hash: 'h' }, none, 'unknown', true).action, 'ask');
  });

  it('a file an earlier deploy wrote that is no longer rendered is listed, never silently left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-plan-'));
    try {
      const a = analyzeFile(ZED);
      const plan = buildPlan(render(a));
      const j = Journal.open(dir, a.cloud.name);
      j.node('controller').files['/etc/old-thing.conf'] = { sha256: 'x', at: '2026-01-01T00:00:00Z' };
      const text = planText(plan, j, () => 'v');
      assert.match(text, /\n {2}- \/etc\/old-thing\.conf {3}— no longer rendered: the deploy leaves it on the node as it is and forgets it\n/);
      assert.match(text, /1 file\(s\) written by an earlier deploy are no longer rendered/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
