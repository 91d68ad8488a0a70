// Generates src/core/catalog/oslo-RELEASE.json, the option catalog ostopo ships for a release, from the
// release's own Debian packages: in a fresh test node of the release's suite (../shared/testnodes), it
// installs the packages of scripts/catalog/namespaces.json, runs scripts/catalog/generate.py there
// (oslo-config-generator --format json with the upstream namespace lists), reads its output back and
// keeps what the core needs: each option's type, default, choices, the first sentence of its help,
// whether it is secret or deprecated for removal, per service file and section.
//
//   node scripts/gen-catalog.mjs RELEASE              as root; the node is destroyed afterwards
//   node scripts/gen-catalog.mjs RELEASE --raw DIR    from generate.py's output of an earlier run
//
// The generator's output is kept in build/catalog/RELEASE/ for review. Environment: TESTNODES (the
// testnodes tool, default ../shared/testnodes/testnodes), TESTNODES_ROOT (its state, as the tool has it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const [release, flag, rawArg] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(path.join(root, 'scripts/catalog/namespaces.json'), 'utf8'));
if (!release || !spec[release] || release.startsWith('_') || (flag && (flag !== '--raw' || !rawArg))) {
  console.error(
    `usage: node scripts/gen-catalog.mjs RELEASE [--raw DIR]; releases: ${Object.keys(spec)
      .filter((k) => !k.startsWith('_'))
      .join(', ')}`,
  );
  process.exit(2);
}
const rel = spec[release];
const raw = rawArg ? path.resolve(rawArg) : path.join(root, 'build', 'catalog', release);
const nodeName = `catalog-${release.replace(/\W/g, '-')}`;
if (!rawArg) generateInNode();
convert();

function generateInNode() {
  const tool = process.env.TESTNODES ?? path.join(root, '..', 'shared', 'testnodes', 'testnodes');
  const name = nodeName;
  // One loopback address per release, so both can run side by side.
  const ip = `127.0.9.${Object.keys(spec).indexOf(release) + 10}`;
  const t = (args, input) => execFileSync(tool, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  const ssh = (cmd, input) => t(['ssh', name, cmd], input);
  t(['destroy', name]);
  try {
    console.log(`node ${name} (${rel.image}) on ${ip}`);
    t(['create', name, ip, '--image', rel.image]);
    t(['start', name]);
    ssh(`apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends ${rel.packages.join(' ')} >/dev/null`);
    ssh('rm -rf /root/catalog && mkdir -p /root/catalog');
    for (const f of ['generate.py', 'namespaces.json']) ssh(`cat > /root/catalog/${f}`, fs.readFileSync(path.join(root, 'scripts/catalog', f)));
    process.stdout.write(ssh(`/usr/bin/python3 /root/catalog/generate.py ${release} /root/catalog/namespaces.json /root/catalog/out`));
    const tar = ssh('tar -C /root/catalog/out -cf - .');
    fs.rmSync(raw, { recursive: true, force: true });
    fs.mkdirSync(raw, { recursive: true });
    execFileSync('tar', ['-C', raw, '-xf', '-'], { input: tar });
  } finally {
    t(['destroy', name]);
  }
}

function convert() {
  const TYPE = {
    'string value': 's',
    'integer value': 'i',
    'boolean value': 'b',
    'list value': 'l',
    'floating point value': 'f',
    'multi valued': 'm',
    'port value': 'p',
    'uri value': 'u',
    'host address value': 'h',
    'host domain value': 'd',
    'dict value': 'D',
    'unknown value': 's',
    'IP address value': 'h',
    // neutron's designate options: integers in a range (oslo.config Integer subclasses).
    'IPv4 zone prefix': 'i',
    'IPv6 zone prefix': 'i',
  };
  const firstSentence = (h) => {
    if (!h) return '';
    const flat = String(h).replace(/\s+/g, ' ').trim();
    const m = /^(.{20,}?[.!?])(\s|$)/.exec(flat);
    const s = m ? m[1] : flat;
    return s.length > 220 ? s.slice(0, 217) + '...' : s;
  };
  const versions = JSON.parse(fs.readFileSync(path.join(raw, 'versions.json'), 'utf8'));
  // Defaults such as [DEFAULT] host are the generating node's name, not the release's: left out.
  const hostname = versions.hostname ?? nodeName;
  const out = {
    release,
    source: `oslo-config-generator JSON of Debian ${versions.suite} packages (${Object.entries(versions.packages)
      .filter(([p]) => /^python3-(nova|keystone|glance|placement|neutron|cinder|oslo\.config)$/.test(p))
      .map(([p, v]) => `${p.replace('python3-', '')} ${v}`)
      .join(', ')})`,
    files: {},
  };
  for (const [service, files] of Object.entries(rel.files)) {
    for (const file of Object.keys(files)) {
      const data = JSON.parse(fs.readFileSync(path.join(raw, `${service}__${file}.json`), 'utf8')).options;
      const sections = {};
      const names = Object.keys(data).sort((a, b) => (a === 'DEFAULT' ? -1 : b === 'DEFAULT' ? 1 : a.localeCompare(b)));
      for (const sec of names) {
        const opts = {};
        for (const o of [...data[sec].opts].sort((a, b) => a.dest.localeCompare(b.dest))) {
          const t = TYPE[o.type];
          if (!t) throw new Error(`unknown type ${o.type} for ${file} [${sec}] ${o.dest}`);
          const e = { t, h: firstSentence(o.help) };
          if (o.default !== undefined && o.default !== null && o.default !== '' && o.default !== hostname && !(Array.isArray(o.default) && o.default.length === 0)) e.d = o.default;
          if (o.choices && o.choices.length) e.c = o.choices.map((c) => (Array.isArray(c) ? c[0] : c));
          if (o.deprecated_for_removal) e.x = 1;
          if (o.secret) e.k = 1;
          opts[o.dest] = e;
        }
        sections[sec] = opts;
      }
      out.files[`${service}/${file}`] = sections;
    }
  }
  const plugins = JSON.parse(fs.readFileSync(path.join(raw, '_keystoneauth1_plugins.json'), 'utf8')).plugins;
  out.authPlugins = {};
  for (const [name, list] of Object.entries(plugins)) {
    const opts = {};
    for (const o of list) {
      opts[o.dest] = { t: 's', h: firstSentence(o.help) };
      if (o.secret) opts[o.dest].k = 1;
    }
    out.authPlugins[name] = opts;
  }
  const target = path.join(root, 'src', 'core', 'catalog', `oslo-${release}.json`);
  fs.writeFileSync(target, JSON.stringify(out) + '\n');
  console.log(`wrote ${path.relative(root, target)}: ${Object.keys(out.files).length} files, ${fs.statSync(target).size} bytes`);
}
