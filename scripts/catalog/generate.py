#!/usr/bin/python3
"""Writes the oslo.config option definitions of one OpenStack release, as the release's packages have them.

Runs inside a Debian node of the release's suite that has the packages of namespaces.json installed
(scripts/gen-catalog.mjs prepares the node, runs this and reads the output back). Must run with
Debian's interpreter, /usr/bin/python3, which sees the python3-* packages.

    /usr/bin/python3 generate.py RELEASE NAMESPACES_JSON OUT_DIR

For every service file of the release in namespaces.json it runs the real generator,
    oslo-config-generator --format json --output-file OUT_DIR/SERVICE__FILE.json --namespace NS ...
after checking that each namespace is an installed `oslo.config.opts` entry point (the generator only
logs a warning for a missing one, which would silently drop its options). It also writes
OUT_DIR/_keystoneauth1_plugins.json, the options of the keystoneauth1 auth plugins a service section
takes once it says `auth_type` (registered at run time, so no namespace lists them), and
OUT_DIR/versions.json, the versions of oslo.config and of the packages the options came from, and the
node's host name (some defaults are the generating host's name: the catalog leaves those out).
"""
import importlib.metadata
import json
import os
import socket
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: generate.py RELEASE NAMESPACES_JSON OUT_DIR')
    release, spec_path, out = sys.argv[1:]
    spec = json.load(open(spec_path))[release]
    os.makedirs(out, exist_ok=True)
    installed = {ep.name for ep in importlib.metadata.entry_points(group='oslo.config.opts')}
    missing = sorted({ns for files in spec['files'].values() for nss in files.values() for ns in nss if ns not in installed})
    if missing:
        sys.exit('namespaces without an installed oslo.config.opts entry point: %s' % ', '.join(missing))
    for service, files in spec['files'].items():
        for name, namespaces in files.items():
            target = os.path.join(out, '%s__%s.json' % (service, name))
            cmd = ['oslo-config-generator', '--format', 'json', '--output-file', target]
            for ns in namespaces:
                cmd += ['--namespace', ns]
            subprocess.run(cmd, check=True)
            print('%-10s %-24s %8d bytes' % (service, name, os.path.getsize(target)))

    from keystoneauth1 import loading
    plugins = {}
    for plugin in ('password', 'v3password', 'token', 'v3token'):
        plugins[plugin] = [{'dest': o.dest, 'help': o.help or '', 'secret': bool(o.secret)} for o in loading.get_plugin_options(plugin)]
    with open(os.path.join(out, '_keystoneauth1_plugins.json'), 'w') as f:
        json.dump({'plugins': plugins}, f, indent=1, sort_keys=True)

    packages = spec['packages'] + ['python3-oslo.config']
    query = subprocess.run(['dpkg-query', '-W', '-f', '${Package} ${Version}\\n'] + packages, check=True, capture_output=True, text=True)
    versions = dict(line.split(' ', 1) for line in query.stdout.splitlines() if line)
    with open(os.path.join(out, 'versions.json'), 'w') as f:
        json.dump({'release': release, 'suite': spec['suite'], 'hostname': socket.gethostname(), 'packages': versions}, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
