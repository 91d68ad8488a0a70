// The end-to-end topologies as a run writes them (test/e2e/run.mjs, and bench/cloud.mjs for its cloud).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * A topology of this folder (`file`) for a run: its release, OS and cloud name; the test nodes' mirror as
 * its repositories (TESTNODES_MIRROR, TESTNODES_SECURITY_MIRROR); `edit` applied; the secrets named in
 * `without` left out; and each node renamed and readdressed where the run's test nodes differ (`nodes`:
 * [name, ip, as, asIp], `as` and `asIp` being the topology's).
 */
export function topologyFor(file, { release, os, name, nodes = [], edit = (t) => t, without = [] }) {
  let t = fs
    .readFileSync(path.join(here, file), 'utf8')
    .replace(/^release: .*$/m, `release: ${release}`)
    .replace(/^os: .*$/m, `os: ${os}`)
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^ {2}os: .*$/m, `  os: ${process.env.TESTNODES_MIRROR ?? 'http://deb.debian.org/debian'}`)
    .replace(/^ {2}security: .*$/m, `  security: ${process.env.TESTNODES_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security'}`);
  t = edit(t);
  for (const secret of without) t = t.replace(new RegExp(`^ {2}${secret}: .*\\n`, 'm'), '');
  for (const [node, ip, as, asIp] of nodes) if (as) t = t.replace(new RegExp(`^ {2}${as}:$`, 'm'), `  ${node}:`).replaceAll(asIp, ip);
  return t;
}
