import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareWithNode } from '../../src/core/deploy/compare';
import { deploy, DeployOptions, DeployTarget, verify } from '../../src/core/deploy/engine';
import { DeployEvent, formatEvent } from '../../src/core/deploy/events';
import { Journal } from '../../src/core/deploy/journal';
import { fingerprint } from '../../src/core/deploy/knownHosts';
import { RemoteError, SshRemote } from '../../src/core/deploy/remote';
import { resolveSshTarget } from '../../src/core/deploy/sshConfig';
import { ResolvedNode, SecretValue } from '../../src/core/model';
import { Artifact, RenderedCloud } from '../../src/core/render/artifacts';
import { secretRef } from '../../src/core/render/template';
import { silentServer, TestSshd } from '../support/sshd';

/** Deploy and verify against a real OpenSSH server on loopback, with artificial step lists in a temp folder. */
describe('deploy over SSH (real sshd)', function () {
  // Every exec is a new session of root's login shell, whose rc files may be slow (pyenv on the CI
  // machine: 1-3 s each under load): the tests are about behaviour, not speed (bench/ measures that).
  this.timeout(180000);
  let sshd: TestSshd;
  let work: string;
  let state: string;
  const SECRET = `S3cret'$(touch /tmp/ostopo-pwned)"x`;

  before(async () => {
    sshd = await TestSshd.start('127.0.0.2');
  });
  after(() => sshd?.stop());
  // The "node" is this machine: each test run locks its own file, not /var/lib/ostopo (other runs may share the host).
  const nodeLock = () => path.join(sshd.dir, 'node.lock');
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-deploy-'));
    state = path.join(work, '.ostopo');
    fs.rmSync('/tmp/ostopo-pwned', { force: true });
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const nodeOf = (name: string, over: Partial<ResolvedNode['ssh']> = {}, address = sshd.host): ResolvedNode => ({
    name,
    hostname: name,
    address,
    overlayAddress: address,
    lvmDevices: [],
    cephOsds: [],
    roles: [],
    services: [],
    ssh: { user: 'root', port: sshd.port, identityFile: sshd.clientKey, knownHostsFile: sshd.knownHosts, ...over },
    config: {},
  });

  const secrets = () => new Map<string, SecretValue>([['APP_PASS', { name: 'APP_PASS', raw: SECRET, value: SECRET }]]);

  function target(artifacts: (root: string) => Artifact[], nodes = [nodeOf('n1')]): DeployTarget {
    return {
      nodes,
      secrets: secrets(),
      render: (): RenderedCloud => ({
        name: 't',
        profile: 'test',
        profileTitle: 'test',
        nodes: nodes.map((n) => ({ name: n.name, address: n.address, artifacts: artifacts(path.join(work, 'root', n.name)) })),
      }),
    };
  }

  function run(t: DeployTarget, extra: Partial<DeployOptions> = {}) {
    const events: DeployEvent[] = [];
    const journal = Journal.open(state, 't');
    const projectKnownHosts = path.join(state, 'known_hosts');
    const p = deploy({
      target: t,
      journal,
      connect: (n, signal) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, signal, nodeLock: nodeLock() }),
      onEvent: (e) => events.push(e),
      ...extra,
    });
    return {
      p,
      events,
      journal,
      text: () =>
        events
          .map((e) => formatEvent(e, { color: false, verbose: true }))
          .filter(Boolean)
          .join('\n'),
    };
  }

  const basic = (root: string): Artifact[] => [
    {
      kind: 'file',
      id: 'app/conf',
      step: 'app',
      service: 'base',
      path: `${root}/etc/app dir/app.conf`,
      owner: 'root',
      group: 'root',
      mode: '0640',
      language: 'ini',
      content: `[auth]\npassword = ${secretRef('APP_PASS')}\n`,
      description: 'app config',
    },
    { kind: 'command', id: 'app/marker', step: 'app', service: 'base', title: 'create the marker', run: `touch '${root}/marker'`, check: `test -e '${root}/marker'` },
    { kind: 'command', id: 'app/count', step: 'app', service: 'base', title: 'count runs', run: `echo run >> '${root}/count'\nprintf '%s' "$APP_PASS" > '${root}/secret-seen'`, env: ['APP_PASS'] },
    { kind: 'command', id: 'app/restart', step: 'app', service: 'base', title: 'restart on config change', run: `echo restart >> '${root}/restarts'`, check: 'true', onChange: ['app/conf'] },
    { kind: 'check', id: 'app/verify', step: 'app', service: 'base', title: 'marker exists', run: `ls '${root}/marker'`, expect: 'marker' },
  ];

  // Round trips are counted: a connection whose calls are recorded.
  const counted = (calls: string[]) => async (n: Parameters<typeof resolveSshTarget>[0], signal?: AbortSignal) => {
    const projectKnownHosts = path.join(state, 'known_hosts');
    const remote = await SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, signal, nodeLock: nodeLock() });
    return new Proxy(remote, {
      get: (t, p) => {
        const v = Reflect.get(t, p, t);
        if (typeof v !== 'function') return v;
        return (...a: unknown[]) => {
          if (['exec', 'survey', 'readFile', 'writeFile'].includes(String(p))) calls.push(String(p));
          return (v as (...x: unknown[]) => unknown).apply(t, a);
        };
      },
    });
  };

  it('uploads atomically, runs commands with secrets through stdin, and a re-run changes nothing', async () => {
    const first: string[] = [];
    const r1 = run(target(basic), { connect: counted(first) });
    const res1 = await r1.p;
    // The step's survey saw the file absent: it is written without asking the node again.
    assert.deepEqual(first.slice(0, 2), ['survey', 'writeFile'], first.join(' '));
    assert.equal(res1.ok, true, r1.text());
    const root = path.join(work, 'root', 'n1');
    const conf = path.join(root, 'etc/app dir/app.conf');
    assert.equal(fs.readFileSync(conf, 'utf8'), `[auth]\npassword = ${SECRET}\n`);
    assert.equal(fs.statSync(conf).mode & 0o777, 0o640);
    assert.equal(fs.readFileSync(path.join(root, 'secret-seen'), 'utf8'), SECRET, 'the secret reaches the command intact');
    assert.ok(!fs.existsSync('/tmp/ostopo-pwned'), 'nothing in the secret was executed');
    assert.equal(fs.readFileSync(path.join(root, 'restarts'), 'utf8'), 'restart\n', 'a changed file triggers its onChange command');
    assert.equal(res1.changed, 4);

    // A converged re-run asks each node once per step (one survey) besides who it is: count the round trips.
    const calls: string[] = [];
    const r2 = run(target(basic), { connect: counted(calls) });
    const res2 = await r2.p;
    assert.equal(res2.ok, true, r2.text());
    assert.equal(res2.changed, 0, r2.text());
    assert.equal(fs.readFileSync(path.join(root, 'count'), 'utf8'), 'run\n', 'a command without a check runs once (journal)');
    assert.equal(fs.readFileSync(path.join(root, 'restarts'), 'utf8'), 'restart\n');
    assert.ok(!fs.existsSync(`${conf}.ostopo.bak`), 'an unchanged file is not rewritten');
    assert.deepEqual(calls, ['survey'], 'one survey for the one step (the lock said the machine-id)');

    const all = r1.text() + r2.text() + fs.readFileSync(path.join(state, 't', 'journal.json'), 'utf8');
    assert.ok(!all.includes(SECRET), 'no secret in events or the journal');
  });

  it('a changed file keeps a backup; drift on the node is shown as a diff and kept unless forced', async () => {
    assert.equal((await run(target(basic)).p).ok, true);
    const conf = path.join(work, 'root', 'n1', 'etc/app dir/app.conf');
    fs.appendFileSync(conf, 'edited = by hand\n');
    const r = run(target(basic));
    const res = await r.p;
    assert.equal(res.ok, false);
    assert.match(r.text(), /changed on the node since ostopo wrote it \(drift\)/);
    assert.match(r.text(), /^\s+-edited = by hand$/m);
    assert.match(r.text(), /password = <secret:APP_PASS>/, 'the diff is masked');
    assert.ok(!r.text().includes(SECRET.slice(0, 10)));
    assert.match(fs.readFileSync(conf, 'utf8'), /edited = by hand/, 'the edited file is kept');

    // plan --check (a dry run) compares and reports the drift, and goes on: it changes nothing.
    const dry = run(target(basic), { dryRun: true });
    const dres = await dry.p;
    assert.equal(dres.ok, true, dry.text());
    assert.deepEqual(dres.drifted, [`n1:${conf}`]);
    assert.match(dry.text(), /^\s+-edited = by hand$/m);
    assert.match(dry.text(), /1 file\(s\) changed on their node since ostopo wrote them .*: a deploy stops there unless --force/);
    assert.match(fs.readFileSync(conf, 'utf8'), /edited = by hand/, 'a dry run writes nothing');

    const f = run(target(basic), { force: true });
    assert.equal((await f.p).ok, true, f.text());
    assert.doesNotMatch(fs.readFileSync(conf, 'utf8'), /edited/);
    assert.match(fs.readFileSync(`${conf}.ostopo.bak`, 'utf8'), /edited = by hand/, 'the previous content is the backup');
  });

  it('Compare with the node: the live file beside the rendered one, both masked, an old secret value too; the metadata; a file not there yet', async () => {
    const t = target(basic);
    const projectKnownHosts = path.join(state, 'known_hosts');
    const connect = (n: ResolvedNode, signal?: AbortSignal) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, signal, nodeLock: nodeLock() });
    const conf = path.join(work, 'root', 'n1', 'etc/app dir/app.conf');
    const missing = await compareWithNode({ target: t, connect }, 'n1', conf);
    assert.deepEqual([missing.live, missing.rendered], [undefined, '[auth]\npassword = <secret:APP_PASS>\n']);
    assert.equal((await run(t).p).ok, true);
    const same = await compareWithNode({ target: t, connect }, 'n1', conf);
    assert.deepEqual([same.live, same.metadata], [same.rendered, undefined]);
    // By hand: an old password, a line added, the mode changed.
    const OLD = 'Old-Pass-Nobody-Should-See';
    fs.writeFileSync(conf, `[auth]\npassword = ${OLD}\nedited = by hand\n`);
    fs.chmodSync(conf, 0o644);
    const c = await compareWithNode({ target: t, connect }, 'n1', conf);
    assert.equal(c.live, '[auth]\npassword = <secret:APP_PASS, another value>\nedited = by hand\n');
    assert.match(c.metadata ?? '', /^root:root 0644 on the node, root:root 0640 rendered$/);
    // The deploy's drift diff masks the old value the same way.
    const r = run(t);
    assert.equal((await r.p).ok, false);
    assert.match(r.text(), /^\s+-password = <secret:APP_PASS, another value>$/m);
    assert.ok(!r.text().includes(OLD) && !JSON.stringify(c).includes(OLD) && !JSON.stringify(c).includes(SECRET.slice(0, 8)));
    await assert.rejects(compareWithNode({ target: t, connect }, 'n1', '/RUNBOOK.sh'), /the runbook is not written to the node/);
    await assert.rejects(compareWithNode({ target: t, connect }, 'n2', conf), /no node 'n2'/);
  });

  it("a managed block: the rest of the file is the node's, edits there are no drift, the block is replaced in place", async () => {
    const block = { begin: '# BEGIN ostopo', end: '# END ostopo', initial: '127.0.0.1 localhost\n' };
    let names = '10.0.0.11 controller\n';
    const hosts = (root: string): Artifact[] => [
      {
        kind: 'file',
        id: 'hosts/hosts',
        step: 'hosts',
        service: 'base',
        path: `${root}/etc/hosts`,
        owner: 'root',
        group: 'root',
        mode: '0644',
        language: 'hosts',
        content: `${block.begin}\n${names}${block.end}\n`,
        block,
        description: 'hosts',
      },
    ];
    const file = path.join(work, 'root', 'n1', 'etc', 'hosts');
    // A new file: the block, then the initial lines.
    assert.equal((await run(target(hosts)).p).ok, true);
    assert.equal(fs.readFileSync(file, 'utf8'), '# BEGIN ostopo\n10.0.0.11 controller\n# END ostopo\n127.0.0.1 localhost\n');
    // Another tool adds lines before and after: not drift, nothing to do, its lines stay.
    fs.writeFileSync(file, `127.0.1.1 controller\n${fs.readFileSync(file, 'utf8')}10.9.9.9 other # testnodes\n`);
    const same = run(target(hosts));
    assert.equal((await same.p).changed, 0, same.text());
    // The topology changes: the block is replaced where it is, everything else is kept.
    names = '10.0.0.11 controller\n10.0.0.31 compute1\n';
    const changed = run(target(hosts));
    assert.equal((await changed.p).ok, true, changed.text());
    assert.equal(fs.readFileSync(file, 'utf8'), '127.0.1.1 controller\n# BEGIN ostopo\n10.0.0.11 controller\n10.0.0.31 compute1\n# END ostopo\n127.0.0.1 localhost\n10.9.9.9 other # testnodes\n');
    // An edit inside the block is drift: shown as a diff of the block alone, kept unless forced.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('10.0.0.31 compute1', '10.0.0.99 compute1'));
    const drift = run(target(hosts));
    assert.equal((await drift.p).ok, false);
    assert.match(drift.text(), /etc\/hosts, ostopo's block \(on n1\)/);
    assert.match(drift.text(), /^\s+-10\.0\.0\.99 compute1$/m);
    assert.doesNotMatch(drift.text(), /10\.9\.9\.9/, 'the lines outside the block are not part of the diff');
    // A begin marker without an end: refused, the file left whole.
    const broken = '127.0.1.1 controller\n# BEGIN ostopo\n10.0.0.11 controller\n10.9.9.9 other\n';
    fs.writeFileSync(file, broken);
    const refused = run(target(hosts), { force: true });
    assert.equal((await refused.p).ok, false);
    assert.match(refused.text(), /has the line "# BEGIN ostopo" but no "# END ostopo" after it/);
    assert.equal(fs.readFileSync(file, 'utf8'), broken);
    // A file without a block (written by someone else): the block goes on top.
    fs.writeFileSync(file, '127.0.0.1 localhost\n');
    assert.equal((await run(target(hosts), { force: true }).p).ok, true);
    assert.equal(fs.readFileSync(file, 'utf8'), '# BEGIN ostopo\n10.0.0.11 controller\n10.0.0.31 compute1\n# END ostopo\n127.0.0.1 localhost\n');
  });

  it('one run per node: a second workstation is refused with who deploys it; the lock ends with the run or its connection', async () => {
    // Says it started, then waits for a flag (at most 30 s). The id varies so that the journal never skips it.
    let runs = 0;
    const slow = (root: string): Artifact[] => [
      {
        kind: 'command',
        id: `s/wait-${++runs}`,
        step: 's',
        service: 'base',
        title: 'wait for the flag',
        run: `touch '${root}.started'; for i in $(seq 1 300); do [ -e '${root}.go' ] && break; sleep 0.1; done`,
      },
    ];
    const started = async () => {
      for (let i = 0; i < 600 && !fs.existsSync(`${root}.started`); i++) await new Promise((r) => setTimeout(r, 100));
      fs.rmSync(`${root}.started`, { force: true });
    };
    const root = path.join(work, 'root', 'n1');
    fs.mkdirSync(path.dirname(root), { recursive: true });
    // Two workstations: two state folders, one node.
    const other = path.join(work, 'other-workstation');
    const otherRun = (extra: Partial<DeployOptions> = {}) => {
      const events: DeployEvent[] = [];
      const projectKnownHosts = path.join(other, 'known_hosts');
      const p = deploy({
        target: target(slow),
        journal: Journal.open(other, 't'),
        connect: (n, signal) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, signal, nodeLock: nodeLock() }),
        onEvent: (e) => events.push(e),
        ...extra,
      });
      return {
        p,
        text: () =>
          events
            .map((e) => formatEvent(e, { color: false, verbose: true }))
            .filter(Boolean)
            .join('\n'),
      };
    };
    const first = run(target(slow));
    await started(); // the first run holds the node: its command runs
    const second = otherRun();
    const res2 = await second.p;
    assert.equal(res2.ok, false);
    assert.match(second.text(), /n1 \(127\.0\.0\.2\) is locked by another run: ostopo deploy of cloud "t" by \S+@\S+ \(pid \d+\) since \d{4}-/);
    fs.writeFileSync(`${root}.go`, '');
    assert.equal((await first.p).ok, true, first.text());
    // Released with the run: the other workstation may deploy now.
    fs.rmSync(`${root}.go`);
    const third = otherRun();
    setTimeout(() => fs.writeFileSync(`${root}.go`, ''), 1500);
    assert.equal((await third.p).ok, true, third.text());
    // A run whose connection dies loses its lock with it.
    fs.rmSync(`${root}.go`);
    fs.rmSync(`${root}.started`, { force: true });
    const dying = run(target(slow));
    await started();
    sshd.dropConnections();
    assert.equal((await dying.p).ok, false);
    fs.writeFileSync(`${root}.go`, '');
    const after = otherRun();
    assert.equal((await after.p).ok, true, after.text());
    // --break-lock ends the holder on the node (for a run that hangs on a workstation that is gone).
    fs.rmSync(`${root}.go`);
    const hung = run(target(slow));
    await started();
    const breaker = otherRun({ breakLock: true });
    await started();
    fs.writeFileSync(`${root}.go`, '');
    assert.equal((await breaker.p).ok, true, breaker.text());
    await hung.p;
  });

  it('a failing command shows its exit status and last lines; the next run resumes after the done actions', async () => {
    const flag = path.join(work, 'fixed');
    const failing = (root: string): Artifact[] => [
      ...basic(root).filter((a) => a.kind !== 'check'),
      {
        kind: 'command',
        id: 'app/fragile',
        step: 'app',
        service: 'base',
        title: 'fragile step',
        run: `echo about to fail; echo "password is $APP_PASS" >&2; test -e '${flag}' || exit 7`,
        env: ['APP_PASS'],
      },
      { kind: 'command', id: 'later/after', step: 'later', service: 'base', title: 'after the fragile step', run: `echo after >> '${root}/after'` },
    ];
    const r1 = run(target(failing));
    const res1 = await r1.p;
    assert.equal(res1.ok, false);
    assert.match(r1.text(), /✖ fragile step .*\n\s+exit status 7; last lines:\n[\s\S]*about to fail/);
    assert.match(r1.text(), /password is <secret:APP_PASS>/);
    assert.match(r1.text(), /step later blocked/);
    assert.ok(!fs.existsSync(path.join(work, 'root/n1/after')));
    const journal = JSON.parse(fs.readFileSync(path.join(state, 't', 'journal.json'), 'utf8'));
    assert.equal(journal.nodes.n1.steps.app.status, 'failed');

    fs.writeFileSync(flag, '');
    const r2 = run(target(failing));
    const res2 = await r2.p;
    assert.equal(res2.ok, true, r2.text());
    assert.equal(res2.changed, 2, 'only the failed command and what follows it ran');
    assert.equal(fs.readFileSync(path.join(work, 'root/n1/count'), 'utf8'), 'run\n');
  });

  it("a step waits for another node's step where an action needs it: what comes before runs meanwhile", async () => {
    const order = path.join(work, 'order');
    const nodes = [nodeOf('n1'), nodeOf('n2')];
    const artifacts =
      (fail: boolean) =>
      (root: string): Artifact[] =>
        root.endsWith('n1')
          ? [
              {
                kind: 'command',
                id: 'slow/up',
                step: 'slow',
                service: 'base',
                title: 'controller comes up',
                // It comes up only once n2 has installed (at most 60 s): with a wait before n2's first action, it never would.
                run: `for i in $(seq 600); do grep -q n2-install '${order}' 2>/dev/null && break; sleep 0.1; done; grep -q n2-install '${order}' || { echo 'n2 did not install meanwhile'; exit 4; }; ${fail ? 'exit 3' : `echo n1-up >> '${order}'`}`,
              },
            ]
          : [
              { kind: 'command', id: 'svc/install', step: 'svc', service: 'base', title: 'install', run: `echo n2-install >> '${order}'`, check: 'false' },
              { kind: 'command', id: 'svc/start', step: 'svc', service: 'base', title: 'start', run: `echo n2-start >> '${order}'`, after: [{ node: 'n1', step: 'slow' }] },
              { kind: 'command', id: 'svc/then', step: 'svc', service: 'base', title: 'then', run: `echo n2-then >> '${order}'`, check: 'false' },
            ];
    // Each node its own lock file: both "nodes" are this machine.
    const projectKnownHosts = path.join(state, 'known_hosts');
    const connect: DeployOptions['connect'] = (n, signal) =>
      SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, signal, nodeLock: `${nodeLock()}.${n.name}` });

    const r1 = run(target(artifacts(false), nodes), { connect });
    assert.equal((await r1.p).ok, true, r1.text());
    assert.deepEqual(fs.readFileSync(order, 'utf8').split('\n').filter(Boolean), ['n2-install', 'n1-up', 'n2-start', 'n2-then'], r1.text());

    // The step it waits for fails: what came before the wait is done, the rest of the step is blocked.
    fs.rmSync(order);
    fs.rmSync(state, { recursive: true });
    const r2 = run(target(artifacts(true), nodes), { connect });
    assert.equal((await r2.p).ok, false);
    assert.deepEqual(fs.readFileSync(order, 'utf8').split('\n').filter(Boolean), ['n2-install'], r2.text());
    assert.match(r2.text(), /step svc blocked: waits for n1\/slow, which is not done/);
    const journal = JSON.parse(fs.readFileSync(path.join(state, 't', 'journal.json'), 'utf8'));
    assert.equal(journal.nodes.n2.steps.svc.status, 'blocked');
    assert.ok(journal.nodes.n2.commands['svc/install'], 'the install before the wait is recorded as done');
  });

  it("the steps' leading package commands run ahead, in step order, beside the steps before; never beside another package command", async () => {
    const log = path.join(work, 'log');
    // Each command logs its start and end; the package commands check that no other one runs meanwhile.
    const lock = path.join(work, 'pkg.lock');
    const cmd = (id: string, secs: number, packages: boolean, fail = false): Artifact => ({
      kind: 'command',
      id,
      step: id.split('/')[0]!,
      service: 'base',
      title: id,
      run: [
        `echo "start ${id}" >> '${log}'`,
        packages ? `mkdir '${lock}' || { echo "two package commands at once: ${id}"; exit 9; }` : ':',
        `sleep ${secs}`,
        packages ? `rmdir '${lock}'` : ':',
        fail ? 'exit 5' : ':',
        `echo "end ${id}" >> '${log}'`,
      ].join('\n'),
      check: 'false',
      ...(packages ? { packages: true } : {}),
    });
    const defaults = path.join(work, 'b-defaults');
    const steps = (failEarly: boolean) => (): Artifact[] => [
      cmd('a/install', 0.2, true),
      cmd('a/db-sync', 4, false),
      cmd('b/pre-install-1', 0.1, true),
      // A file that goes in before the install (a daemon's defaults) goes ahead with it.
      { kind: 'file', id: 'b/defaults', step: 'b', service: 'base', path: defaults, owner: 'root', group: 'root', mode: '0644', language: 'shellscript', content: 'X=1\n', description: 'defaults' },
      cmd('b/install', 0.3, true, failEarly),
      cmd('b/register', 0.1, false),
      cmd('c/install', 0.2, true),
      cmd('c/configure', 0.5, false),
      // A package command past the step's lead runs in its place; the lane waits for it.
      cmd('c/extra-packages', 0.2, true),
      cmd('d/install', 0.2, true),
    ];
    const r1 = run(target(steps(false)));
    assert.equal((await r1.p).ok, true, r1.text());
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const at = (l: string) => lines.indexOf(l);
    // b's pre-install, its file and its install begin once a's install is done, while a's db-sync runs; so
    // does c's install (two steps ahead); b's register waits for a's end.
    assert.ok(at('start b/pre-install-1') > at('end a/install') && at('end b/install') < at('end a/db-sync'), lines.join('\n'));
    assert.ok(at('start c/install') > at('end b/install') && at('end c/install') < at('end a/db-sync'), lines.join('\n'));
    assert.equal(fs.readFileSync(defaults, 'utf8'), 'X=1\n');
    assert.ok(at('start b/register') > at('end a/db-sync'), lines.join('\n'));
    // d's install waits until c has no package command left.
    assert.ok(at('start d/install') > at('end c/extra-packages'), lines.join('\n'));
    const ends = r1.events.filter((e) => e.type === 'step-end').map((e) => `${e.type === 'step-end' && e.step} ${e.type === 'step-end' && e.status}`);
    assert.deepEqual(ends, ['a done', 'b done', 'c done', 'd done']);

    // A command of the lane that fails fails its step when the step comes, after the steps before ended
    // well; the lane goes no further.
    fs.rmSync(log);
    fs.rmSync(state, { recursive: true });
    const r2 = run(target(steps(true)));
    assert.equal((await r2.p).ok, false);
    const ends2 = r2.events.filter((e) => e.type === 'step-end').map((e) => `${e.type === 'step-end' && e.step} ${e.type === 'step-end' && e.status}`);
    assert.deepEqual(ends2, ['a done', 'b failed', 'c blocked', 'd blocked'], r2.text());
    assert.match(r2.text(), /step b failed: b\/install failed with exit status 5/);
    assert.ok(!/start [cd]\//.test(fs.readFileSync(log, 'utf8')), 'nothing of c or d ran');

    // A dry run keeps to the order.
    fs.rmSync(state, { recursive: true });
    const r3 = run(target(steps(false)), { dryRun: true });
    await r3.p;
    const would = r3.events.filter((e) => e.type === 'action').map((e) => (e.type === 'action' ? e.id : ''));
    assert.deepEqual(would, ['a/install', 'a/db-sync', 'b/pre-install-1', 'b/defaults', 'b/install', 'b/register', 'c/install', 'c/configure', 'c/extra-packages', 'd/install']);
  });

  it('connection refused, handshake timeout, and auth failure are clear errors', async () => {
    const refused = run(target(basic, [nodeOf('n1', { port: 1 })]));
    assert.equal((await refused.p).ok, false);
    assert.match(refused.text(), /cannot connect: n1 \(127\.0\.0\.2\): connection refused by 127\.0\.0\.2:1/);

    const silent = await silentServer('127.0.0.2');
    try {
      const t = target(basic, [nodeOf('n1', { port: silent.port })]);
      const journal = Journal.open(state, 't');
      const events: DeployEvent[] = [];
      const res = await deploy({
        target: t,
        journal,
        connect: (n) =>
          SshRemote.connect(
            { ...resolveSshTarget(n, { projectKnownHosts: path.join(state, 'kh'), sshBinary: null }), connectTimeoutMs: 1500 },
            { projectKnownHosts: path.join(state, 'kh'), nodeLock: nodeLock() },
          ),
        onEvent: (e) => events.push(e),
      });
      assert.equal(res.ok, false);
      assert.match(JSON.stringify(events), /no SSH answer from root@127\.0\.0\.2:\d+ within 1\.5 s/);
    } finally {
      silent.close();
    }

    const otherKey = path.join(work, 'other_key');
    fs.copyFileSync(sshd.hostKey, otherKey); // a valid key that is not authorized
    const auth = run(target(basic, [nodeOf('n1', { identityFile: otherKey })]));
    assert.equal((await auth.p).ok, false);
    assert.match(auth.text(), /authentication as root failed \(tried .*other_key\)/);
  });

  it('host keys: a changed key is refused, an unknown key is refused unless accepted, then remembered', async () => {
    const pub = fs.readFileSync(`${sshd.clientKey}.pub`, 'utf8').split(' ')[1];
    const wrong = path.join(work, 'wrong_known_hosts');
    fs.writeFileSync(wrong, `[${sshd.host}]:${sshd.port} ssh-ed25519 ${pub}\n`);
    const changed = run(target(basic, [nodeOf('n1', { knownHostsFile: wrong })]));
    assert.equal((await changed.p).ok, false);
    assert.match(changed.text(), /host key of 127\.0\.0\.2:\d+ has CHANGED \(now ssh-ed25519 SHA256:[A-Za-z0-9+/]+; known in .*wrong_known_hosts:1\)/);

    const empty = path.join(work, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const unknown = run(target(basic, [nodeOf('n1', { knownHostsFile: empty })]));
    assert.equal((await unknown.p).ok, false);
    assert.match(unknown.text(), /host key of 127\.0\.0\.2:\d+ is not known \(ssh-ed25519 SHA256:/);

    const projectKnownHosts = path.join(state, 'known_hosts');
    const asked: string[] = [];
    const res = await deploy({
      target: target(basic, [nodeOf('n1', { knownHostsFile: empty })]),
      journal: Journal.open(state, 't'),
      connect: (n) =>
        SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, onUnknownHostKey: async (p) => (asked.push(p.fingerprint), true), nodeLock: nodeLock() }),
      onEvent: () => undefined,
    });
    assert.equal(res.ok, true);
    const hostPub = Buffer.from(fs.readFileSync(`${sshd.hostKey}.pub`, 'utf8').split(' ')[1], 'base64');
    assert.deepEqual(asked, [fingerprint(hostPub)], 'the user saw the real fingerprint');
    assert.match(fs.readFileSync(projectKnownHosts, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.2\\]:${sshd.port} ssh-ed25519 `));
    const again = run(target(basic, [nodeOf('n1', { knownHostsFile: empty })]));
    assert.equal((await again.p).ok, true, 'the accepted key is known from then on');
  });

  it("the node's lock says its machine-id: a reinstalled node (another machine-id) starts its journal over", async () => {
    const r1 = run(target(basic));
    assert.equal((await r1.p).ok, true, r1.text());
    const file = path.join(state, 't', 'journal.json');
    const journal = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(journal.nodes.n1.machineId, fs.readFileSync('/etc/machine-id', 'utf8').trim());
    journal.nodes.n1.machineId = '0'.repeat(32);
    fs.writeFileSync(file, JSON.stringify(journal));
    const r2 = run(target(basic));
    const res2 = await r2.p;
    assert.equal(res2.ok, true, r2.text());
    assert.match(r2.text(), /reinstalled \(its machine-id changed\): its journal starts over/);
    // Without a journal, the command that has no check runs again.
    assert.equal(fs.readFileSync(path.join(work, 'root', 'n1', 'count'), 'utf8'), 'run\nrun\n');
  });

  it('a command of several lines fails at its first failing line', async () => {
    const multi = (root: string): Artifact[] => [{ kind: 'command', id: 'm/two', step: 'm', service: 'base', title: 'two lines', run: `false\ntouch '${root}/after-false'` }];
    fs.mkdirSync(path.join(work, 'root', 'n1'), { recursive: true });
    const r = run(target(multi));
    assert.equal((await r.p).ok, false, r.text());
    assert.match(r.text(), /two lines .*\n\s+exit status 1/);
    assert.ok(!fs.existsSync(path.join(work, 'root/n1/after-false')));
  });

  it('a check asked after an earlier action of its step changed the node is asked with its command, in one round trip', async () => {
    // Each command follows a file the deploy writes: the step's survey no longer holds for its check.
    const steps = (root: string): Artifact[] => [
      { kind: 'file', id: 'f/a', step: 'f', service: 'base', path: `${root}/a.conf`, owner: 'root', group: 'root', mode: '0644', language: 'ini', content: 'a = 1\n', description: 'a' },
      // Its check passes on the node (the file the step just wrote): skipped, nothing printed.
      { kind: 'command', id: 'f/present', step: 'f', service: 'base', title: 'make a.conf', run: `echo SHOULD-NOT-RUN; touch '${root}/ran-present'`, check: `grep -q 'a = 1' '${root}/a.conf'` },
      { kind: 'file', id: 'f/b', step: 'f', service: 'base', path: `${root}/b.conf`, owner: 'root', group: 'root', mode: '0644', language: 'ini', content: 'b = 2\n', description: 'b' },
      // Its check fails and prints (its output is dropped): the command runs, its output and exit status are its own.
      {
        kind: 'command',
        id: 'f/absent',
        step: 'f',
        service: 'base',
        title: 'make the marker',
        run: `echo made >&2; touch '${root}/marker'`,
        check: `echo CHECK-SPEAKS; echo CHECK-ERR >&2; test -e '${root}/marker'`,
      },
    ];
    const calls: string[] = [];
    const r = run(target(steps), { connect: counted(calls) });
    const res = await r.p;
    assert.equal(res.ok, true, r.text());
    const root = path.join(work, 'root', 'n1');
    assert.ok(!fs.existsSync(path.join(root, 'ran-present')), 'a command whose check passes does not run');
    assert.ok(fs.existsSync(path.join(root, 'marker')));
    // The step's survey; a.conf; check-or-run; b.conf asked again (a.conf changed the node); b.conf; check-or-run.
    assert.deepEqual(calls, ['survey', 'writeFile', 'exec', 'survey', 'writeFile', 'exec'], calls.join(' '));
    const text = r.text();
    assert.match(text, /make a\.conf.*already in place/);
    assert.ok(!/OSTOPO-CHECK-PASSED|SHOULD-NOT-RUN|CHECK-SPEAKS|CHECK-ERR/.test(text), text);
    assert.match(text, /made/);
    // The journal took both: a re-run skips them from the step's survey.
    const again = run(target(steps));
    const res2 = await again.p;
    assert.equal(res2.changed, 0, again.text());
  });

  it('a connection dropped mid-command fails clearly; the re-run resumes', async () => {
    const slow = (root: string): Artifact[] => [
      ...basic(root).filter((a) => a.kind !== 'check'),
      { kind: 'command', id: 'slow/sleep', step: 'slow', service: 'base', title: 'a long command', run: `sleep 3; touch '${root}/slept'`, check: `test -e '${root}/slept'` },
    ];
    const r1 = run(target(slow));
    const dropper = setInterval(() => {
      if (r1.events.some((e) => e.type === 'step-start' && e.step === 'slow')) {
        clearInterval(dropper);
        setTimeout(() => sshd.dropConnections(), 500);
      }
    }, 50);
    const res1 = await r1.p;
    clearInterval(dropper);
    assert.equal(res1.ok, false);
    assert.match(r1.text(), /connection (dropped|was closed)|without an exit status/);
    const r2 = run(target(slow));
    const res2 = await r2.p;
    assert.equal(res2.ok, true, r2.text());
    assert.equal(res2.changed, 1, 'only the interrupted command runs again');
  });

  it('a connection dropped mid-upload leaves the old file whole; the re-run completes', async () => {
    const big = 'x'.repeat(40 * 1024 * 1024);
    const bigFile = (root: string): Artifact[] => [
      { kind: 'file', id: 'big/file', step: 'big', service: 'base', path: `${root}/big.dat`, owner: 'root', group: 'root', mode: '0644', language: 'plaintext', content: big, description: 'big' },
    ];
    const root = path.join(work, 'root', 'n1');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'big.dat'), 'old content\n');
    const r1 = run(target(bigFile));
    // Drop the connection while the content is on its way: once the node's worker holds part of it (input
    // above 8 MB goes to /var/tmp/ostopo-w.*/in). A fixed delay raced the upload on a quiet machine.
    const underWay = () => {
      for (const d of fs.readdirSync('/var/tmp').filter((n) => n.startsWith('ostopo-w.'))) {
        const size = fs.statSync(path.join('/var/tmp', d, 'in'), { throwIfNoEntry: false })?.size ?? 0;
        if (size > 0 && size < big.length) return true;
      }
      return false;
    };
    let dropped = false;
    for (const t0 = Date.now(); !dropped && Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 2))) {
      if (underWay()) {
        sshd.dropConnections();
        dropped = true;
      }
    }
    const res1 = await r1.p;
    assert.ok(dropped, 'the upload was seen under way');
    assert.equal(res1.ok, false, 'the upload was interrupted');
    assert.equal(fs.readFileSync(path.join(root, 'big.dat'), 'utf8'), 'old content\n', 'the target is the old file, not a partial one');
    const r2 = run(target(bigFile));
    assert.equal((await r2.p).ok, true, r2.text());
    assert.equal(fs.statSync(path.join(root, 'big.dat')).size, big.length);
    assert.deepEqual(
      fs.readdirSync(root).filter((f) => f.includes('.ostopo-')),
      [],
      'no temp file left beside the target',
    );
  });

  it('cancel stops the remote command and says so', async () => {
    const long = (root: string): Artifact[] => [{ kind: 'command', id: 'w/wait', step: 'w', service: 'base', title: 'wait', run: `sleep 77; touch '${root}/finished'` }];
    const ac = new AbortController();
    const r = run(target(long), { signal: ac.signal });
    const t = resolveSshTarget(nodeOf('n1'), { projectKnownHosts: path.join(state, 'kh'), sshBinary: null });
    const remote = await SshRemote.connect(t, { projectKnownHosts: path.join(state, 'kh') });
    try {
      // Cancel once the remote command really runs (a fixed delay would race a slow login shell).
      for (let i = 0; i < 600 && !(await remote.exec("pgrep -f '^sleep 77$' || true")).stdout.toString().trim(); i++) await new Promise((res2) => setTimeout(res2, 100));
      ac.abort();
      const res = await r.p;
      assert.equal(res.ok, false);
      assert.match(r.text(), /step w cancelled/);
      let left = '';
      for (let i = 0; i < 20; i++) {
        left = (await remote.exec("pgrep -f '^sleep 77$' || true")).stdout.toString().trim();
        if (!left) break;
        await new Promise((res2) => setTimeout(res2, 250));
      }
      assert.equal(left, '', 'the remote sleep was killed');
    } finally {
      remote.close();
    }
  });

  it('verify reports each check with its evidence', async () => {
    assert.equal((await run(target(basic)).p).ok, true);
    const events: DeployEvent[] = [];
    const projectKnownHosts = path.join(state, 'known_hosts');
    const withFailing = target((root) => [
      ...basic(root),
      { kind: 'check', id: 'app/bad', step: 'app', service: 'base', title: 'a check that fails', run: 'echo "state: broken"', expect: 'state: ok' },
    ]);
    const res = await verify({
      target: withFailing,
      journal: Journal.open(state, 't'),
      connect: (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, nodeLock: nodeLock() }),
      onEvent: (e) => events.push(e),
    });
    assert.equal(res.passed, 1);
    assert.equal(res.failed, 1);
    const bad = events.find((e) => e.type === 'check' && e.id === 'app/bad');
    assert.ok(bad && bad.type === 'check' && !bad.ok);
    assert.match(bad.evidence, /does not match \/state: ok\/\nstate: broken/);
    const j = JSON.parse(fs.readFileSync(path.join(state, 't', 'journal.json'), 'utf8'));
    assert.equal(j.nodes.n1.lastVerify.failed, 1);
  });

  it('verify runs independent checks side by side and reports them in their order', async () => {
    const events: DeployEvent[] = [];
    const projectKnownHosts = path.join(state, 'known_hosts');
    const flag = path.join(work, 'second-ran');
    // The first check passes only if the second runs while it waits (one at a time, it would time out after 60 s).
    const checks = (): Artifact[] => [
      { kind: 'check', id: 'v/first', step: 'v', service: 'base', title: 'first', run: `for i in $(seq 600); do [ -e '${flag}' ] && break; sleep 0.1; done; test -e '${flag}' && echo saw-second` },
      { kind: 'check', id: 'v/second', step: 'v', service: 'base', title: 'second', run: `touch '${flag}'; echo second` },
      { kind: 'check', id: 'v/third', step: 'v', service: 'base', title: 'third', run: 'echo third' },
    ];
    const res = await verify({
      target: target(checks),
      journal: Journal.open(state, 't'),
      connect: (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, nodeLock: nodeLock() }),
      onEvent: (e) => events.push(e),
    });
    assert.equal(res.passed, 3, JSON.stringify(events));
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'check' ? [e.id] : [])),
      ['v/first', 'v/second', 'v/third'],
    );
    const j = JSON.parse(fs.readFileSync(path.join(state, 't', 'journal.json'), 'utf8'));
    assert.deepEqual(Object.keys(j.nodes.n1.lastVerify.checks), ['v/first', 'v/second', 'v/third']);
  });

  it('verify runs checks that share an exclusive key one after another, the others beside them', async () => {
    const events: DeployEvent[] = [];
    const projectKnownHosts = path.join(state, 'known_hosts');
    const busy = path.join(work, 'busy');
    const flag = path.join(work, 'third-ran');
    // Each exclusive check marks itself busy for a second and fails if it finds the other one busy;
    // the plain check runs while the first waits for it (side by side still works).
    const signIn = (n: string): Artifact => ({
      kind: 'check',
      id: `x/${n}`,
      step: 'x',
      service: 'base',
      title: n,
      exclusive: 'sign-in',
      run: `mkdir '${busy}' || { echo overlap; exit 1; }; sleep 1; ${n === 'a' ? `for i in $(seq 300); do [ -e '${flag}' ] && break; sleep 0.1; done; ` : ''}rmdir '${busy}'; echo ${n} alone`,
    });
    const res = await verify({
      target: target(() => [signIn('a'), signIn('b'), { kind: 'check', id: 'x/c', step: 'x', service: 'base', title: 'c', run: `touch '${flag}'; echo c` }]),
      journal: Journal.open(state, 't'),
      connect: (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, nodeLock: nodeLock() }),
      onEvent: (e) => events.push(e),
    });
    assert.equal(res.passed, 3, JSON.stringify(events));
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'check' ? [[e.id, e.evidence]] : [])),
      [
        ['x/a', 'a alone'],
        ['x/b', 'b alone'],
        ['x/c', 'c'],
      ],
    );
    const ms = Object.fromEntries(events.flatMap((e) => (e.type === 'check' ? [[e.id, e.ms]] : [])));
    assert.ok(ms['x/b'] < 5000, `the wait for the other is not counted in a check's time: ${ms['x/b']} ms`);
  });

  it("verify: a check's local inputs are uploaded to a private folder and removed after; its stages are reported one by one", async () => {
    const events: DeployEvent[] = [];
    const projectKnownHosts = path.join(state, 'known_hosts');
    const local = path.join(work, 'images');
    fs.mkdirSync(local);
    const kernel = Buffer.from(Array.from({ length: 70000 }, (_, i) => i % 251));
    fs.writeFileSync(path.join(local, 'vmlinuz'), kernel);
    const seen = path.join(work, 'seen');
    const checks = (): Artifact[] => [
      {
        kind: 'check',
        id: 'l/launch',
        step: 'l',
        service: 'base',
        title: 'launch',
        stages: ['upload', 'boot', 'ping', 'after'],
        inputs: [{ name: 'kernel', path: 'images/vmlinuz' }],
        // Stage 1 sees the uploaded file (its folder private), stage 2 passes, stage 3 fails; stage 4 is never reached.
        run: [
          `cp "$OSTOPO_INPUTS/kernel" '${seen}'; echo "$OSTOPO_INPUTS" > '${seen}.dir'; stat -c %a "$OSTOPO_INPUTS" > '${seen}.mode'`,
          'echo "OSTOPO-STAGE 1 PASS $(stat -c %s "$OSTOPO_INPUTS/kernel") bytes" >&2',
          'echo "OSTOPO-STAGE 2 PASS ACTIVE"',
          'echo "OSTOPO-STAGE 3 FAIL no answer from 203.0.113.101" >&2',
          'exit 1',
        ].join('\n'),
      },
      { kind: 'check', id: 'l/missing', step: 'l', service: 'base', title: 'needs a missing file', inputs: [{ name: 'disk', path: 'images/nope.img' }], run: 'true' },
    ];
    const res = await verify({
      target: target(checks),
      journal: Journal.open(state, 't'),
      baseDir: work,
      connect: (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts, sshBinary: null }), { projectKnownHosts, nodeLock: nodeLock() }),
      onEvent: (e) => events.push(e),
    });
    const got = events.flatMap((e) => (e.type === 'check' ? [[e.id, e.title, e.skipped !== undefined ? 'SKIP' : e.ok ? 'PASS' : 'FAIL', e.skipped ?? e.evidence]] : []));
    assert.deepEqual(got, [
      ['l/launch#1', 'upload', 'PASS', '70000 bytes'],
      ['l/launch#2', 'boot', 'PASS', 'ACTIVE'],
      ['l/launch#3', 'ping', 'FAIL', 'no answer from 203.0.113.101'],
      ['l/launch#4', 'after', 'SKIP', 'not reached: "ping" failed'],
      ['l/missing', 'needs a missing file', 'FAIL', `cannot read images/nope.img (${path.join(work, 'images', 'nope.img')}) for this check: ENOENT`],
    ]);
    assert.deepEqual(fs.readFileSync(seen), kernel, 'the file arrives byte for byte');
    assert.equal(fs.readFileSync(`${seen}.mode`, 'utf8').trim(), '700');
    assert.ok(!fs.existsSync(fs.readFileSync(`${seen}.dir`, 'utf8').trim()), 'the folder is gone afterwards');
    assert.deepEqual([res.passed, res.failed, res.skipped], [2, 2, 1]);
  });

  it('hostile paths and owners reach the shell quoted', async () => {
    const hostile = (root: string): Artifact[] => [
      {
        kind: 'file',
        id: 'h/file',
        step: 'h',
        service: 'base',
        path: `${root}/a b/$(touch /tmp/ostopo-pwned)'x"`,
        owner: 'root',
        group: 'root',
        mode: '0600',
        language: 'plaintext',
        content: 'content\n',
        description: 'hostile name',
      },
    ];
    const r = run(target(hostile));
    assert.equal((await r.p).ok, true, r.text());
    assert.ok(fs.existsSync(path.join(work, 'root/n1/a b', `$(touch /tmp/ostopo-pwned)'x"`)));
    assert.ok(!fs.existsSync('/tmp/ostopo-pwned'));
  });

  it('a host alias is resolved with ssh -G, and ProxyJump goes through a jump host', async () => {
    const jump = await TestSshd.start('127.0.0.3');
    try {
      // The target's sshd accepts the jump host's client key too.
      fs.appendFileSync(path.join(sshd.dir, 'authorized_keys'), fs.readFileSync(`${jump.clientKey}.pub`));
      const known = path.join(work, 'known_hosts');
      fs.writeFileSync(known, fs.readFileSync(sshd.knownHosts, 'utf8') + fs.readFileSync(jump.knownHosts, 'utf8'));
      const config = path.join(work, 'ssh_config');
      fs.writeFileSync(
        config,
        [
          'Host bastion',
          `  HostName ${jump.host}`,
          `  Port ${jump.port}`,
          '  User root',
          `  IdentityFile ${jump.clientKey}`,
          `  UserKnownHostsFile ${known}`,
          'Host mynode',
          `  HostName ${sshd.host}`,
          `  Port ${sshd.port}`,
          '  User root',
          `  IdentityFile ${jump.clientKey}`,
          `  UserKnownHostsFile ${known}`,
          '  ProxyJump bastion',
          '',
        ].join('\n'),
      );
      const node: ResolvedNode = {
        name: 'n1',
        hostname: 'n1',
        address: '10.99.99.99',
        roles: [],
        services: [],
        overlayAddress: '10.99.99.99',
        lvmDevices: [],
        cephOsds: [],
        ssh: { host: 'mynode' },
        config: {},
      };
      const projectKnownHosts = path.join(state, 'known_hosts');
      const t = resolveSshTarget(node, { projectKnownHosts, sshConfigFile: config });
      assert.equal(t.host, sshd.host);
      assert.equal(t.port, sshd.port);
      assert.equal(t.jumps.length, 1);
      assert.equal(t.jumps[0].host, jump.host);
      assert.equal(t.jumps[0].port, jump.port);
      const res = await deploy({
        target: target(basic, [node]),
        journal: Journal.open(state, 't'),
        connect: () => SshRemote.connect(t, { projectKnownHosts, nodeLock: nodeLock() }),
        onEvent: () => undefined,
      });
      assert.equal(res.ok, true);
      assert.ok(fs.existsSync(path.join(work, 'root', 'n1', 'marker')), 'deployed through the jump host');
    } finally {
      jump.stop();
    }
  });

  it('RemoteError kinds are stable', () => {
    assert.equal(new RemoteError('dropped', 'x').kind, 'dropped');
  });
});
