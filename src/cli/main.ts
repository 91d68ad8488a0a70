import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { analyze, render, TopologyError } from '../core/compile';
import { Finding, formatFinding } from '../core/findings';
import { writeRendered } from '../core/output';
import { MissingSecretError } from '../core/render/template';
import { schemaJson } from '../core/schema';
import { secretLookup } from '../core/secrets';
import { Io, readTopology, UsageError } from './io';
import { secretsCmd } from './secretsCmd';
import { readerBeside } from '../core/localFiles';
import * as l10n from '../core/l10n';

export type { Io } from './io';

const VERSION = '0.1.0';

/** The help (its English text is the key of its translations: l10n.t(HELP)). */
export const HELP = `ostopo ${VERSION} — author an OpenStack cloud as one topology file

Usage:
  ostopo validate FILE [--json]
      Check the topology; prints file:line:col: severity code message.
      Exit 0: no errors (warnings allowed); 1: errors; 2: the file cannot be read.
  ostopo render FILE --out DIR [--node NAME] [--reveal-secrets]
      Write every config file to DIR/<node>/<path on the node>, and each node's ordered
      commands to DIR/<node>/RUNBOOK.sh (checks to VERIFY.sh). Secrets are masked as
      <secret:NAME> unless --reveal-secrets is given (then files are private, mode 0600).
  ostopo plan FILE [--node NAME] [--state-dir DIR] [--check [--accept-new-host-keys]]
      What a deploy would do, from the journal of the last one, without contacting
      the nodes: + new file, ~ changed file, > command that runs, = done.
      --check compares with the nodes too, read-only (what deploy --dry-run does):
      files changed on a node since ostopo wrote them show as drift.
  ostopo precheck FILE [--node NAME] [--verbose] [--accept-new-host-keys]
      Ask the nodes, read-only and in parallel, what a deploy needs: the OS and version,
      the management address, host names, memory and disk (the guide's minimums, as
      warnings), the package repositories, the clock, free ports, root, and which
      virt_type a compute node gets. PASS/WARN/FAIL each; exit 1 when one fails.
  ostopo deploy FILE [--node NAME] [--dry-run] [--force] [--recheck] [--accept-new-host-keys]
                     [--verbose] [--command-timeout SECONDS] [--state-dir DIR] [--break-lock]
                     [--skip-precheck]
      Deploy over SSH: the precheck first (a failure stops the deploy before it changes
      anything; --skip-precheck skips it), then nodes in parallel, steps in the guide's
      order, each skipped when done. Files are written atomically with a backup; a file
      changed on the node since ostopo wrote it (drift) is shown as a diff and kept unless
      --force.
      --dry-run connects and compares without writing or running anything.
      --recheck asks the cloud's API again for what the journal says is done
      (users, services, endpoints), instead of trusting the journal.
      Host keys are checked against known_hosts (~/.ssh/known_hosts, .ostopo/known_hosts,
      ssh.knownHostsFile); an unknown key is refused unless --accept-new-host-keys.
      One deploy or verify of a cloud at a time: the state folder and every node are
      locked while it runs, and another run is refused with who holds the lock and
      since when. --break-lock takes over the locks of a run that is gone for good.
      Exit 0: deployed; 1: failed (run again to resume); 130: cancelled (Ctrl+C).
  ostopo verify FILE [--node NAME] [--verbose] [--break-lock]
      Run the install guide's checks on each node; PASS/FAIL with the evidence.
      Exit 0: every check passed; 1: a check failed or a node was unreachable.
  ostopo secrets generate FILE [--secrets-file PATH]
      Give every secret the placed services need and that has no value a strong random
      one, in the secrets file the topology names (secretsFile), or in PATH (default
      <name>.secrets.yaml beside FILE, then named in FILE): mode 0600, values never
      printed, existing values kept.
  ostopo schema
      Print the topology JSON Schema.
  ostopo --help | --version

Secrets written as \${env:NAME} are read from the environment, those of the secrets
file (secretsFile) from that file. The deploy state (journal, accepted host keys) is
kept in .ostopo/ beside the topology file.
`;

/**
 * The commands that may reach nodes, loaded when one runs: their SSH library takes longer to load than
 * `validate` takes to read most topologies.
 */
function deployCommands(): typeof import('./deployCmds') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./deployCmds') as typeof import('./deployCmds');
}

export function main(argv: string[], io: Io): number | Promise<number> {
  // Messages in the language of LC_ALL, LC_MESSAGES or LANG (English, or Simplified Chinese for zh_CN).
  l10n.setLocale(l10n.localeFromEnv(io.env));
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(l10n.t(HELP));
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    io.out(VERSION + '\n');
    return 0;
  }
  try {
    switch (command) {
      case 'validate':
        return validateCmd(rest, io);
      case 'render':
        return renderCmd(rest, io);
      case 'plan': {
        const r = deployCommands().planCmd(rest, io);
        return typeof r === 'number' ? r : r.catch((e) => usageOr(e, command, io));
      }
      case 'deploy':
        return deployCommands()
          .deployCmd(rest, io)
          .catch((e) => usageOr(e, command, io));
      case 'verify':
        return deployCommands()
          .verifyCmd(rest, io)
          .catch((e) => usageOr(e, command, io));
      case 'precheck':
        return deployCommands()
          .precheckCmd(rest, io)
          .catch((e) => usageOr(e, command, io));
      case 'secrets':
        return secretsCmd(rest, io);
      case 'schema':
        noArgs(rest, 'schema');
        io.out(schemaJson());
        return 0;
      default:
        throw new UsageError(l10n.t("unknown command '{0}'. Commands: validate, render, plan, precheck, deploy, verify, secrets, schema (see ostopo --help).", command));
    }
  } catch (e) {
    return usageOr(e, command, io);
  }
}

/** Bad arguments are exit 2 with a clear line; anything else is a bug and propagates. */
function usageOr(e: unknown, command: string, io: Io): number {
  if (e instanceof UsageError) {
    io.err(`ostopo: ${e.message}\n`);
    return 2;
  }
  if (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`ostopo ${command}: ${e.message}\n${l10n.t('(see ostopo --help)')}\n`);
    return 2;
  }
  throw e;
}

function noArgs(rest: string[], cmd: string): void {
  if (rest.length) throw new UsageError(l10n.t("{0} takes no arguments, got '{1}'.", cmd, rest[0] ?? ''));
}

function printFindings(display: string, findings: Finding[], io: Io): void {
  // One write for all: a file of 40,000 findings made 40,000 system calls.
  if (findings.length) io.err(findings.map((f) => formatFinding(display, f) + '\n').join(''));
}

function summary(findings: Finding[]): string {
  const n = (s: string) => findings.filter((f) => f.severity === s).length;
  return l10n.t('{0} error(s), {1} warning(s), {2} info', n('error'), n('warning'), n('info'));
}

function validateCmd(argv: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'validate', positionals.length));
  const { text, display, full } = readTopology(positionals[0], 'validate', io);
  const a = analyze(text, io.env, readerBeside(full));
  if (values.json) {
    io.out(JSON.stringify({ file: display, findings: a.findings }, null, 2) + '\n');
  } else {
    if (a.findings.length) io.out(a.findings.map((f) => formatFinding(display, f) + '\n').join(''));
    io.err(`${display}: ${summary(a.findings)}\n`);
  }
  return a.hasErrors ? 1 : 0;
}

function renderCmd(argv: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string', short: 'o' }, node: { type: 'string' }, 'reveal-secrets': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'render', positionals.length));
  if (!values.out) throw new UsageError(l10n.t('render needs --out DIR (where the files go).'));
  const { text, display, full } = readTopology(positionals[0], 'render', io);
  const a = analyze(text, io.env, readerBeside(full));
  if (values.node && !a.cloud.nodes.some((n) => n.name === values.node)) {
    throw new UsageError(l10n.t("no node '{0}' in {1}; nodes: {2}.", values.node, display, a.cloud.nodes.map((n) => n.name).join(', ')));
  }
  let rendered;
  try {
    rendered = render(a);
  } catch (e) {
    if (e instanceof TopologyError) {
      printFindings(display, a.findings.filter((f) => f.severity === 'error').concat(e.findings.filter((f) => !a.findings.includes(f))), io);
      io.err(`${display}: ${l10n.t('not rendered: {0}', summary(a.findings))}\n`);
      return 1;
    }
    throw e;
  }
  printFindings(display, a.findings, io);
  const outDir = path.resolve(io.cwd, values.out);
  const reveal = values['reveal-secrets'] === true;
  let written;
  try {
    written = writeRendered(rendered, outDir, rendered.profileTitle, { node: values.node, lookup: reveal ? secretLookup(a.cloud.secrets) : undefined });
  } catch (e) {
    if (e instanceof MissingSecretError) {
      const why = e.names.map((n) => {
        const s = a.cloud.secrets.get(n);
        return s?.env ? l10n.t('{0} (environment variable {1} is not set)', n, s.env) : s?.keychain ? l10n.t('{0} (kept only in the OS keychain of VS Code)', n) : n;
      });
      io.err(`ostopo render: ${l10n.t('cannot reveal secrets without values: {0}', why.join(', '))}\n`);
      return 1;
    }
    throw e;
  }
  const nodes = new Set(written.map((w) => w.node));
  io.out(
    `${reveal ? l10n.t('rendered {0} files for {1} node(s) into {2} (secrets revealed: keep these files private)', written.length, nodes.size, values.out) : l10n.t('rendered {0} files for {1} node(s) into {2} (secrets masked)', written.length, nodes.size, values.out)}\n`,
  );
  for (const n of nodes) io.out(`  ${path.join(values.out, n, 'RUNBOOK.sh')}\n`);
  return 0;
}
