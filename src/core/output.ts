import * as fs from 'node:fs';
import * as path from 'node:path';
import { RenderedCloud } from './render/artifacts';
import { materialize, SecretLookup } from './render/template';
import { runbook, verifyScript } from './runbook';

export interface WrittenFile {
  node: string;
  /** Path relative to the output folder. */
  rel: string;
}

/**
 * Writes a rendered cloud as `DIR/<node>/<path on the node>` plus `DIR/<node>/RUNBOOK.sh` and
 * `VERIFY.sh`. Secrets are masked unless `lookup` is given. Files are written whole (temp + rename).
 */
export function writeRendered(cloud: RenderedCloud, dir: string, profileTitle: string, opts: { node?: string; lookup?: SecretLookup } = {}): WrittenFile[] {
  const written: WrittenFile[] = [];
  for (const node of cloud.nodes) {
    if (opts.node && node.name !== opts.node) continue;
    const put = (rel: string, text: string, mode: number) => {
      const target = path.join(dir, node.name, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, text, { mode });
      fs.renameSync(tmp, target);
      fs.chmodSync(target, mode);
      written.push({ node: node.name, rel: path.join(node.name, rel) });
    };
    for (const a of node.artifacts) {
      if (a.kind !== 'file') continue;
      // Revealed output may hold passwords: keep it private to the user.
      put(a.path.replace(/^\/+/, ''), materialize(a.content, opts.lookup), opts.lookup ? 0o600 : 0o644);
    }
    put('RUNBOOK.sh', runbook(cloud, node, profileTitle, opts.lookup), opts.lookup ? 0o700 : 0o755);
    put('VERIFY.sh', verifyScript(cloud, node, opts.lookup), opts.lookup ? 0o700 : 0o755);
  }
  return written;
}
