// Generates src/core/catalog/oslo-zed.json, the option catalog ostopo ships, from the oslo-config-generator
// JSON of Debian 12's Zed packages (../shared/oslo-check/options/zed). Keeps what the core needs: each
// option's type, default, choices and the first sentence of its help, per service file and section.
// Usage: node scripts/gen-catalog.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/gen-catalog.mjs OPTIONS_DIR');
  process.exit(2);
}
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
};
const firstSentence = (h) => {
  if (!h) return '';
  const flat = String(h).replace(/\s+/g, ' ').trim();
  const m = /^(.{20,}?[.!?])(\s|$)/.exec(flat);
  const s = m ? m[1] : flat;
  return s.length > 220 ? s.slice(0, 217) + '...' : s;
};
const out = { release: 'zed', source: 'oslo-config-generator JSON of Debian 12 Zed packages', files: {} };
for (const f of fs.readdirSync(dir).sort()) {
  if (!f.endsWith('.json') || f.startsWith('_')) continue;
  const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const [file, spec] of Object.entries(data.files)) {
    const sections = {};
    for (const [sec, body] of Object.entries(spec.sections).sort(([a], [b]) => (a === 'DEFAULT' ? -1 : b === 'DEFAULT' ? 1 : a.localeCompare(b)))) {
      const opts = {};
      for (const [name, o] of Object.entries(body.opts).sort(([a], [b]) => a.localeCompare(b))) {
        const t = TYPE[o.type];
        if (!t) throw new Error(`unknown type ${o.type} for ${file} [${sec}] ${name}`);
        const e = { t, h: firstSentence(o.help) };
        if (o.default !== undefined && o.default !== null && o.default !== '' && !(Array.isArray(o.default) && o.default.length === 0)) e.d = o.default;
        if (o.choices && o.choices.length) e.c = o.choices.map((c) => (Array.isArray(c) ? c[0] : c));
        if (o.deprecated_for_removal) e.x = 1;
        if (o.secret) e.k = 1;
        opts[name] = e;
      }
      sections[sec] = opts;
    }
    out.files[`${data.service}/${file}`] = sections;
  }
}
// keystoneauth1 plugin options are registered at run time in sections that have `auth_type`.
const plugins = JSON.parse(fs.readFileSync(path.join(dir, '_keystoneauth1_plugins.json'), 'utf8')).plugins;
out.authPlugins = {};
for (const name of ['password', 'v3password', 'token', 'v3token']) {
  if (!plugins[name]) continue;
  const opts = {};
  for (const o of plugins[name]) {
    opts[o.dest] = { t: 's', h: firstSentence(o.help) };
    if (o.secret) opts[o.dest].k = 1;
  }
  out.authPlugins[name] = opts;
}
const target = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src', 'core', 'catalog', 'oslo-zed.json');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${target}: ${Object.keys(out.files).length} files, ${fs.statSync(target).size} bytes`);
