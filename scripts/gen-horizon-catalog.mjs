// Generates src/core/catalog/horizon-settings.json: the Django settings horizon's local_settings may set
// (name, type, default, the first sentence of the comment above it), read from the defaults modules of
// Debian's python3-django-horizon (openstack_dashboard, horizon, openstack_auth) and Django's own
// global_settings (python3-django). `config.horizon.local_settings` overrides are checked, completed and
// documented with it.
//
//   node scripts/gen-horizon-catalog.mjs [--debs DIR]
//
// Without --debs, both packages are fetched with `apt-get download` from this machine's apt lists; with
// it, DIR holds python3-django-horizon_*.deb and python3-django_*.deb (the committed catalog: Debian 13's,
// horizon 25.3 of 2025.1 and Django 4.2). Parsing is Python's ast (/usr/bin/python3): nothing is imported.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const debsArg = args[0] === '--debs' ? path.resolve(args[1] ?? '') : undefined;
if (args.length && !debsArg) {
  console.error('usage: node scripts/gen-horizon-catalog.mjs [--debs DIR]');
  process.exit(2);
}

const FILES = [
  ['python3-django-horizon', './usr/lib/python3/dist-packages/openstack_dashboard/defaults.py'],
  ['python3-django-horizon', './usr/lib/python3/dist-packages/horizon/defaults.py'],
  ['python3-django-horizon', './usr/lib/python3/dist-packages/openstack_auth/defaults.py'],
  ['python3-django', './usr/lib/python3/dist-packages/django/conf/global_settings.py'],
];

const PARSE = `
import ast, json, re, sys
out = {}
for path in sys.argv[1:]:
    text = open(path, encoding='utf-8').read()
    lines = text.split('\\n')
    for stmt in ast.parse(text).body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        if not re.match(r'^[A-Z][A-Z0-9_]*$', name) or name in out:
            continue
        # The comment block right above the assignment.
        help_lines = []
        i = stmt.lineno - 2
        while i >= 0 and lines[i].strip().startswith('#'):
            help_lines.insert(0, lines[i].strip().lstrip('#').strip())
            i -= 1
        help = ' '.join(l for l in help_lines if l and not set(l) <= set('-=#'))
        m = re.match(r'(.+?[.!?])(\\s|$)', help)
        help = (m.group(1) if m else help)[:300]
        v = stmt.value
        entry = {'h': help, 't': 'a'}
        try:
            d = ast.literal_eval(v)
            if isinstance(d, tuple):
                d = list(d)
            if isinstance(d, bool): entry['t'] = 'b'
            elif isinstance(d, int): entry['t'] = 'i'
            elif isinstance(d, float): entry['t'] = 'f'
            elif isinstance(d, str): entry['t'] = 's'
            elif isinstance(d, list): entry['t'] = 'l'
            elif isinstance(d, dict): entry['t'] = 'D'
            if d is not None:
                json.dumps(d)
                entry['d'] = d
        except Exception:
            if isinstance(v, ast.Dict): entry['t'] = 'D'
            elif isinstance(v, (ast.List, ast.Tuple)): entry['t'] = 'l'
        out[name] = entry
print(json.dumps(out))
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-horizon-'));
try {
  const dir = debsArg ?? tmp;
  if (!debsArg) {
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    execFileSync('apt-get', [...sandbox, '-q', 'download', 'python3-django-horizon', 'python3-django'], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const debOf = (pkg) => {
    const f = fs.readdirSync(dir).find((x) => x.startsWith(`${pkg}_`) && x.endsWith('.deb'));
    if (!f) throw new Error(`no ${pkg}_*.deb in ${dir}`);
    return path.join(dir, f);
  };
  const versions = {};
  const extracted = FILES.map(([pkg, member], i) => {
    const deb = debOf(pkg);
    versions[pkg] = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();
    const file = path.join(tmp, `${i}.py`);
    fs.writeFileSync(file, execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2"', 'sh', deb, member], { maxBuffer: 1 << 26 }));
    return file;
  });
  const keys = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PARSE, ...extracted], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const sorted = Object.fromEntries(
    Object.keys(keys)
      .sort()
      .map((k) => [k, keys[k]]),
  );
  const out = {
    source: `the defaults of Debian's python3-django-horizon ${versions['python3-django-horizon']} and python3-django ${versions['python3-django']}`,
    keys: sorted,
  };
  const file = path.join(root, 'src', 'core', 'catalog', 'horizon-settings.json');
  fs.writeFileSync(file, JSON.stringify(out) + '\n');
  console.log(`${path.relative(root, file)}: ${Object.keys(sorted).length} settings (horizon ${versions['python3-django-horizon']}, Django ${versions['python3-django']})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
