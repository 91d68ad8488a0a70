import * as fs from 'node:fs';
import * as path from 'node:path';
import { RenderedCloud } from './render/artifacts';
import { materialize, MissingSecretError, SecretLookup } from './render/template';
import { runbook, verifyScript } from './runbook';

/** One output file of a render: `<node>/<path on the node>`, or the node's RUNBOOK.sh / VERIFY.sh. */
export interface OutputFile {
  node: string;
  /** Path relative to the output folder, with `/` separators. */
  rel: string;
  text: string;
  mode: number;
}

/**
 * The texts `ostopo render` writes, in memory: every file artifact at `<node>/<path on the node>` plus
 * each node's RUNBOOK.sh and VERIFY.sh. Secrets are masked unless `lookup` is given; revealed output is
 * private to the user (0600 / 0700).
 */
export function renderedToText(cloud: RenderedCloud, profileTitle: string, lookup?: SecretLookup, node?: string): OutputFile[] {
  const out: OutputFile[] = [];
  // Every text is made even after a secret turns out missing, so the error names all of them at once.
  const missing = new Set<string>();
  const text = (make: () => string): string => {
    try {
      return make();
    } catch (e) {
      if (!(e instanceof MissingSecretError)) throw e;
      e.names.forEach((n) => missing.add(n));
      return '';
    }
  };
  for (const n of cloud.nodes) {
    if (node && n.name !== node) continue;
    for (const a of n.artifacts) {
      if (a.kind !== 'file') continue;
      out.push({ node: n.name, rel: `${n.name}/${a.path.replace(/^\/+/, '')}`, text: text(() => materialize(a.content, lookup)), mode: lookup ? 0o600 : 0o644 });
    }
    out.push({ node: n.name, rel: `${n.name}/RUNBOOK.sh`, text: text(() => runbook(cloud, n, profileTitle, lookup)), mode: lookup ? 0o700 : 0o755 });
    out.push({ node: n.name, rel: `${n.name}/VERIFY.sh`, text: text(() => verifyScript(cloud, n, lookup)), mode: lookup ? 0o700 : 0o755 });
  }
  if (missing.size) throw new MissingSecretError([...missing].sort());
  return out;
}

/**
 * Writes a rendered cloud below `dir` (see renderedToText). Everything is materialized first, so a
 * missing secret fails before any file is touched; each file is written whole (temp + rename).
 */
export function writeRendered(cloud: RenderedCloud, dir: string, profileTitle: string, opts: { node?: string; lookup?: SecretLookup } = {}): OutputFile[] {
  const files = renderedToText(cloud, profileTitle, opts.lookup, opts.node);
  for (const f of files) {
    const target = path.join(dir, ...f.rel.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, f.text, { mode: f.mode });
    fs.chmodSync(tmp, f.mode);
    fs.renameSync(tmp, target);
  }
  return files;
}
