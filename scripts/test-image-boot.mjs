#!/usr/bin/env node
// Boots the test image (scripts/test-image.sh) under QEMU the way nova's libvirt driver would (TCG, a
// virtio NIC, nova's kernel command line) and checks its /init: a DHCP address, then the uuid of a
// meta_data.json it fetched from 169.254.169.254, both as marker lines on the serial console.
//
// Networking is QEMU's user mode with restrict=on: the guest reaches nothing but QEMU's own DHCP and
// the one forward below. Its network is 169.254.169.0/24 (a guestfwd address must lie in it), and TCP
// to 169.254.169.254:80 is handed to a relay (this script with --relay) that connects to a metadata
// server this script runs on 127.0.0.1. Nothing else is contacted.
//
//   node scripts/test-image-boot.mjs [--timeout SECONDS] [--verbose] [--dir build/test-image] [--metadata-status CODE]
//
// Prints the time from QEMU's start to each marker line; exits non-zero when a marker is missing or
// wrong, QEMU ends early or the timeout passes. QEMU is killed in every case. With --metadata-status
// 404 (say) the metadata server answers that instead, and the image must report it after its minute
// of retries: uuid=unavailable reason=... 404 ...
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { installCommand } from './debian.mjs';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
// What nova's libvirt driver passes when the image says nothing (root= is ignored by the image); panic=-1
// turns a panic into a reboot, which -no-reboot turns into QEMU's exit: a failure at once.
const CMDLINE = 'root=/dev/vda console=tty0 console=ttyS0 panic=-1';
const MARKER = /OSTOPO-TEST-IMAGE (\w+)=(\S*)(?: reason=(.*))?/;
class UsageError extends Error {}

if (process.argv[2] === '--relay') relay(Number(process.argv[3]));
else
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`test-image-boot: ${e instanceof UsageError ? e.message : (e?.stack ?? e)}\n`);
      process.exit(2);
    },
  );

/** Run by QEMU for each guest connection, on a socket to the guest as fds 0-2: joins it to the metadata server. */
function relay(port) {
  const guest = new net.Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true });
  const server = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  guest.pipe(server);
  server.pipe(guest);
  const quit = () => {
    guest.destroy();
    server.destroy();
  };
  guest.on('error', quit);
  server.on('error', quit);
  // A connection the guest leaves open does not keep the relay for long.
  setTimeout(quit, 30_000).unref();
}

function parseArgs(argv) {
  const opts = { timeout: 120, verbose: false, dir: path.join(root, 'build', 'test-image'), metadataStatus: 200 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--timeout' && argv[i + 1]) opts.timeout = Number(argv[++i]);
    else if (a === '--dir' && argv[i + 1]) opts.dir = path.resolve(argv[++i]);
    else if (a === '--metadata-status' && argv[i + 1]) opts.metadataStatus = Number(argv[++i]);
    else throw new UsageError(`unknown argument ${a}\nusage: node scripts/test-image-boot.mjs [--timeout SECONDS] [--verbose] [--dir DIR] [--metadata-status CODE]`);
  }
  if (!(opts.timeout > 0)) throw new UsageError('--timeout needs a positive number of seconds');
  if (!(Number.isInteger(opts.metadataStatus) && opts.metadataStatus >= 200 && opts.metadataStatus <= 599)) throw new UsageError('--metadata-status needs an HTTP status code');
  return opts;
}

/** QEMU's option syntax: a comma in a value is written twice. Slirp splits a cmd: forward like a shell. */
const qemuValue = (s) => s.replaceAll(',', ',,');
const shellWord = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const kernel = path.join(opts.dir, 'vmlinuz');
  const initrd = path.join(opts.dir, 'initrd.img');
  for (const f of [kernel, initrd]) {
    if (!fs.existsSync(f)) {
      process.stderr.write(`test-image-boot: ${f} is missing; build it first: scripts/test-image.sh\n`);
      return 1;
    }
  }

  const t0 = performance.now();
  const since = () => ((performance.now() - t0) / 1000).toFixed(1);
  const log = (s) => process.stdout.write(`[${since().padStart(6)} s] ${s}\n`);

  // The metadata service: one instance, a fresh uuid.
  const uuid = randomUUID();
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url, agent: req.headers['user-agent'] ?? '', at: since() });
    log(`metadata request ${req.method} ${req.url} (${req.headers['user-agent'] ?? 'no user agent'}, HTTP/${req.httpVersion})`);
    if (opts.metadataStatus !== 200) {
      res.writeHead(opts.metadataStatus, { 'Content-Type': 'text/plain' });
      res.end(`status ${opts.metadataStatus} as asked\n`);
    } else if (req.method === 'GET' && req.url === '/openstack/latest/meta_data.json') {
      const body = JSON.stringify({
        uuid,
        name: 'ostopo-test-image-boot',
        hostname: 'ostopo-test-image-boot',
        launch_index: 0,
        availability_zone: 'nova',
        project_id: '0'.repeat(32),
        meta: {},
        devices: [],
      });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;

  const relayCmd = [process.execPath, self, '--relay', String(port)].map(shellWord).join(' ');
  const netdev = `user,id=n0,restrict=on,net=169.254.169.0/24,guestfwd=tcp:169.254.169.254:80-cmd:${qemuValue(relayCmd)}`;
  const args = [...'-accel tcg -m 256 -smp 1 -nographic -no-reboot'.split(' '), '-kernel', kernel, '-initrd', initrd, '-append', CMDLINE, '-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0'];
  log(`qemu-system-x86_64 ${args.map((a) => (/[\s',]/.test(a) ? shellWord(a) : a)).join(' ')}`);

  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let qemuGone = false;
  // Settled when QEMU has ended and its console output is read (its 'close'), or 1 s after its exit.
  const qemuExit = new Promise((resolve) => {
    qemu.once('error', (e) => {
      qemuGone = true;
      resolve({ error: e });
    });
    qemu.once('exit', (code, signal) => {
      qemuGone = true;
      setTimeout(() => resolve({ code, signal }), 1000).unref();
    });
    qemu.once('close', (code, signal) => {
      qemuGone = true;
      resolve({ code, signal });
    });
  });
  // Whatever happens to this process, QEMU does not outlive it.
  const killQemu = (signal) => {
    if (!qemuGone) qemu.kill(signal);
  };
  process.on('exit', () => killQemu('SIGKILL'));
  let interrupted = null;
  const onSignal = (sig) => {
    interrupted = sig;
    wake();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);

  const console_ = [];
  const markers = {};
  let wake = () => {};
  const changed = () => new Promise((resolve) => (wake = resolve));
  const stderr = [];
  qemu.stderr.on('data', (d) => stderr.push(String(d)));
  readline.createInterface({ input: qemu.stdout }).on('line', (raw) => {
    const line = raw.replace(/\r/g, '');
    console_.push(line);
    if (console_.length > 400) console_.shift();
    const m = MARKER.exec(line);
    if (m && !(m[1] in markers)) {
      markers[m[1]] = { value: m[2], reason: m[3], at: since() };
      log(`console: ${line.slice(m.index)}`);
      wake();
    } else if (opts.verbose) log(`console: ${line}`);
    else if (/using nc|Kernel panic|insmod .* failed/.test(line)) log(`console: ${line}`);
  });
  qemuExit.then(() => wake());

  const deadline = setTimeout(() => wake(), opts.timeout * 1000);
  let failure = null;
  for (;;) {
    const wait = changed();
    if (interrupted) failure = `interrupted by ${interrupted}`;
    else if (markers.address && markers.address.value === 'none') failure = `no address: ${markers.address.reason ?? ''}`;
    else if (markers.uuid && opts.metadataStatus !== 200) {
      const { value, reason = '' } = markers.uuid;
      if (value !== 'unavailable' || !reason.includes(String(opts.metadataStatus))) failure = `uuid=${value} reason=${reason}: expected uuid=unavailable with a reason naming ${opts.metadataStatus}`;
      else if (!markers.address) failure = 'the uuid came before any address marker';
      break;
    } else if (markers.uuid) {
      if (markers.uuid.value !== uuid) failure = `uuid=${markers.uuid.value}${markers.uuid.reason ? ` (${markers.uuid.reason})` : ''}, the metadata server's is ${uuid}`;
      else if (!markers.address) failure = 'the uuid came before any address marker';
      break;
    } else if (qemuGone) {
      const r = await qemuExit;
      if (markers.uuid || markers.address) continue; // its last lines are read: decide on them
      failure = r.error
        ? r.error.code === 'ENOENT'
          ? `qemu-system-x86_64 is not installed. Install it:\n  ${installCommand(['qemu-system-x86'])}`
          : `QEMU did not start: ${r.error.message}`
        : `QEMU ended (${r.signal ?? `exit ${r.code}`}) before the markers${stderr.length ? `: ${stderr.join('').trim()}` : ''}`;
    } else if (performance.now() - t0 >= opts.timeout * 1000) failure = `timed out after ${opts.timeout} s; markers seen: ${Object.keys(markers).join(', ') || 'none'}`;
    if (failure) break;
    await wait;
  }
  clearTimeout(deadline);

  // QEMU goes in every case: SIGTERM, then SIGKILL after 3 s.
  killQemu('SIGTERM');
  const killTimer = setTimeout(() => killQemu('SIGKILL'), 3000);
  await qemuExit;
  clearTimeout(killTimer);
  server.closeAllConnections?.();
  server.close();

  const fetchers = [...new Set(requests.map((r) => r.agent))].join(', ') || 'none';
  if (failure) {
    process.stdout.write(`\nFAIL: ${failure}\n`);
    const tail = console_.slice(-40).map((l) => `  | ${l}`);
    if (!opts.verbose && tail.length) process.stdout.write(`last console lines:\n${tail.join('\n')}\n`);
    process.stdout.write(`metadata requests: ${requests.length} (user agents: ${fetchers})\n`);
    return 1;
  }
  const uuidMarker = `uuid=${markers.uuid.value}${markers.uuid.reason ? ` reason=${markers.uuid.reason}` : ''}`;
  process.stdout.write(
    `\nOK: kernel= (init started) at ${markers.kernel?.at ?? '?'} s, address=${markers.address.value} at ${markers.address.at} s, ${uuidMarker} at ${markers.uuid.at} s after QEMU started` +
      ` (metadata requests: ${requests.length}, user agents: ${fetchers})\n`,
  );
  return 0;
}
