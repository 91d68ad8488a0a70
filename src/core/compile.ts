import { compareFindings, Finding } from './findings';
import { Env, KeychainLookup, ResolvedCloud, resolveTopology } from './model';
import { ParsedDocument } from './parse';
import { NodeFacts, RenderedCloud } from './render/artifacts';
import { renderCloud, renderScope } from './render/index';
import { IniError } from './render/ini';
import { checkRenderedScope, renderedRulesScope, RenderedRulesScope, ShadowMemo } from './renderedRules';
import { checkSchema } from './schemaCheck';
import { ReadFile, readSecretsFile, SecretsFile } from './secretsFile';
import { checkSemantics } from './validate';

/** Text → parsed document → findings → resolved cloud: the one pipeline every feature starts from. */
export interface Analysis {
  doc: ParsedDocument;
  cloud: ResolvedCloud;
  findings: Finding[];
  hasErrors: boolean;
  /** The secrets file the topology names (`secretsFile`), as read. */
  secretsFile?: SecretsFile;
  /** What the analysis of the next version of the text may reuse (pass this analysis as its `previous`). */
  reuse: Reuse;
}

/** Work an analysis keeps for the next one, each part keyed by everything its result depends on. */
interface Reuse {
  /** The rendered-file rules' findings per rendered node (renderedRules.ts). */
  shadows?: ShadowMemo;
}

/**
 * `readFile` reads the files the topology names (the secrets file), relative to the topology's folder;
 * without one (an unsaved document), a named secrets file is reported as unreadable. `keychain`: VS
 * Code's SecretStorage, for secrets written `${keychain}` (the CLI has none and says so). `previous`: the
 * analysis of the text before an edit, whose work is reused where what it depended on is unchanged (the
 * result is the same as without it).
 */
export function analyze(text: string, env: Env = process.env, readFile?: ReadFile, keychain?: KeychainLookup, previous?: Analysis): Analysis {
  const doc = new ParsedDocument(text);
  const cloud = resolveTopology(doc.value, env, keychain);
  const secretsFile = cloud.secretsFile === undefined ? undefined : mergeSecretsFile(cloud, readSecretsFile(cloud.secretsFile, readFile));
  hideSecretText(text, doc.findings);
  const syntax = doc.findings.filter((f) => f.code === 'yaml/syntax');
  if (syntax.length) {
    // Broken YAML: what the parser recovered after the break is guesswork, and rules about the whole
    // cloud (missing secrets, prerequisites...) would mostly report its consequences. Report the syntax
    // first, then only what stands on its own before the first break: the other YAML findings and the
    // schema's findings on single values. Fixing the syntax brings the rest back.
    syntax.sort(compareFindings);
    const firstBreak = syntax[0]!.range.start.line;
    const local = [...doc.findings.filter((f) => f.code !== 'yaml/syntax'), ...(doc.value === undefined ? [] : checkSchema(doc).filter((f) => !WHOLE_DOCUMENT_RULES.has(f.code)))]
      // A file that is not UTF-8 is likely why the parser broke: that finding always stays.
      .filter((f) => f.range.end.line < firstBreak || f.code === 'yaml/encoding')
      .sort(compareFindings);
    const findings = [...syntax, ...local];
    return { doc, cloud, findings, hasErrors: true, secretsFile, reuse: previous?.reuse ?? {} };
  }
  const findings = [...doc.findings, ...checkSchema(doc)];
  if (secretsFile) for (const p of secretsFile.problems) findings.push({ code: p.code, severity: p.severity, message: p.message, path: ['secretsFile'], range: doc.locate(['secretsFile'], 'value') });
  // Semantic rules read the resolved model, which tolerates any shape; they add what the schema cannot see.
  findings.push(...checkSemantics(doc, cloud, secretsFile, keychain !== undefined));
  const reuse: Reuse = { ...previous?.reuse };
  const scope = findings.some((f) => f.severity === 'error') ? undefined : renderedRulesScope(cloud);
  if (scope) findings.push(...renderedFindings(doc, cloud, scope, reuse));
  findings.sort(compareFindings);
  return { doc, cloud, findings, hasErrors: findings.some((f) => f.severity === 'error'), secretsFile, reuse };
}

/** The file's secrets join the cloud's where the topology's `secrets` do not set them (the topology's value wins). */
function mergeSecretsFile(cloud: ResolvedCloud, file: SecretsFile): SecretsFile {
  for (const [name, value] of file.values) if (!cloud.secrets.has(name)) cloud.secrets.set(name, { name, raw: value, value, file: file.path });
  return file;
}

/**
 * The YAML parser's messages may quote what it stumbled on (`Unresolved alias ...: NAME` for a value
 * written `*NAME`, `Unresolved tag: !x`, `Block scalar header includes extra characters: |x`), which
 * under `secrets` is a password typed without quotes. In YAML findings, every word of the values in the
 * `secrets` block (3 characters or more, with or without the YAML indicator or quote around it) is
 * replaced by `<secret value>`. The schema and the rules never quote a secret (`x-ostopo-secret`).
 */
function hideSecretText(text: string, findings: Finding[]): void {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^secrets\s*:/.test(l));
  if (start < 0) return;
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^[\s#]/.test(lines[end] ?? ''))) end++;
  const words = new Set<string>();
  for (const [i, l] of lines.slice(start, end).entries()) {
    // The value as typed: the line without its `KEY:`.
    const value = (i === 0 ? l.replace(/^secrets\s*:/, '') : l.replace(/^\s*[A-Za-z0-9_"'-]+\s*:(?=\s|$)/, '')).trim();
    for (const w of [value, ...value.split(/\s+/)]) {
      for (const v of [w, w.replace(/^[*&!|>@%`"'[{?:-]+/, ''), w.replace(/^[*&!|>@%`"'[{?:-]+/, '').replace(/["',\]}]+$/, '')]) if (v.length >= 3) words.add(v);
    }
  }
  const longestFirst = [...words].sort((a, b) => b.length - a.length);
  for (const f of findings) {
    if (!f.code.startsWith('yaml/')) continue;
    for (const w of longestFirst) if (f.message.includes(w)) f.message = f.message.split(w).join('<secret value>');
  }
}

/** Rules that look at the merged result (overrides that never take effect); the render reports its own errors. */
function renderedFindings(doc: ParsedDocument, cloud: ResolvedCloud, scope: RenderedRulesScope, reuse: Reuse): Finding[] {
  try {
    const { findings, memo } = checkRenderedScope(doc, cloud, scope, (part) => renderScope(cloud, part), reuse.shadows);
    reuse.shadows = memo;
    return findings;
  } catch (e) {
    if (e instanceof IniError) return [];
    throw e;
  }
}

/** Schema findings that depend on the document being whole (a key the break may have swallowed). */
const WHOLE_DOCUMENT_RULES = new Set(['schema/required', 'schema/min-items', 'schema/empty']);

export class TopologyError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`The topology has ${findings.filter((f) => f.severity === 'error').length} error(s)`);
  }
}

/**
 * Renders a topology that has no errors; throws TopologyError (with the findings) otherwise. `only`: the
 * nodes wanted (a preview or the tree asks for one), each rendered as in the whole render.
 */
export function render(a: Analysis, facts: Record<string, NodeFacts> = {}, only?: ReadonlySet<string>): RenderedCloud {
  if (a.hasErrors) throw new TopologyError(a.findings.filter((f) => f.severity === 'error'));
  try {
    return renderCloud(a.cloud, facts, only);
  } catch (e) {
    if (e instanceof IniError) throw new TopologyError([{ code: 'value/unrenderable', severity: 'error', message: e.message, range: a.doc.locate(['config']) }]);
    throw e;
  }
}
