#!/usr/bin/python3
"""Check rendered OpenStack config files with oslo.config itself.

    /usr/bin/python3 test/oslo/oslo_check.py [--options DIR] SERVICE[/FILE] PATH [SERVICE[/FILE] PATH ...]

SERVICE is a service of DIR (keystone, glance, nova, placement, neutron); FILE one of its files
(nova.conf, ml2_conf.ini...). SERVICE alone means the file named like PATH if the service has one,
else the service's main file. Any number of pairs: one Python start checks them all.

For each file, every option the service defines for it is registered from DIR (default:
options/zed beside this script: oslo-config-generator JSON of Debian 12's Zed packages) as the real
oslo.config Opt classes and types; the options that services register only at runtime are added
(the keystoneauth1 plugin named by a section's auth_type, glance_store and cinder backend sections
named by [DEFAULT] enabled_backends); then oslo.config parses the file and every option the file sets is read
back through oslo.config, which converts it and raises on what its type, choices or range reject.

Prints one JSON report:
    {"errors": N, "warnings": N, "files": [{"service", "file", "path", "errors", "warnings",
                                            "findings": [{"level", "code", "section", "option",
                                                          "line", "message"}]}]}
ERROR codes: unknown-section, unknown-option (with a did-you-mean), invalid-value (oslo.config's
own error), unknown-auth-plugin, unknown-store, parse-error.
WARNING codes: deprecated-for-removal, deprecated-name, duplicate-option (a key set twice that is not
multi-valued: oslo.config reads the last one).
Not checked: required options, driver and entry-point names (a valid string such as
`provider = fernt` passes), values of options the file does not set.

Exit status: 0 no errors, 1 errors, 2 could not run (bad arguments, unknown service or file,
unreadable file, oslo.config missing). Standard library and oslo.config only (Debian:
python3-oslo.config, seen by /usr/bin/python3).
"""
import argparse
import difflib
import functools
import json
import logging
import os
import sys
import traceback

try:
    from oslo_config import cfg
    from oslo_config import types
except ImportError:
    sys.stderr.write('oslo_check: %s cannot import oslo_config; install it with:\n'
                     '  apt-get install -y --no-install-recommends python3-oslo.config\n' % sys.executable)
    sys.exit(2)

DEFAULT_OPTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'options', 'zed')
PLUGINS_FILE = '_keystoneauth1_plugins.json'
ERROR, WARNING = 'ERROR', 'WARNING'

# glance: a backend of [DEFAULT] enabled_backends = NAME:STORE gets a section [NAME] with the options of
# its store. The generator lists each store's options once, in the section named here; those sections
# exist only as templates (glance never reads a section called [file] unless a backend has that name).
GLANCE_STORES = {
    'file': 'file',
    'cinder': 'cinder',
    'http': 'glance.store.http.store',
    'rbd': 'glance.store.rbd.store',
    's3': 'glance.store.s3.store',
    'swift': 'glance.store.swift.store',
    'vmware': 'glance.store.vmware_datastore.store',
}
# ...and glance adds two stores of its own, of type file, whenever enabled_backends is set.
GLANCE_RESERVED_STORES = ('os_glance_staging_store', 'os_glance_tasks_store')

# keystoneauth1 declares its plugin options with Python's own types, and registers them as such.
PLUGIN_TYPES = {'String': str, 'Integer': int, 'Float': float, 'Boolean': bool}


class CannotRun(Exception):
    """Bad arguments, unknown service or file, unreadable file: exit status 2."""


def norm(section):
    """A section name as oslo.config looks it up: [DEFAULT] as is, any other in lower case."""
    return section if section == 'DEFAULT' else section.lower()


# ------------------------------------------------------------------------------------------------
# The option data, as oslo.config objects
# ------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def read_json(path):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except OSError as e:
        raise CannotRun('cannot read option data %s: %s' % (path, e.strerror))


def string_type(td):
    """oslo_config.types.String from the type detail the data keeps (choices, regex, length...)."""
    return types.String(choices=td.get('choices'), quotes=td.get('quotes', False), regex=td.get('regex'),
                        ignore_case=td.get('ignore_case', False), max_length=td.get('max_length'))


# Types of a service's own code that subclass oslo.config's String (their extra validation is not in the
# data): nova 2025.1's [quota] unified_limits_resource_list items.
SERVICE_STRING_TYPES = {'UnifiedLimitsResource'}


def item_type(td):
    """The type of a list's items or of a dict's values."""
    kind = td.get('class', 'String')
    if kind == 'String':
        return string_type(td)
    if kind == 'Integer':
        return types.Integer(min=td.get('min'), max=td.get('max'), choices=td.get('choices'))
    if kind == 'Dict':
        return types.Dict(value_type=item_type(td.get('value_type', {})), bounds=td.get('bounds', False))
    if kind == 'IPAddress':
        # cinder's list options of IP addresses (backend_defaults included_domain_ips, ...).
        return types.IPAddress(version=td.get('version'))
    if kind == 'callable':
        # A function of the service's own code (e.g. nova's privsep capabilities): not in the data.
        return types.String()
    if kind in SERVICE_STRING_TYPES:
        return types.String()
    raise CannotRun('option data: unsupported item type %r' % kind)


def make_opt(dest, m):
    """The oslo.config Opt of one option of the data (m: type, default, min/max, choices, tdetail...)."""
    td = m.get('tdetail', {})

    def param(key):
        return td.get(key, m.get(key))

    # The default matters for $name substitution in the values the file sets (oslo.config checks it
    # against the type here, as it does for the service's own definition).
    kw = dict(dest=dest, default=m.get('default'), secret=m.get('secret', False),
              deprecated_opts=[cfg.DeprecatedOpt(name, group=group) for group, name in m.get('deprecated_names', [])],
              deprecated_for_removal=m.get('deprecated_for_removal', False),
              deprecated_reason=m.get('deprecated_reason'), deprecated_since=m.get('deprecated_since'))
    name, kind = m.get('name', dest), m['type']
    if kind == 'string value':
        opt = cfg.StrOpt(name, choices=param('choices'), quotes=td.get('quotes', False), regex=td.get('regex'),
                         ignore_case=td.get('ignore_case', False), max_length=td.get('max_length'), **kw)
    elif kind == 'integer value' and param('choices'):
        # IntOpt takes no choices: such options are declared as Opt(type=types.Integer(choices=...))
        opt = cfg.Opt(name, type=types.Integer(min=param('min'), max=param('max'), choices=param('choices')), **kw)
    elif kind in ('integer value', 'IPv4 zone prefix', 'IPv6 zone prefix'):
        # neutron 2025.1's designate zone prefixes are Integer subclasses (their step is not in the data).
        opt = cfg.IntOpt(name, min=param('min'), max=param('max'), **kw)
    elif kind == 'port value':
        opt = cfg.PortOpt(name, min=param('min'), max=param('max'), choices=param('choices'), **kw)
    elif kind == 'floating point value':
        opt = cfg.FloatOpt(name, min=param('min'), max=param('max'), **kw)
    elif kind == 'boolean value':
        opt = cfg.BoolOpt(name, **kw)
    elif kind == 'list value':
        opt = cfg.ListOpt(name, item_type=item_type(td.get('item_type', {})), bounds=td.get('bounds', False), **kw)
    elif kind == 'dict value':
        opt = cfg.DictOpt(name, **kw)
    elif kind == 'multi valued':
        opt = cfg.MultiStrOpt(name, **kw)
    elif kind == 'host address value':
        opt = cfg.HostAddressOpt(name, version=td.get('version'), **kw)
    elif kind == 'hostname value':
        opt = cfg.HostnameOpt(name, **kw)
    elif kind == 'host domain value':
        opt = cfg.HostDomainOpt(name, version=td.get('version'), **kw)
    elif kind == 'IP address value':
        opt = cfg.IPOpt(name, version=td.get('version'), **kw)
    elif kind == 'uri value':
        opt = cfg.URIOpt(name, max_length=td.get('max_length'), schemes=td.get('schemes'), **kw)
    elif kind == 'unknown value' and td.get('class') == 'function':
        # oslo.config's own command-line options that cinder's namespaces list (config_file, config_dir):
        # typed by a function; the generator cannot name it. A file never sets them.
        opt = cfg.StrOpt(name, **dict(kw, default=None))
    else:
        raise CannotRun('option data: %s has an unsupported type %r' % (dest, kind))
    return opt


def auth_common_opts():
    """What keystoneauth1's register_auth_conf_options adds to a section: the plugin's name, and the
    section that holds its options when it is not this one."""
    return [cfg.StrOpt('auth_type', deprecated_opts=[cfg.DeprecatedOpt('auth_plugin')]), cfg.StrOpt('auth_section')]


def plugin_opt(p):
    """One option of a keystoneauth1 plugin, built as keystoneauth1 builds it (Opt._to_oslo_opt)."""
    return cfg.Opt(p['name'], type=PLUGIN_TYPES[p['class']], dest=p['dest'], secret=p.get('secret', False),
                   deprecated_opts=[cfg.DeprecatedOpt(n) for n in p.get('deprecated', [])])


@functools.lru_cache(maxsize=None)
def service_file(options_dir, service, fname):
    """(static opts as [(section, Opt)], glance store templates {section: [Opt]}) of one file of a service.
    Built once per batch: Opt objects are definitions, each file's ConfigOpts registers the same ones."""
    data = read_json(os.path.join(options_dir, service + '.json'))['files'][fname]
    static, templates = [], {}
    for section, body in data['sections'].items():
        opts = body['opts']
        if service == 'glance' and section in GLANCE_STORES.values():
            templates[section] = [make_opt(dest, m) for dest, m in opts.items()]
            continue
        # Options of a keystoneauth1 plugin (password, mostly) that the generator lists as an example
        # (ksa_plugin in the data): at runtime a section has those of the plugin its auth_type names,
        # registered by FileCheck.add_auth_plugins.
        plugin_listed = any(m.get('ksa_plugin') for m in opts.values())
        static += [(section, make_opt(dest, m)) for dest, m in opts.items() if not m.get('ksa_plugin')]
        if plugin_listed and 'auth_type' not in opts:
            # e.g. [oslo_limit]: the library registers auth_type itself when it loads its plugin.
            static += [(section, o) for o in auth_common_opts()]
    return static, templates


def resolve(options_dir, spec, path):
    """(service, file) of a SERVICE[/FILE] argument."""
    service, _, fname = spec.partition('/')
    if not service.isidentifier() or service.startswith('_'):
        raise CannotRun('not a service: %r' % spec)
    sfile = os.path.join(options_dir, service + '.json')
    if not os.path.exists(sfile):
        have = sorted(f[:-5] for f in os.listdir(options_dir) if f.endswith('.json') and not f.startswith('_'))
        raise CannotRun('no option data for service %r in %s (have: %s)' % (service, options_dir, ', '.join(have)))
    files = read_json(sfile)['files']
    if not fname:
        fname = os.path.basename(path) if os.path.basename(path) in files else next(iter(files))
    if fname not in files:
        raise CannotRun('service %s has no file %r (have: %s)' % (service, fname, ', '.join(files)))
    return service, fname


# ------------------------------------------------------------------------------------------------
# One file
# ------------------------------------------------------------------------------------------------

class LineParser(cfg.ConfigParser):
    """oslo.config's own parser of config files, remembering the line of each section and of each key."""

    def __init__(self, path):
        super().__init__(path, {})
        self.lines = {}             # (section, None) -> line of the header; (section, key) -> [lines]
        self._key_line = 0

    def new_section(self, section):
        super().new_section(section)
        self.lines.setdefault((section, None), [self.lineno])

    def _split_key_value(self, line):
        self._key_line = self.lineno  # the key's own line: assignment() comes after its continuation lines
        return super()._split_key_value(line)

    def assignment(self, key, value):
        super().assignment(key, value)
        self.lines.setdefault((self.section, key), []).append(self._key_line)


class FileCheck:
    """Checks one rendered file: see the module's docstring."""

    def __init__(self, options_dir, service, fname, path):
        self.service, self.fname, self.path = service, fname, path
        self.plugins = read_json(os.path.join(options_dir, PLUGINS_FILE))['plugins']
        self.static, self.templates = service_file(options_dir, service, fname)
        self.conf = cfg.ConfigOpts()
        self.known = {}             # section -> {dest: Opt}: every option registered with self.conf
        self.plugin_of = {}         # section -> the keystoneauth1 plugin its auth_type names
        self.unjudged = set()       # sections whose auth_type names no plugin: their plugin options are not judged
        self.findings = []

    def add(self, level, code, section, option, message, line=None):
        if line is None and section is not None:
            line = self.lines.get((section, option), [None])[0]
        self.findings.append({'level': level, 'code': code, 'section': section, 'option': option,
                              'line': line, 'message': message})

    def run(self):
        parser = LineParser(self.path)
        try:
            parser.parse()
        except OSError as e:
            raise CannotRun('cannot read %s: %s' % (self.path, e.strerror))
        except cfg.ParseError as e:
            self.lines = {}
            self.add(ERROR, 'parse-error', None, None, 'oslo.config cannot parse the file: %s' % e, e.lineno)
            return self.report()
        self.sections, self.lines = parser.sections, parser.lines
        for section, opt in self.static:
            self.register(section, opt)
        # Load the file the way a service does; runtime options are registered after, as services do.
        self.conf(args=[], project=self.service, prog='oslo_check', default_config_files=[self.path],
                  default_config_dirs=[], use_env=False)
        self.add_auth_plugins()
        if self.service == 'glance':
            self.add_glance_stores()
        if self.service == 'cinder':
            self.add_cinder_backends()
        self.check_names()
        self.check_values()
        return self.report()

    def report(self):
        self.findings.sort(key=lambda f: f['line'] or 0)     # in file order
        count = {lv: sum(1 for f in self.findings if f['level'] == lv) for lv in (ERROR, WARNING)}
        return {'service': self.service, 'file': self.fname, 'path': self.path, 'errors': count[ERROR],
                'warnings': count[WARNING], 'findings': self.findings}

    # -- registering ---------------------------------------------------------------------------

    def register(self, section, opt):
        if section == 'DEFAULT' and opt.dest in ('config_file', 'config_dir'):
            # Command-line options that ConfigOpts registers itself.
            self.known.setdefault(section, {})[opt.dest] = opt
            return
        try:
            self.conf.register_opt(opt, group=None if section == 'DEFAULT' else section)
        except cfg.DuplicateOptError:
            return                  # the section has an option of that name already: the first one stays
        self.known.setdefault(section, {})[opt.dest] = opt

    def get(self, section, dest):
        """The value oslo.config reads for an option, or None when it is unset or invalid (reported later)."""
        try:
            return self.conf[dest] if section == 'DEFAULT' else self.conf[section][dest]
        except (cfg.Error, ValueError):
            return None

    def add_auth_plugins(self):
        """keystoneauth1: a section with auth_type gets the options of the plugin it names, as
        load_auth_from_conf_options registers them; auth_section moves them to another section."""
        for section in [s for s, opts in self.known.items() if 'auth_type' in opts]:
            target = ('auth_section' in self.known[section] and self.get(section, 'auth_section')) or section
            if target not in self.known:
                for opt in auth_common_opts():
                    self.register(target, opt)
            plugin = self.get(target, 'auth_type')
            if not plugin or target in self.plugin_of:
                continue
            if plugin not in self.plugins:
                close = difflib.get_close_matches(plugin, self.plugins, 1, 0.6)
                self.add(ERROR, 'unknown-auth-plugin', target, 'auth_type',
                         'no keystoneauth1 plugin %r%s (have: %s)' % (
                             plugin, '; did you mean %r?' % close[0] if close else '', ', '.join(sorted(self.plugins))))
                self.unjudged.add(target)
                continue
            self.plugin_of[target] = plugin
            for p in self.plugins[plugin]:
                self.register(target, plugin_opt(p))

    def add_glance_stores(self):
        """glance: [DEFAULT] enabled_backends = NAME:STORE,... gives each backend a section [NAME]
        with its store's options (glance_store's register_store_opts)."""
        backends = self.get('DEFAULT', 'enabled_backends')     # a dict, parsed by oslo.config
        if not backends:
            return
        for name, store in list(backends.items()) + [(r, 'file') for r in GLANCE_RESERVED_STORES]:
            template = GLANCE_STORES.get(store)
            if template is None:
                close = difflib.get_close_matches(store or '', GLANCE_STORES, 1, 0.6)
                self.add(ERROR, 'unknown-store', 'DEFAULT', 'enabled_backends',
                         'backend %r: no glance_store driver %r%s (have: %s)' % (
                             name, store, '; did you mean %r?' % close[0] if close else '', ', '.join(GLANCE_STORES)))
                continue
            for opt in self.templates.get(template, []):
                self.register(name, opt)

    def add_cinder_backends(self):
        """cinder: each backend of [DEFAULT] enabled_backends = NAME,... is a section [NAME] with the
        volume drivers' options, the ones [backend_defaults] holds (cinder's volume manager registers them
        under the backend's name)."""
        for name in self.get('DEFAULT', 'enabled_backends') or []:
            for opt in list(self.known.get('backend_defaults', {}).values()):
                self.register(name, opt)

    # -- checking ------------------------------------------------------------------------------

    def check_names(self):
        """Every section and key of the file against what oslo.config reads: unknown ones (with a
        hint), deprecated names, options deprecated for removal, keys set twice."""
        # (section as looked up, key) -> (section, dest) of the option that reads it: names first,
        # then deprecated names (which oslo.config also reads, after the name).
        self.index = {}
        for section, opts in self.known.items():
            for dest in opts:
                self.index[(norm(section), dest)] = (section, dest)
        for section, opts in self.known.items():
            for dest, opt in opts.items():
                for d in opt.deprecated_opts:
                    self.index.setdefault((norm(d.group or section), d.name or dest), (section, dest))
        known_sections = {s for s, _ in self.index}
        self.group_of = {norm(g): g for g in self.known}     # a section of the file -> its registered group
        self.set_options = {}       # (section, dest) -> (section, key) in the file that sets it
        for section, keys in self.sections.items():
            if norm(section) not in known_sections:
                self.add(ERROR, 'unknown-section', section, None, 'not a section of %s %s%s' % (
                    self.service, self.fname, self.section_hint(section, known_sections)))
                continue
            for key, values in keys.items():
                target = self.index.get((norm(section), key))
                if target is None:
                    if not (self.group_of.get(norm(section)) in self.unjudged and self.plugins_with(key)):
                        self.add(ERROR, 'unknown-option', section, key, 'not an option of %s %s [%s]%s' % (
                            self.service, self.fname, section, self.option_hint(section, key)))
                    continue
                opt = self.known[target[0]][target[1]]
                if (norm(target[0]), target[1]) == (norm(section), key):
                    self.set_options[target] = (section, key)
                else:
                    self.set_options.setdefault(target, (section, key))
                    self.add(WARNING, 'deprecated-name', section, key, 'deprecated name: use [%s] %s' % target)
                if opt.deprecated_for_removal:
                    self.add(WARNING, 'deprecated-for-removal', section, key, 'deprecated for removal%s%s' % (
                        ' since %s' % opt.deprecated_since if opt.deprecated_since else '',
                        ': ' + ' '.join(opt.deprecated_reason.split()) if opt.deprecated_reason else ''))
                if len(values) > 1 and not opt.multi:
                    self.add(WARNING, 'duplicate-option', section, key,
                             'set %d times; it is not multi-valued: oslo.config reads the last one' % len(values))

    def section_hint(self, section, known_sections):
        if section.lower() == 'default':
            return ' (oslo.config reads [DEFAULT], in upper case)'
        close = difflib.get_close_matches(norm(section), sorted(known_sections), 3, 0.75)
        return ' (did you mean %s?)' % ', '.join('[%s]' % c for c in close) if close else ''

    def plugins_with(self, key):
        return sorted(p for p, opts in self.plugins.items() if any(o['dest'] == key for o in opts))

    def option_hint(self, section, key):
        names = sorted(k for s, k in self.index if s == norm(section))
        close = difflib.get_close_matches(key, names, 3, 0.75)
        hints = ['did you mean %s?' % ', '.join(close)] if close else []
        plugins, group = self.plugins_with(key), self.group_of.get(norm(section))
        if plugins and 'auth_type' in self.known.get(group, {}):
            hints.append('an option of the keystoneauth1 plugin%s %s, read only when auth_type names one%s' % (
                's' if len(plugins) > 1 else '', ', '.join(plugins[:4]) + (', ...' if len(plugins) > 4 else ''),
                ' (here auth_type = %s)' % self.plugin_of[group] if group in self.plugin_of else ''))
        elif not close:
            elsewhere = sorted(s for s, opts in self.known.items() if key in opts)
            if elsewhere:
                hints.append('an option of %s' % ', '.join('[%s]' % s for s in elsewhere[:4]))
        return '; ' + '; '.join(hints) if hints else ''

    def check_values(self):
        """Reads back through oslo.config every option the file sets: oslo.config converts the text
        then, and raises on a value that its type, choices or range reject, or on a bad $reference."""
        for (group, dest), (section, key) in self.set_options.items():
            try:
                self.conf[dest] if group == 'DEFAULT' else self.conf[group][dest]
            except (cfg.ConfigFileValueError, cfg.TemplateSubstitutionError) as e:
                reason = str(e).split(' is not valid: ', 1)[-1]    # drop "Value for option X from <location>"
            except cfg.NoSuchOptError as e:
                # $name naming no option: oslo.config raises NoSuchOptError, the innermost one names it
                while isinstance(e.__context__, cfg.NoSuchOptError):
                    e = e.__context__
                reason = 'a $reference names no option (%s)' % e
            else:
                continue
            opt = self.known[group][dest]
            kind = getattr(opt.type, 'type_name', None) or opt.type.__name__    # keystoneauth1's: str, int...
            self.add(ERROR, 'invalid-value', section, key, 'oslo.config rejects %r (%s): %s' % (
                self.sections[section][key][-1], kind, reason), line=self.lines[(section, key)][-1])


# ------------------------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 usage='%(prog)s [--options DIR] SERVICE[/FILE] PATH [SERVICE[/FILE] PATH ...]')
    ap.add_argument('--options', default=DEFAULT_OPTIONS, metavar='DIR',
                    help='oslo-config-generator JSON of the release (default: %(default)s)')
    ap.add_argument('pairs', nargs='+', metavar='SERVICE[/FILE] PATH')
    a = ap.parse_args(argv)
    if len(a.pairs) % 2:
        ap.error('give SERVICE[/FILE] PATH pairs')
    # oslo.config logs deprecated names and values it reads; they are findings here
    logging.disable(logging.CRITICAL)
    reports = []
    for spec, path in zip(a.pairs[::2], a.pairs[1::2]):
        service, fname = resolve(a.options, spec, path)
        reports.append(FileCheck(a.options, service, fname, path).run())
    errors = sum(r['errors'] for r in reports)
    json.dump({'errors': errors, 'warnings': sum(r['warnings'] for r in reports), 'files': reports},
              sys.stdout, indent=1, default=str)
    sys.stdout.write('\n')
    return 1 if errors else 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except CannotRun as e:
        sys.stderr.write('oslo_check: %s\n' % e)
        sys.exit(2)
    except Exception:
        # a failure of the checker itself, not a finding: never exit 1 ("the files have errors") on it
        traceback.print_exc()
        sys.exit(2)
