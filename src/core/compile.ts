import { compareFindings, Finding } from './findings';
import { Env, ResolvedCloud, resolveTopology } from './model';
import { ParsedDocument } from './parse';
import { NodeFacts, RenderedCloud } from './render/artifacts';
import { renderCloud } from './render/index';
import { IniError } from './render/ini';
import { checkSchema } from './schemaCheck';
import { checkSemantics } from './validate';

/** Text → parsed document → findings → resolved cloud: the one pipeline every feature starts from. */
export interface Analysis {
  doc: ParsedDocument;
  cloud: ResolvedCloud;
  findings: Finding[];
  hasErrors: boolean;
}

export function analyze(text: string, env: Env = process.env): Analysis {
  const doc = new ParsedDocument(text);
  const findings = [...doc.findings];
  const syntaxBroken = doc.findings.some((f) => f.severity === 'error');
  const schema = syntaxBroken && doc.value === undefined ? [] : checkSchema(doc);
  findings.push(...schema);
  const cloud = resolveTopology(doc.value, env);
  // Semantic rules read the resolved model, which tolerates any shape; they add what the schema cannot see.
  findings.push(...checkSemantics(doc, cloud));
  findings.sort(compareFindings);
  return { doc, cloud, findings, hasErrors: findings.some((f) => f.severity === 'error') };
}

export class TopologyError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`The topology has ${findings.filter((f) => f.severity === 'error').length} error(s)`);
  }
}

/** Renders a topology that has no errors; throws TopologyError (with the findings) otherwise. */
export function render(a: Analysis, facts: Record<string, NodeFacts> = {}): RenderedCloud {
  if (a.hasErrors) throw new TopologyError(a.findings.filter((f) => f.severity === 'error'));
  try {
    return renderCloud(a.cloud, facts);
  } catch (e) {
    if (e instanceof IniError) throw new TopologyError([{ code: 'value/unrenderable', severity: 'error', message: e.message, range: a.doc.locate(['config']) }]);
    throw e;
  }
}
