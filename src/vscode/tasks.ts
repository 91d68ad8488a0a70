import * as path from 'node:path';
import * as vscode from 'vscode';
import { Analysis } from '../core/compile';
import { deploy, targetOf, verify } from '../core/deploy/engine';
import { precheck, precheckSummary } from '../core/deploy/precheck';
import { toRange } from './convert';
import { DeployEvent, formatEvent } from '../core/deploy/events';
import { buildPlan, planText } from '../core/deploy/plan';
import { HostKeyPrompt } from '../core/deploy/remote';
import { openSession } from '../core/deploy/session';
import { printable } from '../core/findings';
import { render } from '../core/compile';
import { secretLookup } from '../core/secrets';
import { Ctx } from './ctx';
import { t } from '../core/l10n';

export const TASK_TYPE = 'ostopo';

export interface OstopoTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  action: 'deploy' | 'verify' | 'plan' | 'precheck';
  /** One node; all nodes when absent. */
  node?: string;
  /** The topology file (workspace-relative or absolute); the current topology when absent. */
  file?: string;
  force?: boolean;
  breakLock?: boolean;
}

/** Asks whether to trust an unknown host key (modal, with its fingerprint); deploy, verify and compare use it. */
export async function askHostKey(p: HostKeyPrompt): Promise<boolean> {
  const accept = t('Trust this host key');
  const answer = await vscode.window.showWarningMessage(
    t('The host key of {0} ({1}:{2}) is not known.', p.label, p.host, p.port),
    {
      modal: true,
      detail: `${p.keyType} ${p.fingerprint}\n\n${t('Compare it with the key on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it. It will be added to .ostopo/known_hosts.')}`,
    },
    accept,
  );
  return answer === accept;
}

/**
 * Runs a deploy, verify or plan of a topology in a terminal: the same engine and the same lines as the
 * CLI (colored), Ctrl+C stops it cleanly, the exit code tells the result.
 */
export class OstopoTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly abort = new AbortController();
  /** Everything written, for tests and for the output channel. */
  readonly transcript: string[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly def: OstopoTaskDefinition,
    private readonly onDone: () => void,
  ) {}

  private line(s: string): void {
    const plain = s.replace(/\x1b\[[0-9;]*m/g, '');
    this.transcript.push(plain);
    if (plain.trim()) this.summary = plain.trim().split('\n').pop();
    this.writer.fire(s.replace(/\n/g, '\r\n') + '\r\n');
  }

  open(): void {
    const opened = Date.now();
    const end = (code: number) => {
      this.onDone();
      this.ctx.output.appendLine(`${new Date().toISOString()} ${this.def.action} ${this.def.node ?? 'all nodes'}: ${this.summary ?? (code ? 'failed' : 'done')}`);
      // VS Code calls a task terminal that closes within its first half second one that "failed to launch":
      // a run that ends that fast (a refused connection) stays open a moment so that its own lines are the word.
      setTimeout(() => this.closer.fire(code), Math.max(0, 1000 - (Date.now() - opened)));
    };
    void this.run().then(end, (e) => {
      this.line(`\x1b[31m✖ ${(e as Error).message}\x1b[0m`);
      this.summary = `✖ ${(e as Error).message}`;
      end(1);
    });
  }

  /** The run's last line (its summary), for the ostopo output channel. */
  private summary: string | undefined;

  /** The terminal was closed: stop what runs (as Ctrl+C does) and let its emitters go. */
  close(): void {
    if (!this.abort.signal.aborted) this.abort.abort();
    // After the close: a run still ending writes into disposed emitters, which drop it.
    setImmediate(() => {
      this.writer.dispose();
      this.closer.dispose();
    });
  }

  handleInput(data: string): void {
    if (data === '\x03' && !this.abort.signal.aborted) {
      this.line(t('stopping: closing the remote commands…'));
      this.abort.abort();
    }
  }

  private async topology(): Promise<{ doc: vscode.TextDocument; analysis: Analysis }> {
    let doc = this.ctx.store.current;
    if (this.def.file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      const file = path.isAbsolute(this.def.file) ? this.def.file : path.join(folder, this.def.file);
      doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    }
    if (!doc) throw new Error(t('No topology: open a *.ostopo.yaml file, or set "file" in the task.'));
    if (doc.uri.scheme !== 'file') throw new Error(t('Save the topology first: its deploy state lives in .ostopo/ beside the file.'));
    return { doc, analysis: this.ctx.store.get(doc) };
  }

  private async run(): Promise<number> {
    const { doc, analysis } = await this.topology();
    const what = `${this.def.action} ${this.def.node ?? 'all nodes'} of ${path.basename(doc.fileName)}`;
    this.line(`\x1b[1mostopo ${what}\x1b[0m`);
    if (analysis.hasErrors) {
      for (const f of analysis.findings.filter((x) => x.severity === 'error'))
        this.line(printable(`${path.basename(doc.fileName)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.message}`));
      this.line(`\x1b[31m✖ ${t('fix the errors above first')}\x1b[0m`);
      return 1;
    }
    const session = openSession(doc.uri.fsPath, analysis, { onUnknownHostKey: askHostKey, env: process.env });
    if (this.def.action === 'plan') {
      planText(buildPlan(render(analysis)), session.journal, secretLookup(analysis.cloud.secrets), this.def.node)
        .trimEnd()
        .split('\n')
        .forEach((x) => this.line(x));
      return 0;
    }
    const verbose = vscode.workspace.getConfiguration('ostopo').get<boolean>('deploy.verbose', false);
    // Precheck answers (of `precheck`, and the first thing a deploy asks) become diagnostics on each node's line.
    const answers: Extract<DeployEvent, { type: 'precheck' }>[] = [];
    const onEvent = (e: DeployEvent) => {
      if (e.type === 'precheck') answers.push(e);
      const l = formatEvent(e, { color: true, verbose });
      if (l !== undefined) this.line(l);
    };
    const common = {
      target: targetOf(analysis),
      journal: session.journal,
      connect: session.connect,
      baseDir: session.baseDir,
      node: this.def.node,
      signal: this.abort.signal,
      onEvent,
      breakLock: this.def.breakLock,
    };
    try {
      if (this.def.action === 'precheck') {
        const r = await precheck({ ...common, cloud: analysis.cloud });
        onEvent({ type: 'end', ok: r.ok, ms: r.ms, message: precheckSummary(r) });
        return r.ok ? 0 : 1;
      }
      const r = this.def.action === 'deploy' ? await deploy({ ...common, force: this.def.force, precheck: true }) : await verify(common);
      return r.ok ? 0 : 1;
    } finally {
      if (answers.length || this.def.action === 'precheck') this.showPrecheck(doc, analysis, answers);
    }
  }

  /** The precheck's warnings and failures on the nodes' lines; a node asked again loses its old ones. */
  private showPrecheck(doc: vscode.TextDocument, analysis: Analysis, answers: Extract<DeployEvent, { type: 'precheck' }>[]): void {
    const asked = new Set(this.def.node ? [this.def.node] : analysis.cloud.nodes.map((n) => n.name));
    const kept = (this.ctx.precheck.get(doc.uri) ?? []).filter((d) => !asked.has(String((d as vscode.Diagnostic & { node?: string }).node)));
    const fresh = answers
      .filter((a) => a.status !== 'pass')
      .map((a) => {
        const first = a.evidence.split('\n')[0] ?? '';
        const d = new vscode.Diagnostic(
          toRange(analysis.doc.locate(['nodes', a.node])),
          printable(`${t('precheck on {0}: {1}', a.node, a.title)}${first ? ` — ${first}` : ''}`),
          a.status === 'fail' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
        );
        d.source = 'ostopo precheck';
        d.code = a.id;
        return Object.assign(d, { node: a.node });
      });
    this.ctx.precheck.set(doc.uri, [...kept, ...fresh]);
  }
}

export function taskFor(ctx: Ctx, def: OstopoTaskDefinition, onDone: () => void, terminals?: OstopoTerminal[]): vscode.Task {
  const name = `${def.action}${def.node ? ` ${def.node}` : ''}`;
  const task = new vscode.Task(
    def,
    vscode.TaskScope.Workspace,
    name,
    TASK_TYPE,
    new vscode.CustomExecution(async (resolved) => {
      const t = new OstopoTerminal(ctx, resolved as OstopoTaskDefinition, onDone);
      terminals?.push(t);
      return t;
    }),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** Task type `ostopo` (deploy | verify | plan | precheck, optional node), usable in tasks.json too. */
export function registerTasks(ctx: Ctx, onDone: () => void): { run: (def: Omit<OstopoTaskDefinition, 'type'>) => Thenable<vscode.TaskExecution>; terminals: OstopoTerminal[] } {
  const terminals: OstopoTerminal[] = [];
  ctx.push(
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: () => {
        const doc = ctx.store.current;
        if (!doc || !vscode.workspace.isTrusted) return [];
        const a = ctx.store.get(doc);
        const defs: OstopoTaskDefinition[] = [
          { type: TASK_TYPE, action: 'plan' },
          { type: TASK_TYPE, action: 'precheck' },
          { type: TASK_TYPE, action: 'deploy' },
          { type: TASK_TYPE, action: 'verify' },
          ...a.cloud.nodes.flatMap((n) => (['deploy', 'verify'] as const).map((action) => ({ type: TASK_TYPE, action, node: n.name }) as OstopoTaskDefinition)),
        ];
        return defs.map((d) => taskFor(ctx, d, onDone, terminals));
      },
      resolveTask: (task) => (task.definition.type === TASK_TYPE ? taskFor(ctx, task.definition as OstopoTaskDefinition, onDone, terminals) : undefined),
    }),
  );
  return {
    terminals,
    run: (def) => vscode.tasks.executeTask(taskFor(ctx, { ...def, type: TASK_TYPE } as OstopoTaskDefinition, onDone, terminals)),
  };
}
