/**
 * Every command of the extension: the command table (commands.ts) has exactly these keys, and
 * package.json contributes exactly these (a unit test compares). Kept free of `vscode` so tests read it.
 */
export const COMMAND_IDS = [
  'ostopo.preview',
  'ostopo.previewNode',
  'ostopo.openRendered',
  'ostopo.revealSecrets',
  'ostopo.maskSecrets',
  'ostopo.storeSecret',
  'ostopo.renderToFolder',
  'ostopo.deployNode',
  'ostopo.verifyNode',
  'ostopo.planNode',
  'ostopo.precheckNode',
  'ostopo.deployAll',
  'ostopo.verifyAll',
  'ostopo.planAll',
  'ostopo.precheckAll',
  'ostopo.revealNode',
  'ostopo.newTopology',
  'ostopo.newFromExample',
  'ostopo.refresh',
  'ostopo.showOutput',
  'ostopo.compareWithNode',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

/**
 * Commands that need a trusted workspace: they connect to hosts a topology names, send them secrets read
 * from environment variables it names, show those secrets, or write files. In a workspace not trusted,
 * ostopo edits, validates and previews (masked) only; package.json hides these there (a unit test checks).
 */
export const TRUSTED_ONLY: readonly CommandId[] = [
  'ostopo.revealSecrets',
  'ostopo.renderToFolder',
  'ostopo.deployNode',
  'ostopo.verifyNode',
  'ostopo.planNode',
  'ostopo.deployAll',
  'ostopo.verifyAll',
  'ostopo.planAll',
  'ostopo.precheckNode',
  'ostopo.precheckAll',
  'ostopo.compareWithNode',
];
