#!/usr/bin/python3
"""Read an oslo.config file back the way a service does, and the URLs in it the way their libraries do.

    /usr/bin/python3 test/oslo/read_back.py FILE

Every option of every section of FILE is registered as a StrOpt (secret=True, like password options)
and read through oslo.config's ConfigOpts: its INI parser (quotes, white space) and its `$`
substitution, exactly as a service gets the value. For a value that is a URL (`scheme://...`), its
user name and password are also decoded:
  - `sqlalchemy`: by SQLAlchemy's own `sqlalchemy.engine.url.make_url` (Debian's python3-sqlalchemy),
    as oslo.db hands `[database] connection` to it;
  - `transport`: by the netloc rules of oslo.messaging's TransportURL.parse (14.0.3, Zed), with
    Python's urllib.parse as it does (urlparse, split hosts on `,`, credentials before the last `@`,
    user and password split on the first `:`, each `unquote`d). oslo.messaging itself is not
    installed here: Debian's package brings some 50 others.

Prints JSON: {"SECTION": {"OPTION": {"value": ..., "sqlalchemy": {"username", "password"} | null,
"transport": {"username", "password"} | null}}}. Exit status 0, or 2 when it cannot run.
"""
import json
import sys
from urllib import parse

try:
    from oslo_config import cfg
except ImportError:
    sys.stderr.write('read_back: %s cannot import oslo_config; install it with:\n'
                     '  apt-get install -y --no-install-recommends python3-oslo.config\n' % sys.executable)
    sys.exit(2)
try:
    from sqlalchemy.engine.url import make_url
except ImportError:
    sys.stderr.write('read_back: %s cannot import sqlalchemy; install it with:\n'
                     '  apt-get install -y --no-install-recommends python3-sqlalchemy\n' % sys.executable)
    sys.exit(2)


def transport_credentials(url):
    """User and password of the first host of a transport URL, as oslo.messaging's TransportURL.parse."""
    netloc = parse.urlparse(url).netloc
    for host in netloc.split(','):
        if not host:
            continue
        username = password = None
        if '@' in host:
            username, _ = host.rsplit('@', 1)
            if ':' in username:
                username, password = username.split(':', 1)
                password = parse.unquote(password)
            username = parse.unquote(username)
        return {'username': username, 'password': password}
    return None


def sqlalchemy_credentials(url):
    try:
        u = make_url(url)
    except Exception as e:  # an unparsable URL is a result too
        return {'error': '%s: %s' % (type(e).__name__, e)}
    return {'username': u.username, 'password': u.password}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    path = sys.argv[1]
    sections = {}
    try:
        cfg.ConfigParser(path, sections).parse()
    except Exception as e:
        sys.stderr.write('read_back: cannot parse %s: %s\n' % (path, e))
        sys.exit(2)
    conf = cfg.ConfigOpts()
    for section, options in sections.items():
        group = None if section == 'DEFAULT' else section
        conf.register_opts([cfg.StrOpt(name, secret=True) for name in options], group=group)
    conf(args=[], default_config_files=[path], project='read_back', use_env=False)
    out = {}
    for section, options in sections.items():
        group = conf if section == 'DEFAULT' else conf[section]
        for name in options:
            try:
                value = group[name]
            except Exception as e:  # a substitution that fails is what the service would see
                out.setdefault(section, {})[name] = {'error': '%s: %s' % (type(e).__name__, e)}
                continue
            entry = {'value': value, 'sqlalchemy': None, 'transport': None}
            if isinstance(value, str) and '://' in value:
                entry['sqlalchemy'] = sqlalchemy_credentials(value)
                entry['transport'] = transport_credentials(value)
            out.setdefault(section, {})[name] = entry
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
