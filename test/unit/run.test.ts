import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../src/core/deploy/journal';
import { Masker } from '../../src/core/deploy/mask';
import { Remote, RemoteError } from '../../src/core/deploy/remote';
import { connectAll, CONNECTS_AT_ONCE, inOrder, limiter, RunOptions } from '../../src/core/deploy/run';
import { startRank } from '../../src/core/deploy/verify';
import { CheckArtifact } from '../../src/core/render/artifacts';
import { ResolvedNode } from '../../src/core/model';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connections of a run', () => {
  it("inOrder starts the items by rank, in their order within one, and reports every result in the items' order", async () => {
    const started: string[] = [];
    const reported: string[] = [];
    await inOrder(
      ['a', 'LAST', 'b', 'FIRST1', 'c', 'FIRST2', 'd'],
      2,
      async (x) => {
        started.push(x);
        await sleep(x.startsWith('FIRST') ? 30 : 5);
        return x;
      },
      (x) => reported.push(x),
      (x) => (x.startsWith('FIRST') ? -1 : x === 'LAST' ? 1 : 0),
    );
    assert.deepEqual(started, ['FIRST1', 'FIRST2', 'a', 'b', 'c', 'd', 'LAST']);
    assert.deepEqual(reported, ['a', 'LAST', 'b', 'FIRST1', 'c', 'FIRST2', 'd']);
  });

  it('verify starts the first of each exclusive chain first, and the checks with a time limit of their own last', () => {
    const check = (id: string, over: Partial<CheckArtifact> = {}): CheckArtifact => ({ kind: 'check', id, step: 's', service: 'base', title: id, run: 'true', ...over });
    const checks = [check('a'), check('sign-in-1', { exclusive: 'x' }), check('sign-in-2', { exclusive: 'x' }), check('launch', { timeoutMs: 900_000 }), check('b')];
    const rank = startRank(checks);
    assert.deepEqual(
      checks.map((c) => `${c.id} ${rank(c)}`),
      ['a 0', 'sign-in-1 -1', 'sign-in-2 0', 'launch 1', 'b 0'],
    );
  });

  it('a limiter runs at most n functions at a time, in the order given, and passes on results and errors', async () => {
    const run = limiter(3);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        run(async () => {
          started.push(i);
          most = Math.max(most, ++now);
          await sleep(i % 3 === 0 ? 15 : 5);
          now--;
          if (i === 4) throw new Error('four');
          return i * 2;
        }),
      ),
    );
    assert.equal(most, 3);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [0, 2, 4, 6, 'four', 10, 12, 14, 16, 18],
    );
  });

  it(`a run of 50 nodes opens at most ${CONNECTS_AT_ONCE} connections at once, reaches every node, and times each handshake alone`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-run-test-'));
    try {
      const nodes = Array.from({ length: 50 }, (_, i) => ({ name: `n${i}`, address: `127.0.0.${i + 2}` }) as ResolvedNode);
      let now = 0;
      let most = 0;
      const remote = (name: string) =>
        ({
          label: name,
          exec: async () => ({ code: 0, stdout: Buffer.from(`id-${name}\n`), stderr: '', ms: 0 }),
          close: () => undefined,
        }) as unknown as Remote;
      const events: { node?: string; ms?: number; ok?: boolean }[] = [];
      const o: RunOptions = {
        target: { nodes, secrets: new Map(), render: () => ({ name: 't', profile: 't', profileTitle: 't', nodes: [] }) },
        journal: Journal.open(dir, 't'),
        connect: async (n) => {
          most = Math.max(most, ++now);
          await sleep(20);
          now--;
          if (n.name === 'n7') throw new RemoteError('unreachable', 'n7: no SSH answer');
          return remote(n.name);
        },
        onEvent: (e) => e.type === 'connect' && events.push(e),
      };
      const out = await connectAll(
        o,
        nodes.map((n) => n.name),
        new Masker([]),
      );
      assert.equal(most, CONNECTS_AT_ONCE);
      assert.equal(out.size, 50);
      assert.ok(out.get('n7') instanceof RemoteError);
      assert.equal([...out.values()].filter((r) => !(r instanceof RemoteError)).length, 49);
      assert.equal(o.journal.node('n49').machineId, 'id-n49');
      // Four rounds of handshakes: the last waited for three, yet its own took about one.
      assert.equal(events.length, 50);
      assert.ok(Math.max(...events.map((e) => e.ms ?? 0)) < 60, JSON.stringify(events.map((e) => e.ms)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
