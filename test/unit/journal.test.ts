import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { Journal, JournalError, LockError, SAVE_INTERVAL_MS } from '../../src/core/deploy/journal';
import { when } from '../../src/core/deploy/events';
import { ROOT, TEST_ENV, ZED } from './helpers';

describe('deploy journal and state-folder lock', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-journal-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (cloud: string, text: string) => {
    fs.mkdirSync(path.join(dir, cloud), { recursive: true });
    fs.writeFileSync(path.join(dir, cloud, 'journal.json'), text);
  };

  it('a damaged or foreign journal is a clear error naming the file and how to recover, never a crash', async () => {
    const bad: [string, RegExp][] = [
      ['{', /is not valid JSON/],
      ['null', /is not a JSON object/],
      ['[]', /is not a JSON object/],
      ['{"version":2,"cloud":"guide-zed","nodes":{}}', /unknown version 2/],
      ['{"version":1,"cloud":"guide-zed","nodes":[]}', /`nodes` is not an object/],
      ['{"version":1,"cloud":"guide-zed","nodes":{"controller":{"files":{"/etc/x":{"sha256":5,"at":"t"}}}}}', /nodes\.controller\.files\./],
      ['{"version":1,"cloud":"guide-zed","nodes":{"controller":{"steps":{"keystone":{"status":"weird","at":"t","ms":1}}}}}', /status is "weird"/],
      ['{"version":1,"cloud":"other-cloud","nodes":{}}', /belongs to cloud "other-cloud", not "guide-zed"/],
    ];
    for (const [text, why] of bad) {
      write('guide-zed', text);
      assert.throws(
        () => Journal.open(dir, 'guide-zed'),
        (e: Error) => e instanceof JournalError && why.test(e.message) && e.message.includes(path.join(dir, 'guide-zed', 'journal.json')) && /move it aside/.test(e.message),
        text,
      );
      // The CLI says it in one line and exits 1: no stack trace.
      let out = '';
      let err = '';
      const code = await main(['plan', ZED, '--state-dir', dir], { out: (s) => (out += s), err: (s) => (err += s), env: TEST_ENV, cwd: ROOT });
      assert.equal(code, 1, text);
      assert.match(err, /^ostopo plan: the deploy journal .* move it aside/m, text);
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
      err = '';
      assert.equal(await main(['deploy', ZED, '--state-dir', dir], { out: (s) => (out += s), err: (s) => (err += s), env: TEST_ENV, cwd: ROOT }), 1);
      assert.match(err, /^ostopo deploy: the deploy journal /m);
    }
  });

  it('node names like Object.prototype members are plain names', () => {
    const j = Journal.open(dir, 'c');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.deepEqual(j.node(name).files, Object.create(null));
      j.node(name).files['/etc/x'] = { sha256: name, at: 't' };
    }
    j.save();
    const k = Journal.open(dir, 'c');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) assert.equal(k.peekNode(name)?.files['/etc/x']?.sha256, name);
    assert.equal(k.peekNode('valueOf'), undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype, 'nothing was polluted');
  });

  it('saves in a burst are written together, at most every interval; flush writes at once; a failed write is reported by the next save', async () => {
    const j = Journal.open(dir, 'c');
    const file = path.join(dir, 'c', 'journal.json');
    const onDisk = () => JSON.parse(fs.readFileSync(file, 'utf8')).nodes.n?.files as Record<string, unknown>;
    // The first save after a quiet time is written at once.
    j.node('n').files['/a'] = { sha256: '1', at: 't' };
    j.save();
    assert.deepEqual(Object.keys(onDisk()), ['/a']);
    // Those that follow within the interval are written together, when it ends.
    for (const f of ['/b', '/c', '/d']) {
      j.node('n').files[f] = { sha256: '1', at: 't' };
      j.save();
    }
    assert.deepEqual(Object.keys(onDisk()), ['/a'], 'not yet');
    await new Promise((r) => setTimeout(r, SAVE_INTERVAL_MS + 50));
    assert.deepEqual(Object.keys(onDisk()), ['/a', '/b', '/c', '/d']);
    // flush: now, whatever the interval.
    j.save();
    j.node('n').files['/e'] = { sha256: '1', at: 't' };
    j.flush();
    assert.ok('/e' in onDisk());
    // A write that fails in the background (its folder is a file now) fails the next save, with the reason.
    j.save();
    j.save();
    fs.rmSync(path.join(dir, 'c'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'c'), 'not a folder');
    await new Promise((r) => setTimeout(r, SAVE_INTERVAL_MS + 50));
    assert.throws(() => j.save(), /EEXIST|ENOTDIR/);
  });

  it('one run at a time: a second one is refused with who holds the lock and since when; a stale one is taken over', () => {
    const a = Journal.open(dir, 'c');
    a.acquire('deploy');
    assert.throws(
      () => Journal.open(dir, 'c').acquire('verify'),
      (e: Error) =>
        e instanceof LockError && new RegExp(`cloud "c" is locked: ostopo deploy by .+@${os.hostname()} \\(pid ${process.pid}\\) since \\d{4}-`).test(e.message) && /--break-lock/.test(e.message),
    );
    a.release();
    const b = Journal.open(dir, 'c');
    b.acquire('verify');
    b.release();
    // A lock left by a process of this machine that is gone: taken over, and said.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, 'c', 'lock'), JSON.stringify({ pid: Number(gone), host: os.hostname(), user: 'someone', what: 'deploy', since: '2026-01-01T00:00:00Z' }));
    const notes: string[] = [];
    const c = Journal.open(dir, 'c');
    c.acquire('deploy', { onNote: (s) => notes.push(s) });
    assert.match(notes.join(), /took over a stale lock of ostopo deploy by someone@.* \(pid \d+\) since 2026-01-01T00:00:00Z \(that process is gone\)/);
    c.release();
    // Another machine's lock cannot be judged from here: refused, unless broken on purpose.
    fs.writeFileSync(path.join(dir, 'c', 'lock'), JSON.stringify({ pid: 1, host: 'elsewhere', user: 'ops', what: 'deploy', since: '2026-01-01T00:00:00Z' }));
    assert.throws(() => Journal.open(dir, 'c').acquire('deploy'), /locked: ostopo deploy by ops@elsewhere \(pid 1\)/);
    const d = Journal.open(dir, 'c');
    d.acquire('deploy', { breakLock: true, onNote: (s) => notes.push(s) });
    assert.match(notes.pop()!, /broke the lock of ostopo deploy by ops@elsewhere/);
    d.release();
    assert.ok(!fs.existsSync(path.join(dir, 'c', 'lock')));
  });
});

describe('when: a journal time for people', () => {
  const at = new Date(2026, 10, 30, 15, 4, 0); // local time, as the tooltip shows it
  const later = (s: number) => new Date(at.getTime() + s * 1000);
  it('local date and time, and how long ago', () => {
    assert.equal(when(at.toISOString(), later(20)), '2026-11-30 15:04 (just now)');
    assert.equal(when(at.toISOString(), later(5 * 60 + 10)), '2026-11-30 15:04 (5 min ago)');
    assert.equal(when(at.toISOString(), later(3 * 3600)), '2026-11-30 15:04 (3 h ago)');
    assert.equal(when(at.toISOString(), later(86400 + 5)), '2026-11-30 15:04 (1 day ago)');
    assert.equal(when(at.toISOString(), later(9 * 86400)), '2026-11-30 15:04 (9 days ago)');
  });
  it('a time ahead of the clock says so; an unreadable one is shown as it is', () => {
    assert.equal(when(at.toISOString(), later(-120)), '2026-11-30 15:04 (in the future: check the clock)');
    assert.equal(when('yesterday-ish', later(0)), 'yesterday-ish');
  });
});
