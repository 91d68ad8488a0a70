import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyze, Analysis } from '../core/compile';
import { readerBeside } from '../core/localFiles';

export const LANGUAGE = 'ostopo';

export const isTopology = (doc: vscode.TextDocument) => doc.languageId === LANGUAGE || /\.ostopo\.ya?ml$/.test(doc.fileName);

/**
 * One analysis per document version, shared by every feature: diagnostics, completion, hover, the tree
 * and the preview all ask the store, so a text is parsed and validated once per change.
 */
export class TopologyStore implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; keychain: number; analysis: Analysis; secretsFile?: { path: string; stamp: string } }>();
  /**
   * Values of the secrets written `${keychain}`, read from VS Code's SecretStorage (asynchronously: the
   * first analysis sees none, and the one after the answer sees it). `null`: asked, not there.
   */
  private readonly keychain = new Map<string, string | null>();
  /** Changes when a keychain value arrives or changes: analyses made before are stale. */
  private keychainGeneration = 0;
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires (debounced) after a topology's text changed and was analysed again. */
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*');
  /** The topology the tree and the commands work on: the active one, else the last one that was. */
  current?: vscode.TextDocument;

  constructor(private readonly secrets?: vscode.SecretStorage) {
    this.subs.push(
      ...(secrets
        ? [
            secrets.onDidChange((e) => {
              if (!e.key.startsWith(KEYCHAIN_PREFIX)) return;
              this.keychain.delete(e.key);
              this.keychainChanged();
            }),
          ]
        : []),
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => isTopology(e.document) && this.schedule(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => isTopology(d) && this.publish(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cache.delete(d.uri.toString());
        clearTimeout(this.timers.get(d.uri.toString()));
      }),
      // A secrets file (`secretsFile`) changed on disk: the topologies naming it are analysed again.
      ...(['onDidChange', 'onDidCreate', 'onDidDelete'] as const).map((ev) => this.watcher[ev]((uri) => this.secretsFileChanged(uri))),
      this.watcher,
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && isTopology(e.document) && e.document !== this.current) {
          this.current = e.document;
          this.changed.fire(e.document);
        }
      }),
    );
    const active = vscode.window.activeTextEditor?.document;
    this.current = active && isTopology(active) ? active : vscode.workspace.textDocuments.find(isTopology);
  }

  /** The analysis of the document's current text (computed now when the cached one is older). */
  get(doc: vscode.TextDocument): Analysis {
    const key = doc.uri.toString();
    const c = this.cache.get(key);
    if (c && c.version === doc.version && c.keychain === this.keychainGeneration && (!c.secretsFile || stampOf(c.secretsFile.path) === c.secretsFile.stamp)) return c.analysis;
    const file = doc.uri.scheme === 'file';
    const analysis = analyze(doc.getText(), process.env, file ? readerBeside(doc.uri.fsPath) : undefined, (cloud, name) => this.keychainValue(cloud, name), c?.analysis);
    const named = file && analysis.cloud.secretsFile !== undefined ? path.resolve(path.dirname(doc.uri.fsPath), analysis.cloud.secretsFile) : undefined;
    this.cache.set(key, { version: doc.version, keychain: this.keychainGeneration, analysis, secretsFile: named === undefined ? undefined : { path: named, stamp: stampOf(named) } });
    return analysis;
  }

  /** The keychain's value of a secret as far as known now; asks SecretStorage for it the first time. */
  private keychainValue(cloud: string, name: string): string | undefined {
    const key = keychainKey(cloud, name);
    const known = this.keychain.get(key);
    if (known !== undefined) return known ?? undefined;
    if (this.secrets) {
      this.keychain.set(key, null);
      void Promise.resolve(this.secrets.get(key)).then(
        (v) => {
          if (v === undefined) return;
          this.keychain.set(key, v);
          this.keychainChanged();
        },
        () => undefined,
      );
    }
    return undefined;
  }

  private keychainChanged(): void {
    this.keychainGeneration++;
    for (const doc of vscode.workspace.textDocuments) if (isTopology(doc) && this.cache.has(doc.uri.toString())) this.publish(doc);
  }

  /** Keeps a secret of a cloud in SecretStorage (the OS keychain); the topologies are analysed again. */
  async storeSecret(cloud: string, name: string, value: string): Promise<void> {
    if (!this.secrets) throw new Error('no SecretStorage');
    await this.secrets.store(keychainKey(cloud, name), value);
    this.keychain.set(keychainKey(cloud, name), value);
    this.keychainChanged();
  }

  private secretsFileChanged(uri: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      const c = this.cache.get(doc.uri.toString());
      if (c?.secretsFile && c.secretsFile.path === uri.fsPath && isTopology(doc)) this.schedule(doc);
    }
  }

  /**
   * For the keystroke path (completion): the last analysis while a newer one is only scheduled (the
   * debounce is running), else the current one. Completion reads the cursor's context from the text
   * itself; the analysis gives names and the cloud, which a keystroke rarely changes, so it does not pay
   * for a full analysis of a large file on each trigger character.
   */
  latest(doc: vscode.TextDocument): Analysis {
    const c = this.cache.get(doc.uri.toString());
    return c && this.timers.has(doc.uri.toString()) ? c.analysis : this.get(doc);
  }

  private publish(doc: vscode.TextDocument): void {
    this.get(doc);
    this.current ??= doc;
    this.changed.fire(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    const delay = vscode.workspace.getConfiguration('ostopo').get<number>('validation.delay', 250);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.publish(doc);
      }, delay),
    );
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.subs.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}

/** What tells a changed file from the one read: its size, time and inode (its content is not read twice). */
function stampOf(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}:${st.mode}`;
  } catch {
    return 'absent';
  }
}

const KEYCHAIN_PREFIX = 'ostopo.secret/';
/** SecretStorage keys are per cloud (the topology's `name`) and secret: the same cloud in two files shares them. */
const keychainKey = (cloud: string, name: string) => `${KEYCHAIN_PREFIX}${cloud}/${name}`;
