import * as vscode from 'vscode';
import { Analysis, render } from '../core/compile';
import { FileArtifact, RenderedCloud } from '../core/render/artifacts';
import { LAYER_NAMES } from '../core/render/ini';
import { materialize, MissingSecretError } from '../core/render/template';
import { runbook, verifyScript } from '../core/runbook';
import { secretLookup } from '../core/secrets';
import { toRange } from './convert';
import { Ctx } from './ctx';
import { t } from '../core/l10n';

export const SCHEME = 'ostopo-preview';

/**
 * `ostopo-preview:/<node>/<path on the node> (<node>)?<topology uri>`: the tab shows the file's name
 * and its node, `nova.conf (controller)`.
 */
export function previewUri(topology: vscode.Uri, node: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/${node}${file.startsWith('/') ? '' : '/'}${file} (${node})`, query: topology.toString() });
}

/** The topology, node and file of a preview's uri. */
export function parsePreviewUri(uri: vscode.Uri): { topology: vscode.Uri; node: string; file: string } {
  const [, node = '', ...rest] = uri.path.split('/');
  const file = '/' + rest.join('/');
  const tail = ` (${node})`;
  return { topology: vscode.Uri.parse(uri.query), node, file: file.endsWith(tail) ? file.slice(0, -tail.length) : file };
}

/** The notice above a preview whose topology has errors now (one line: hover and inlay lines shift by it). */
const STALE = () => `# (${t('The topology has errors now: this is its last good render. See the Problems view.')})\n`;

const LANGUAGE: Record<FileArtifact['language'], string> = {
  ini: 'ini',
  shellscript: 'shellscript',
  sql: 'sql',
  properties: 'properties',
  apacheconf: 'plaintext',
  hosts: 'plaintext',
  yaml: 'yaml',
  python: 'python',
  plaintext: 'plaintext',
};

/**
 * Read-only previews of every rendered file, updated as the topology changes; secrets masked unless the
 * user reveals them for that topology. Hover or go-to-definition on a value line of an INI file says
 * which layer set it and jumps to that place in the topology.
 */
export class Previews implements vscode.TextDocumentContentProvider, vscode.HoverProvider, vscode.DefinitionProvider, vscode.InlayHintsProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Topologies (uri strings) whose previews show secrets; change it through reveal/mask. */
  readonly revealed = new Set<string>();
  private readonly revealChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeRevealed = this.revealChanged.event;

  /** Shows or masks the secrets in the previews of a topology. */
  reveal(topology: vscode.Uri, show: boolean): void {
    if (show) this.revealed.add(topology.toString());
    else this.revealed.delete(topology.toString());
    this.refresh(topology);
    this.revealChanged.fire();
  }
  /**
   * Per topology: its last analysis without errors, and its render once something asked for it: the
   * whole cloud (a command writing every file), or the nodes asked for one by one (a preview, the tree).
   */
  private readonly lastGood = new Map<string, { analysis: Analysis; rendered?: RenderedCloud; byNode: Map<string, RenderedCloud> }>();

  constructor(private readonly ctx: Ctx) {}

  /** A topology was analysed again: remember it if it has no errors (rendered only when asked: `rendered`). */
  noteAnalysis(doc: vscode.TextDocument): void {
    const analysis = this.ctx.store.get(doc);
    const key = doc.uri.toString();
    if (!analysis.hasErrors && this.lastGood.get(key)?.analysis !== analysis) this.lastGood.set(key, { analysis, byNode: new Map() });
  }

  /**
   * The rendered cloud of a topology (the last one without errors while the text has errors), rendered
   * now if nothing asked for this version yet: a keystroke renders nothing unless a preview, the tree's
   * files or a command need it. With `node`, the render holds that node (only it, unless the whole cloud
   * was rendered already): a preview of one file of a cloud of 1,000 nodes renders one node per edit.
   */
  rendered(doc: vscode.TextDocument, node?: string): { analysis: Analysis; rendered: RenderedCloud; stale: boolean } | undefined {
    this.noteAnalysis(doc);
    const last = this.lastGood.get(doc.uri.toString());
    if (!last) return undefined;
    let rendered = last.rendered;
    if (!rendered && node !== undefined) {
      rendered = last.byNode.get(node);
      if (!rendered) last.byNode.set(node, (rendered = render(last.analysis, {}, new Set([node]))));
    }
    rendered ??= last.rendered = render(last.analysis);
    return { analysis: last.analysis, rendered, stale: last.analysis !== this.ctx.store.get(doc) };
  }

  /** A topology changed: every open preview of it is rendered again. */
  refresh(topology: vscode.Uri): void {
    for (const d of vscode.workspace.textDocuments) {
      if (d.uri.scheme === SCHEME && d.uri.query === topology.toString()) this.changed.fire(d.uri);
    }
  }

  private async topologyDoc(uri: vscode.Uri): Promise<vscode.TextDocument> {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? vscode.workspace.openTextDocument(uri);
  }

  private artifact(r: RenderedCloud, node: string, file: string): FileArtifact | undefined {
    return r.nodes.find((n) => n.name === node)?.artifacts.find((a): a is FileArtifact => a.kind === 'file' && a.path === file);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { topology, node, file } = parsePreviewUri(uri);
    const doc = await this.topologyDoc(topology);
    const r = this.rendered(doc, node);
    if (!r) return `# ${t('{0} has errors and was never rendered: see the Problems view.', doc.fileName)}\n`;
    const lookup = this.revealed.has(topology.toString()) ? secretLookup(r.analysis.cloud.secrets) : undefined;
    const n = r.rendered.nodes.find((x) => x.name === node);
    if (!n) return `# ${t('There is no node {0} in {1} any more.', node, doc.fileName)}\n`;
    const stale = r.stale ? STALE() : '';
    try {
      if (file === '/RUNBOOK.sh') return stale + runbook(r.rendered, n, r.rendered.profileTitle, lookup);
      if (file === '/VERIFY.sh') return stale + verifyScript(r.rendered, n, lookup);
      const a = this.artifact(r.rendered, node, file);
      if (!a) return `# ${t('{0} has no file {1} in this topology any more.', node, file)}\n`;
      return stale + materialize(a.content, lookup);
    } catch (e) {
      if (e instanceof MissingSecretError) return `# ${t('Cannot reveal: {0} (set the environment variables and reload the window).', e.message)}\n`;
      throw e;
    }
  }

  languageOf(uri: vscode.Uri, r: RenderedCloud): string {
    const { node, file } = parsePreviewUri(uri);
    if (file.endsWith('.sh')) return 'shellscript';
    const a = this.artifact(r, node, file);
    return a ? LANGUAGE[a.language] : 'plaintext';
  }

  /** The value lines of a previewed INI file with who set them; `shift`: lines above the content (the stale notice). */
  private async origins(uri: vscode.Uri) {
    const { topology, node, file } = parsePreviewUri(uri);
    const doc = await this.topologyDoc(topology);
    const r = this.rendered(doc, node);
    const origins = r && this.artifact(r.rendered, node, file)?.origins;
    return origins && r ? { origins, shift: r.stale ? 1 : 0, doc, analysis: r.analysis } : undefined;
  }

  private async originAt(uri: vscode.Uri, line: number) {
    const all = await this.origins(uri);
    const o = all?.origins.find((x) => x.line === line - all.shift);
    return o && all ? { o, doc: all.doc, analysis: all.analysis } : undefined;
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const hit = await this.originAt(doc.uri, pos.line);
    if (!hit) return undefined;
    const { o } = hit;
    const layer = t(LAYER_NAMES[o.origin.layer]);
    const set = o.origin.path ? t('set by {0}, at `{1}`.', layer, o.origin.path.join('.')) + '\n\n' + t('Go to Definition (F12) jumps there.') : t('set by {0}.', layer);
    const md = new vscode.MarkdownString(`**[${o.section}] ${o.key}** — ${set}`);
    return new vscode.Hover(md);
  }

  /** At a glance: the lines an override set end with a hint naming the override (hover and F12 say more). */
  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    const all = await this.origins(doc.uri);
    if (!all) return [];
    return all.origins
      .filter((o) => (o.origin.layer === 'global' || o.origin.layer === 'node') && range.contains(new vscode.Position(o.line + all.shift, 0)))
      .flatMap((o) => {
        const line = o.line + all.shift;
        if (line >= doc.lineCount) return [];
        const hint = new vscode.InlayHint(doc.lineAt(line).range.end, o.origin.layer === 'node' ? t('← node override') : t('← override'));
        hint.paddingLeft = true;
        hint.tooltip = o.origin.path ? t('Set by {0} at {1}.', t(LAYER_NAMES[o.origin.layer]), o.origin.path.join('.')) : t('Set by {0}.', t(LAYER_NAMES[o.origin.layer]));
        return [hint];
      });
  }

  async provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Location | undefined> {
    const hit = await this.originAt(doc.uri, pos.line);
    if (!hit?.o.origin.path) return undefined;
    const range = hit.analysis.doc.locate(hit.o.origin.path);
    return new vscode.Location(hit.doc.uri, toRange(range));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens one rendered file of a node in a read-only preview, with its language. */
export async function openPreview(p: Previews, topology: vscode.TextDocument, node: string, file: string): Promise<vscode.TextEditor | undefined> {
  const r = p.rendered(topology, node);
  const uri = previewUri(topology.uri, node, file);
  let doc = await vscode.workspace.openTextDocument(uri);
  if (r) {
    const lang = p.languageOf(uri, r.rendered);
    if (doc.languageId !== lang) doc = await vscode.languages.setTextDocumentLanguage(doc, lang);
  }
  return vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
}

export function registerPreviews(ctx: Ctx): Previews {
  const p = new Previews(ctx);
  ctx.push(
    p,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, p),
    vscode.languages.registerHoverProvider({ scheme: SCHEME }, p),
    vscode.languages.registerDefinitionProvider({ scheme: SCHEME }, p),
    vscode.languages.registerInlayHintsProvider({ scheme: SCHEME }, p),
    ctx.store.onDidChange((doc) => {
      // Keep the last good analysis (the tree and the previews show its render while the text has errors).
      p.noteAnalysis(doc);
      p.refresh(doc.uri);
    }),
  );
  return p;
}
