import { Remote } from './remote';

/**
 * The `openstack` client, started once per node for a verify run instead of once per command. Each
 * `openstack ...` of the install guide's checks is a Python start that imports the client and its plugins
 * (about 2 s of CPU on a small node) before it sends one request. Verify starts this server on a node whose
 * checks call `openstack`: it imports the client once, then forks a child for each command, which runs the
 * real openstackclient (`openstackclient.shell.main`) with the command's arguments, environment, folder and
 * standard streams (passed over a Unix socket), and returns its exit status. The checks call it through a
 * shell function of the same name; where the server is not there (not started, not ready, failed to import),
 * the function runs the `openstack` command as before. A command that has no result within a limit is
 * stopped and says which API request it was waiting for (an API that never answers made a check wait for
 * its whole time limit, saying nothing). Commands with the same credentials share one
 * sign-in (a token kept in the server's folder; `token issue` always signs in): with keystone's sign-ins at
 * a third of a second each, one per command was most of verify's time. The server listens in a private
 * folder (0700, tokens 0600), and goes away with verify, or by itself after ten idle minutes, taking the
 * tokens with it.
 */
export const OSC_SERVER = String.raw`import os, sys, socket, signal, struct, json, time
# Nothing of the command that started it is kept open (an SSH channel stays open while a process holds it).
os.closerange(3, 1024)
path = sys.argv[1]
# What every command imports: the client's shell, its plugins' command modules, and their clients.
from openstackclient import shell
try:
    import importlib.metadata as md
    groups = [g for g in md.entry_points().groups if g.startswith('openstack.')]
    for g in groups:
        for ep in md.entry_points(group=g):
            try:
                ep.load()
            except Exception:
                pass
except Exception:
    pass
# One sign-in per set of credentials for the whole run, not one per command: a child that signs in leaves
# its token (keystoneauth's auth state) in this private folder, under a hash of keystoneauth's cache id of
# the credentials (auth URL, user, password, project, domains: the same credentials only); the next
# child with the same credentials takes it up unless it expires within a minute. \`token issue\` always
# signs in (it is what it checks).
folder = os.path.dirname(os.path.abspath(path))
reuse = [True]
def remember_tokens():
    import hashlib
    from keystoneauth1.identity.generic import base as generic
    from keystoneauth1.identity.v3 import base as v3
    inside = [0]
    def wrap(cls):
        sign_in = cls.get_auth_ref
        def get_auth_ref(self, session, **kwargs):
            # The generic plugin signs in through a v3 one: only the outer call is remembered.
            if inside[0]:
                return sign_in(self, session, **kwargs)
            try:
                kept = os.path.join(folder, 'token-' + hashlib.sha256(self.get_cache_id().encode()).hexdigest())
            except Exception:
                kept = None
            if kept and reuse[0]:
                try:
                    with open(kept) as f:
                        self.set_auth_state(f.read())
                    if self.auth_ref is not None and not self.auth_ref.will_expire_soon(60):
                        return self.auth_ref
                except Exception:
                    pass
                self.auth_ref = None
            inside[0] += 1
            try:
                ref = sign_in(self, session, **kwargs)
            finally:
                inside[0] -= 1
            if kept and ref is not None:
                try:
                    self.auth_ref = ref
                    with os.fdopen(os.open(kept + '.%d' % os.getpid(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
                        f.write(self.get_auth_state())
                    os.rename(kept + '.%d' % os.getpid(), kept)
                except Exception:
                    pass
            return ref
        cls.get_auth_ref = get_auth_ref
    wrap(generic.BaseGenericPlugin)
    wrap(v3.Auth)
try:
    remember_tokens()
except Exception:
    pass
# The request a command is waiting on (method, URL without its query, since when): what a command stopped for
# taking too long says it was waiting for.
inflight = [None]
try:
    import requests
    send = requests.Session.send
    def send_remembered(self, request, **kwargs):
        inflight[0] = (request.method, str(request.url).split('?')[0], time.monotonic())
        try:
            return send(self, request, **kwargs)
        finally:
            inflight[0] = None
    requests.Session.send = send_remembered
except Exception:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path + '.new')
os.rename(path + '.new', path)
srv.listen(64)
srv.settimeout(600)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
sys.stdout.flush()
sys.stderr.flush()
while True:
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        break
    if os.fork():
        conn.close()
        continue
    srv.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    conn.settimeout(None)
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    while len(data) < 4 or len(data) < 4 + struct.unpack('!I', data[:4])[0]:
        more = conn.recv(65536)
        if not more:
            os._exit(1)
        data += more
    req = json.loads(data[4:].decode('utf-8', 'surrogateescape'))
    # The client stops a command that takes too long with SIGUSR1: it says what it was waiting for and ends.
    def overdue(signum, frame):
        r = inflight[0]
        if r:
            what = 'no answer to %s %s after %.0f s' % (r[0], r[1], time.monotonic() - r[2])
        else:
            where = []
            while frame is not None and len(where) < 3:
                where.append('%s:%d %s' % (os.path.basename(frame.f_code.co_filename), frame.f_lineno, frame.f_code.co_name))
                frame = frame.f_back
            what = 'not waiting for an API; busy in %s' % ' < '.join(where)
        try:
            os.write(2, ('openstack: %s\n' % what).encode('utf-8', 'replace'))
            conn.sendall(struct.pack('!i', 124))
        finally:
            os._exit(124)
    signal.signal(signal.SIGUSR1, overdue)
    conn.sendall(struct.pack('!i', os.getpid()))
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    os.environ.clear()
    os.environ.update(req['env'])
    os.chdir(req['cwd'])
    reuse[0] = not ('token' in req['argv'] and 'issue' in req['argv'])
    try:
        code = shell.main(req['argv'])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:
        print('openstack: %s' % e, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    conn.sendall(struct.pack('!i', code or 0))
    os._exit(0)
for name in os.listdir(folder):
    if name == os.path.basename(path) or name.startswith('token-'):
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass
`;

/**
 * The command side, in `python3 -S` (no site packages: it starts in a few milliseconds); $1 is the socket.
 * A command gets OSTOPO_OSC_LIMIT seconds (300 by default); one that takes longer is stopped, and says what
 * it was waiting for (the API request it sent, without its query), with exit status 124 as timeout(1).
 */
export const OSC_CLIENT = String.raw`import os, sys, socket, struct, json, signal
path = sys.argv[1]
argv = sys.argv[2:]
limit = float(os.environ.get('OSTOPO_OSC_LIMIT') or 300)
def fallback():
    os.execvp('openstack', ['openstack'] + argv)
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
except OSError:
    fallback()
env = dict(os.environb)
body = json.dumps({'argv': argv, 'cwd': os.getcwd(), 'env': {k.decode('utf-8', 'surrogateescape'): v.decode('utf-8', 'surrogateescape') for k, v in env.items()}}).encode('utf-8', 'surrogateescape')
def read_int():
    got = b''
    while len(got) < 4:
        more = s.recv(4 - len(got))
        if not more:
            return None
        got += more
    return struct.unpack('!i', got)[0]
try:
    socket.send_fds(s, [struct.pack('!I', len(body)) + body], [0, 1, 2])
    pid = read_int()
    s.settimeout(limit)
    code = read_int() if pid is not None else None
except socket.timeout:
    # The command's words before its first option (the object and the action): never a value.
    words = []
    for a in argv:
        if a.startswith('-') or len(words) == 2:
            break
        words.append(a)
    sys.stderr.write('openstack %s: no result in %g s; stopped\n' % (' '.join(words), limit))
    sys.stderr.flush()
    said = None
    try:
        os.kill(pid, signal.SIGUSR1)
        s.settimeout(10)
        said = read_int()
    except (OSError, socket.timeout):
        pass
    if said is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    sys.exit(124)
except OSError:
    code = None
if code is None:
    sys.stderr.write('openstack: the client server on this node went away\n')
    sys.exit(1)
sys.exit(code & 255)
`;

/** Whether a check's script runs the `openstack` command. */
export const usesOpenstack = (run: string): boolean => /(^|[\s;|&(`$'"])openstack\s/m.test(run);

/**
 * Starts the server on the node; resolves to the lines that make a check's `openstack` go through it (a
 * shell function, `oscPrelude`), and a stop. `env`: more environment for the server (where it finds python3
 * and the client; the node's own by default). Never fails: when the server cannot be started the
 * prelude is empty and the checks run `openstack` as they would without it.
 */
export async function startOscServer(r: Remote, o: { signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<{ prelude: string; stop: () => Promise<void> }> {
  const none = { prelude: '', stop: async () => undefined };
  try {
    const res = await r.exec(
      [
        'command -v openstack >/dev/null && command -v python3 >/dev/null || exit 3',
        'umask 077',
        'd=$(mktemp -d /var/tmp/ostopo-osc.XXXXXX)',
        `printf '%s' "$1" > "$d/server.py"`,
        `printf '%s' "$2" > "$d/client.py"`,
        // Its own session, streams to a log, none of this command's kept open (the channel would wait for
        // it): it outlives this command, not the verify run.
        'setsid python3 "$d/server.py" "$d/sock" </dev/null >"$d/log" 2>&1 3>&- &',
        'echo "$!" > "$d/pid"',
        'echo "$d"',
      ].join('\n'),
      { args: [OSC_SERVER, OSC_CLIENT], signal: o.signal, env: o.env, timeoutMs: 60_000 },
    );
    const dir = res.stdout.toString('utf8').trim();
    if (res.code !== 0 || !/^\/var\/tmp\/ostopo-osc\.[A-Za-z0-9]+$/.test(dir)) return none;
    return {
      prelude: oscPrelude(dir),
      stop: async () => {
        await r.exec('kill "$(cat "$1/pid")" 2>/dev/null; rm -rf -- "$1"', { args: [dir], timeoutMs: 60_000 }).catch(() => undefined);
      },
    };
  } catch {
    return none;
  }
}

/**
 * The lines that make a script's `openstack` go through the server in `dir`. The server imports for a few
 * seconds after it starts: until its socket is there, a command waits for it while it runs (up to 30 s);
 * when it is gone or cannot be reached, the plain command runs.
 */
export function oscPrelude(dir: string): string {
  return [
    `openstack() {`,
    `  local i=0; while [ ! -S ${dir}/sock ] && [ $i -lt 300 ] && kill -0 "$(cat ${dir}/pid 2>/dev/null)" 2>/dev/null; do sleep 0.1; i=$((i+1)); done`,
    `  python3 -S ${dir}/client.py ${dir}/sock "$@"`,
    `}`,
    '',
  ].join('\n');
}
