// What `npm test` needs besides npm packages, set up before the first test runs (npm's pretest):
//  - Debian's python3-oslo.config, seen by /usr/bin/python3: the rendered configs are checked by the
//    real oslo.config (test/oslo);
//  - openssh-server and openssh-client: the deploy tests run against a real sshd on loopback;
//  - python3-sqlalchemy: SQLAlchemy's make_url reads back the database URLs ostopo writes;
//  - mariadb-client-core: its my_print_defaults reads back the MariaDB option file (/root/.my.cnf);
//  - the VS Code test host (code-server in Debian's Chromium), for the integration tests.
// As root it installs what is missing; anyone else gets the exact command, before any test runs.
import { spawnSync } from 'node:child_process';
import { ensurePackages, installCommand, SetupError } from './debian.mjs';
import { DEBIAN_PACKAGES as HOST_PACKAGES, HostError, vscodeHost } from './vscode-host.mjs';

const TEST_PACKAGES = [
  'python3-oslo.config',
  'openssh-server',
  'openssh-client',
  // test/unit/encoding.test.ts: secrets read back by their consumers. SQLAlchemy parses the
  // `connection` URLs (test/oslo/read_back.py); my_print_defaults is MariaDB's own option-file reader.
  'python3-sqlalchemy',
  'mariadb-client-core',
];

try {
  ensurePackages([...TEST_PACKAGES, ...HOST_PACKAGES], 'the tests (oslo.config checks, a real sshd, VS Code in Chromium)');
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import oslo_config'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new SetupError(`/usr/bin/python3 cannot import oslo_config (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}).\nRun:\n  ${installCommand(['python3-oslo.config'])}`);
  }
  vscodeHost();
} catch (e) {
  if (!(e instanceof SetupError || e instanceof HostError)) throw e;
  console.error(`\nnpm test cannot start: ${e.message}\n`);
  process.exit(2);
}
