// Debian packages the tests need, installed the same way everywhere: as root with apt-get, without
// starting any daemon they bring (openssh-server would start an sshd on 0.0.0.0:22, which blocks the
// test nodes' own sshd); anyone else gets the exact command to run, at once.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export class SetupError extends Error {}

/** Which of these Debian packages are not installed. */
export function missingPackages(packages) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...packages], { encoding: 'utf8' });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

/** The command a person runs to install them. */
export function installCommand(packages) {
  return `sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Installs the missing packages as root (under a policy-rc.d that starts nothing; a policy-rc.d of the
 * machine's own is kept), else throws SetupError with the command to run. `why` says what needs them.
 */
export function ensurePackages(packages, why, say = (s) => process.stderr.write(`${s}\n`)) {
  const missing = missingPackages(packages);
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new SetupError(`${why} need Debian packages that are not installed: ${missing.join(' ')}\nRun this, then try again:\n  ${installCommand(missing)}`);
  }
  say(`[setup] apt-get install ${missing.join(' ')} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const guard = '/usr/sbin/policy-rc.d';
  const own = !fs.existsSync(guard);
  if (own) fs.writeFileSync(guard, '#!/bin/sh\n# test setup: start nothing while installing\nexit 101\n', { mode: 0o755 });
  try {
    // The package lists of a new machine may be empty or old.
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-qq'], { env, stdio: ['ignore', 2, 2] });
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 2, 2] });
  } finally {
    if (own) fs.rmSync(guard, { force: true });
  }
}
