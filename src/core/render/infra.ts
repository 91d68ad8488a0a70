import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { secretRef, shq } from './template';

/** How commands reach the database as root on the MariaDB node. */
export const MYSQL = 'mysql';

export function renderMariadb(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  ctx.install(node, 'mariadb', 'mariadb', ctx.packages('mariadb'));
  ctx.iniFile(
    node,
    'mariadb',
    'mariadb',
    'mariadb',
    'openstack.cnf',
    profile.paths.mariadbCnf,
    (ini) =>
      ini.setAll(
        'mysqld',
        [
          ['bind-address', node.address],
          ['default-storage-engine', 'innodb'],
          ['innodb_file_per_table', 'on'],
          ['max_connections', 4096],
          ['collation-server', 'utf8_general_ci'],
          ['character-set-server', 'utf8'],
        ],
        { layer: 'topology', path: ['nodes', node.name, 'address'] },
      ),
    { oslo: false, mode: '0644', description: 'MariaDB settings the guide gives for OpenStack (bind address, InnoDB, utf8, 4096 connections).' },
  );
  ctx.start(node, 'mariadb', 'mariadb', ctx.units('mariadb'), ['mariadb/openstack.cnf']);

  // The guide's mysql_secure_installation, without its prompts.
  const secure = [
    "DELETE FROM mysql.user WHERE User='';",
    "DELETE FROM mysql.user WHERE User='root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');",
    'DROP DATABASE IF EXISTS test;',
    "DELETE FROM mysql.db WHERE Db='test' OR Db='test\\\\_%';",
  ];
  if (profile.mariadbRoot === 'password') {
    ctx.file(node, {
      id: 'mariadb/root-my.cnf',
      step: 'mariadb',
      service: 'mariadb',
      path: '/root/.my.cnf',
      mode: '0600',
      language: 'ini',
      content: `# ${ctx.header('/root/.my.cnf')[0]}\n# Lets root's mysql commands authenticate after the root password is set.\n[client]\nuser = root\npassword = "${secretRef('DB_ROOT_PASS', 'mycnf')}"\n`,
      description: 'Client credentials of the database root user, for the commands ostopo runs as root.',
    });
    secure.unshift(`SET PASSWORD FOR 'root'@'localhost' = PASSWORD('${secretRef('DB_ROOT_PASS', 'sql')}');`);
    ctx.command(node, {
      id: 'mariadb/secure',
      step: 'mariadb',
      service: 'mariadb',
      title: 'secure the database (root password, no anonymous users, no test database)',
      run: `# Before the root password is set, root logs in without one.\nif ${MYSQL} --no-defaults -u root -e 'SELECT 1' >/dev/null 2>&1; then ${MYSQL} --no-defaults -u root; else ${MYSQL}; fi`,
      stdin: [...secure, 'FLUSH PRIVILEGES;'].join('\n') + '\n',
      check: `${MYSQL} -N -e "SELECT COUNT(*) FROM mysql.user WHERE User=''" | grep -qx 0 && ! ${MYSQL} --no-defaults -u root -e 'SELECT 1' >/dev/null 2>&1`,
    });
  } else {
    secure.unshift(`ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('${secretRef('DB_ROOT_PASS', 'sql')}');`);
    ctx.command(node, {
      id: 'mariadb/secure',
      step: 'mariadb',
      service: 'mariadb',
      title: 'secure the database (root by socket or password, no anonymous users, no test database)',
      run: MYSQL,
      stdin: [...secure, 'FLUSH PRIVILEGES;'].join('\n') + '\n',
    });
  }
  ctx.check(node, { id: 'mariadb/verify', step: 'mariadb', service: 'mariadb', title: 'database answers', run: `${MYSQL} -N -e 'SELECT VERSION()'`, expect: 'MariaDB|^\\d+\\.' });
}

/**
 * CREATE DATABASE and the guide's two GRANTs per database, run on the MariaDB node before the service
 * that needs it. Passwords go through standard input, SQL-escaped.
 */
export function createDatabases(ctx: RenderContext, forService: string, user: string, databases: string[], secret: string): void {
  const db = ctx.host('mariadb');
  if (!db) return;
  const sql: string[] = [];
  for (const name of databases) {
    sql.push(`CREATE DATABASE IF NOT EXISTS \`${name}\`;`);
    for (const host of ['localhost', '%']) sql.push(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${user}'@'${host}' IDENTIFIED BY '${secretRef(secret, 'sql')}';`);
  }
  sql.push('FLUSH PRIVILEGES;');
  ctx.command(db, {
    id: `${forService}-database/create`,
    step: `${forService}-database`,
    service: 'mariadb',
    title: `create database${databases.length > 1 ? 's' : ''} ${databases.join(', ')} and grant ${user}`,
    run: MYSQL,
    stdin: sql.join('\n') + '\n',
  });
}

export function renderRabbitmq(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  ctx.install(node, 'rabbitmq', 'rabbitmq', ctx.packages('rabbitmq'));
  const changed: string[] = [];
  if (profile.paths.rabbitmqEnv && ctx.bindAddress(node)) {
    const ip = node.address;
    ctx.file(node, {
      id: 'rabbitmq/rabbitmq-env.conf',
      step: 'rabbitmq',
      service: 'rabbitmq',
      path: profile.paths.rabbitmqEnv,
      mode: '0644',
      language: 'properties',
      content:
        [
          ...ctx.header('rabbitmq-env.conf').map((h) => `# ${h}`),
          '# AMQP and the Erlang distribution port listen on the node address only.',
          `NODE_IP_ADDRESS=${ip}`,
          `SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {${ip.split('.').join(',')}}"`,
        ].join('\n') + '\n',
      description: 'RabbitMQ bound to the node address (AMQP 5672 and distribution 25672).',
    });
    // epmd must stay on 127.0.0.1 (the local Erlang node registers there) and also listen on the node address.
    ctx.file(node, {
      id: 'rabbitmq/epmd-listen',
      step: 'rabbitmq',
      service: 'rabbitmq',
      path: '/etc/systemd/system/epmd.socket.d/listen.conf',
      mode: '0644',
      language: 'ini',
      content: [...ctx.header('epmd.socket drop-in').map((h) => `# ${h}`), '[Socket]', 'ListenStream=', 'ListenStream=127.0.0.1:4369', `ListenStream=${ip}:4369`].join('\n') + '\n',
      description: 'epmd on 127.0.0.1 and the node address instead of every address.',
    });
    ctx.command(node, {
      id: 'rabbitmq/epmd',
      step: 'rabbitmq',
      service: 'rabbitmq',
      title: 'restart epmd.socket on its new addresses',
      run: 'systemctl daemon-reload\nsystemctl stop epmd.service rabbitmq-server.service 2>/dev/null || true\nsystemctl restart epmd.socket',
      check: `systemctl is-active --quiet epmd.socket && ss -Hltn 'sport = :4369' | grep -q ${shq(ip + ':4369')}`,
      onChange: ['rabbitmq/epmd-listen'],
    });
    changed.push('rabbitmq/rabbitmq-env.conf');
  }
  ctx.start(node, 'rabbitmq', 'rabbitmq', ctx.units('rabbitmq'), changed);
  ctx.command(node, {
    id: 'rabbitmq/user',
    step: 'rabbitmq',
    service: 'rabbitmq',
    title: 'add the openstack user and its permissions',
    env: ['RABBIT_PASS'],
    // The password never goes on a command line (`ps` shows those to every user), and rabbitmqctl's own
    // stdin prompt trims spaces and garbles `$` and backticks: the broker reads it from a file only its
    // user can read (bytes exactly as given), removed right after.
    run: [
      'f=$(mktemp /var/lib/rabbitmq/.ostopo-XXXXXX)',
      `trap 'rm -f "$f"' EXIT`,
      'chown rabbitmq "$f" && chmod 0400 "$f"',
      `printf '%s' "$RABBIT_PASS" > "$f"`,
      'rabbitmqctl eval "{ok, P} = file:read_file(\\"$f\\"), U = <<\\"openstack\\">>, ok = case rabbit_auth_backend_internal:lookup_user(U) of {ok, _} -> rabbit_auth_backend_internal:change_password(U, P, <<\\"ostopo\\">>); _ -> rabbit_auth_backend_internal:add_user(U, P, <<\\"ostopo\\">>) end." </dev/null',
      `rabbitmqctl set_permissions openstack ".*" ".*" ".*" </dev/null`,
    ].join('\n'),
  });
  ctx.check(node, {
    id: 'rabbitmq/verify',
    step: 'rabbitmq',
    service: 'rabbitmq',
    title: 'rabbitmqctl list_users has openstack',
    run: 'rabbitmqctl -q list_users </dev/null',
    expect: '^openstack\\s',
  });
}

export function renderMemcached(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  ctx.install(node, 'memcached', 'memcached', ctx.packages('memcached'));
  const head = ctx.header('memcached options').map((h) => `# ${h}`);
  const content =
    profile.memcachedFormat === 'sysconfig'
      ? [...head, 'PORT="11211"', `USER="${ctx.owner('memcached')}"`, 'MAXCONN="1024"', 'CACHESIZE="64"', `OPTIONS="-l 127.0.0.1,::1,${node.name}"`]
      : [...head, '-d', 'logfile /var/log/memcached.log', '-m 64', '-p 11211', `-u ${ctx.owner('memcached')}`, `-l ${node.address}`, '-c 1024', '-P /var/run/memcached/memcached.pid'];
  ctx.file(node, {
    id: 'memcached/options',
    step: 'memcached',
    service: 'memcached',
    path: profile.paths.memcached,
    mode: '0644',
    language: 'properties',
    content: content.join('\n') + '\n',
    description: 'Memcached listening where the services reach it (guide: "Memcached").',
  });
  ctx.start(node, 'memcached', 'memcached', ctx.units('memcached'), ['memcached/options']);
  const listen = `${node.address}:11211`;
  ctx.check(node, { id: 'memcached/verify', step: 'memcached', service: 'memcached', title: `memcached listens on ${listen}`, run: "ss -Hltn 'sport = :11211'", expect: listen.replace(/\./g, '\\.') });
}

export function renderEtcd(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const ip = node.address;
  ctx.install(node, 'etcd', 'etcd', ctx.packages('etcd'));
  const q = (k: string, v: string) => `${k}="${v}"`;
  ctx.file(node, {
    id: 'etcd/etcd.conf',
    step: 'etcd',
    service: 'etcd',
    path: profile.paths.etcd,
    mode: '0644',
    language: 'properties',
    content:
      [
        ...ctx.header('etcd.conf').map((h) => `# ${h}`),
        '#[Member]',
        q('ETCD_DATA_DIR', '/var/lib/etcd/default.etcd'),
        q('ETCD_LISTEN_PEER_URLS', `http://${ip}:2380`),
        q('ETCD_LISTEN_CLIENT_URLS', `http://${ip}:2379`),
        q('ETCD_NAME', node.name),
        '#[Clustering]',
        q('ETCD_INITIAL_ADVERTISE_PEER_URLS', `http://${ip}:2380`),
        q('ETCD_ADVERTISE_CLIENT_URLS', `http://${ip}:2379`),
        q('ETCD_INITIAL_CLUSTER', `${node.name}=http://${ip}:2380`),
        q('ETCD_INITIAL_CLUSTER_TOKEN', 'etcd-cluster-01'),
        q('ETCD_INITIAL_CLUSTER_STATE', 'new'),
      ].join('\n') + '\n',
    description: 'etcd listening on the node address (guide: "Etcd").',
  });
  ctx.start(node, 'etcd', 'etcd', ctx.units('etcd'), ['etcd/etcd.conf']);
  ctx.check(node, { id: 'etcd/verify', step: 'etcd', service: 'etcd', title: 'etcd answers on 2379', run: `curl -fsS ${shq(`http://${ip}:2379/health`)}`, expect: 'true' });
}
