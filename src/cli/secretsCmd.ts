import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../core/compile';
import * as l10n from '../core/l10n';
import { readerBeside, writeAtomicKeepMode, writePrivateAtomic } from '../core/localFiles';
import { generateSecretFor } from '../core/secrets';
import { GenerationError, planGeneration } from '../core/secretsFile';
import { Io, readTopology, UsageError } from './io';

/** The secrets file a topology gets when it names none: `cloud.ostopo.yaml` → `cloud.secrets.yaml`. */
export function defaultSecretsFile(topology: string): string {
  const base = path.basename(topology).replace(/(\.ostopo)?\.ya?ml$/i, '');
  return `${base || 'cloud'}.secrets.yaml`;
}

/** `ostopo secrets generate FILE [--secrets-file PATH]`: never prints a value. */
export function secretsCmd(argv: string[], io: Io): number {
  const [sub, ...rest] = argv;
  if (sub !== 'generate') throw new UsageError(l10n.t("secrets needs a subcommand: generate (see ostopo --help), got '{0}'.", sub ?? ''));
  const { values, positionals } = parseArgs({ args: rest, options: { 'secrets-file': { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'secrets generate', positionals.length));
  const { text, display, full } = readTopology(positionals[0], 'secrets generate', io);
  const a = analyze(text, io.env, readerBeside(full));
  const asked = values['secrets-file'];
  if (asked !== undefined && a.cloud.secretsFile !== undefined && path.resolve(path.dirname(full), asked) !== path.resolve(path.dirname(full), a.cloud.secretsFile)) {
    throw new UsageError(l10n.t('{0} names its secrets file already: secretsFile: {1}.', display, a.cloud.secretsFile));
  }
  let g;
  try {
    g = planGeneration(
      text,
      a,
      asked ?? defaultSecretsFile(full),
      (name) => generateSecretFor(name),
      l10n.t('Secrets of {0}, kept apart from the topology (ostopo secrets generate). Keep this file private (mode 0600) and out of version control.', display),
    );
  } catch (e) {
    if (e instanceof GenerationError) {
      io.err(`ostopo secrets generate: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const secretsPath = path.resolve(path.dirname(full), g.file);
  const shown = path.relative(io.cwd, secretsPath) || g.file;
  if (g.text !== undefined) {
    try {
      writePrivateAtomic(secretsPath, g.text);
      if (g.topology !== undefined) writeAtomicKeepMode(full, g.topology);
    } catch (e) {
      io.err(`ostopo secrets generate: ${l10n.t('cannot write {0}: {1}', shown, (e as Error).message)}\n`);
      return 1;
    }
    io.out(l10n.t('generated {0} secret(s) into {1} (mode 0600): {2}', g.generated.length, shown, g.generated.join(', ')) + '\n');
    if (g.topology !== undefined) io.out(l10n.t('{0} now names it: secretsFile: {1}', display, g.file) + '\n');
  } else {
    io.out(l10n.t('every secret the topology needs has a value: nothing generated.') + '\n');
  }
  for (const u of g.envUnset)
    io.err(l10n.t('not generated: {0} comes from environment variable {1}, which is not set (set it, or remove {0} from `secrets` to have it generated).', u.name, u.env) + '\n');
  return g.envUnset.length ? 1 : 0;
}
