// Generates src/core/catalog/libvirt-qemu.json: the settings of libvirt's /etc/libvirt/qemu.conf (key,
// type, default, the first sentence of its help), read from the file Debian's libvirt-daemon-system
// ships, where every setting is documented and commented out. `config.nova.qemu.conf` overrides are
// checked, completed and documented with it.
//
//   node scripts/gen-libvirt-catalog.mjs [--deb FILE]
//
// Without --deb, the package is fetched with `apt-get download` from this machine's apt lists (the
// Debian 12 host: libvirt 9.0, as on the Debian 12 / Zed nodes).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const debArg = args[0] === '--deb' ? path.resolve(args[1] ?? '') : undefined;
if (args.length && !debArg) {
  console.error('usage: node scripts/gen-libvirt-catalog.mjs [--deb libvirt-daemon-system_VERSION_amd64.deb]');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-libvirt-'));
try {
  let deb = debArg;
  if (!deb) {
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    execFileSync('apt-get', [...sandbox, '-q', 'download', 'libvirt-daemon-system'], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
    deb = path.join(
      tmp,
      fs.readdirSync(tmp).find((f) => f.endsWith('.deb')),
    );
  }
  const version = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();
  const text = execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./etc/libvirt/qemu.conf', 'sh', deb], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const keys = parse(text);
  const out = { source: `/etc/libvirt/qemu.conf of Debian's libvirt-daemon-system ${version}`, keys };
  const file = path.join(root, 'src', 'core', 'catalog', 'libvirt-qemu.json');
  fs.writeFileSync(file, JSON.stringify(out) + '\n');
  console.log(`${path.relative(root, file)}: ${Object.keys(keys).length} settings (libvirt ${version})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/**
 * Each setting: a line `#key = value` (or without the `#`), a list spanning lines until its `]`; its help
 * is the comment paragraph just above it. Types as in the option catalogs: s string, i integer (libvirt's
 * booleans are 0 and 1), l list.
 */
function parse(text) {
  const keys = {};
  const lines = text.split('\n');
  let para = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = /^#?\s?([a-z][a-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m) {
      const [, key, first] = m;
      let value = first.trim();
      if (value.startsWith('[') && !value.includes(']')) {
        while (++i < lines.length && !lines[i].includes(']')) value += ' ' + lines[i].replace(/^#/, '').trim();
        value += ' ' + (lines[i] ?? '').replace(/^#/, '').trim();
      }
      const t = value.startsWith('[') ? 'l' : value.startsWith('"') ? 's' : /^-?\d+$/.test(value) ? 'i' : 's';
      const d = t === 'i' ? Number(value) : t === 's' ? value.replace(/^"|"$/g, '') : [...value.matchAll(/"([^"]*)"/g)].map((x) => x[1]);
      const help = para.join(' ').replace(/\s+/g, ' ').trim();
      const sentence = (/^(.*?[.!?])(\s|$)/.exec(help)?.[1] ?? help).slice(0, 300);
      // The first occurrence documents the setting (some appear again as alternative examples).
      if (!keys[key]) keys[key] = { t, h: sentence, ...(value ? { d } : {}) };
      continue;
    }
    if (/^#\s*$/.test(line) || line.trim() === '') {
      // A blank comment line inside a paragraph keeps it; a real blank line ends it.
      if (line.trim() === '') para = [];
      continue;
    }
    if (line.startsWith('#')) {
      const t = line.replace(/^#\s?/, '');
      // An example line of a list (`#    "/dev/null", ...`) is not help.
      if (!/^\s*["\]]/.test(t)) para.push(t);
    }
  }
  return keys;
}
