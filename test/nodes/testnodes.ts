import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (node tests run from out/test/nodes). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The team's test-node tool (real Debian hosts in systemd-nspawn containers, sshd on a loopback address):
 * `OSTOPO_SHARED/testnodes/testnodes`, by default `../shared` beside the checkout. These tests live outside
 * `npm test` (npm run test:nodes, and CI); without the tool they stop with what is missing.
 */
export function testnodesTool(): string {
  const shared = process.env.OSTOPO_SHARED ?? path.resolve(ROOT, '..', 'shared');
  const tool = path.join(shared, 'testnodes', 'testnodes');
  if (!fs.existsSync(tool)) {
    throw new Error(`the node tests need the testnodes tool at ${tool} (the team's shared folder beside the checkout, or set OSTOPO_SHARED to it); run them as root on a Debian 12 machine`);
  }
  if (process.getuid?.() !== 0) throw new Error('the node tests start test nodes (systemd-nspawn containers): run them as root');
  return tool;
}

/** Runs the tool; returns its trimmed output. */
export function tn(...args: string[]): string {
  return execFileSync(testnodesTool(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
