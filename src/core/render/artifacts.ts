import { ServiceId } from '../services/registry';
import { LineOrigin } from './ini';

/** A step groups a node's artifacts under one heading of the guide ("keystone", "nova-compute"...). */
export type StepId = string;

interface Base {
  /** Unique within the node, stable across renders: the journal and the plan key on it. */
  id: string;
  step: StepId;
  /** The service the artifact belongs to, or `base` for the environment steps every node gets. */
  service: ServiceId | 'base';
}

export type FileLanguage = 'ini' | 'shellscript' | 'sql' | 'properties' | 'apacheconf' | 'hosts' | 'yaml' | 'python' | 'plaintext';

export interface FileArtifact extends Base {
  kind: 'file';
  path: string;
  owner: string;
  group: string;
  /** Octal, e.g. "0640". */
  mode: string;
  language: FileLanguage;
  /** Text with secret placeholders (see template.ts); `materialize` gives the masked or real text. */
  content: string;
  /**
   * Set when other tools write the file too (/etc/hosts: cloud-init, provisioning): ostopo owns only the
   * lines from `begin` to `end`, which are `content`'s first and last lines. The rest of the file is the
   * node's: it is kept as it is, and edits there are not drift. A file without the block gets it at the
   * top (the first line that names a host wins); a missing file is the block followed by `initial`.
   */
  block?: { begin: string; end: string; initial: string };
  /** For INI files: who set each value line. */
  origins?: LineOrigin[];
  description: string;
}

export interface CommandArtifact extends Base {
  kind: 'command';
  /** One short line for terminals and the plan: "keystone-manage db_sync". */
  title: string;
  /** Shell text. Topology values in it are quoted; secrets appear only as "$NAME" from `env`. */
  run: string;
  /** Secrets the command reads from its environment (never written into `run`). */
  env?: string[];
  /** Text fed to the command's standard input, with secret placeholders (SQL, for example). */
  stdin?: string;
  /** Shell test: exit 0 when the command's effect is already in place (the command is then skipped). */
  check?: string;
  /**
   * The check asks the cloud's API (an `openstack` call, about a second each): when the journal has this
   * command done with the same input, a re-deploy trusts it instead (`deploy --recheck` asks anyway).
   */
  trustJournal?: boolean;
  /** Run even when `check` passes if any of these file artifacts (ids on the same node) changed. */
  onChange?: string[];
  /** Steps on other nodes that must be complete first. */
  after?: { node: string; step: StepId }[];
  /**
   * The command uses the package manager (an install, its pre-install commands, the package lists). A deploy
   * runs the package commands that lead each step (and the files among them) ahead, in step order, beside
   * the steps before (their database syncs and service starts): never two package commands of a node at
   * once. So a lead must need nothing of the steps before it but their packages.
   */
  packages?: boolean;
}

export interface CheckArtifact extends Base {
  kind: 'check';
  title: string;
  run: string;
  env?: string[];
  /** Regular expression (multi-line) the output must match for the check to pass (besides exit status 0). */
  expect?: string;
  /** Regular expression (multi-line) that fails the check when the output matches it. */
  reject?: string;
  /**
   * systemd units the check needs. One that systemd skipped because a condition of the unit is not met
   * on this node (chrony without CAP_SYS_TIME in a container) makes the check SKIP, with that condition.
   */
  units?: string[];
  after?: { node: string; step: StepId }[];
  /**
   * A check of several stages, each reported as a check of its own (id `<id>#<n>`, these titles): the
   * script prints `OSTOPO-STAGE <n> PASS|FAIL|SKIP <evidence>` for each, n from 1; a stage it never
   * reports is not reached (skipped, naming the stage that failed).
   */
  stages?: string[];
  /**
   * Local files the check needs on the node (paths relative to the topology's folder): uploaded into a
   * private temporary folder before it runs, named `name` there (its path in $OSTOPO_INPUTS), removed after.
   */
  inputs?: { name: string; path: string }[];
  /** Longest the check may run (default: the run's command timeout, 5 minutes). */
  timeoutMs?: number;
  /**
   * Checks of a node that share this key run one after another, never side by side (the dashboard's
   * sign-ins: two at once in a fresh dashboard process can fail in keystoneauth, see render/horizon.ts).
   */
  exclusive?: string;
}

/** A fact about the node learnt at deploy time before rendering (e.g. hardware virtualisation). */
export interface FactArtifact extends Base {
  kind: 'fact';
  title: string;
  name: string;
  run: string;
}

export type Artifact = FileArtifact | CommandArtifact | CheckArtifact | FactArtifact;

export interface NodeFacts {
  /** The CPU has vmx or svm: nova-compute can use KVM (else QEMU). Unknown: assume KVM. */
  hwVirt?: boolean;
}

export interface RenderedNode {
  name: string;
  address: string;
  artifacts: Artifact[];
}

export interface RenderedCloud {
  name: string;
  profile: string;
  /** The profile's title (the header of RUNBOOK.sh and of the rendered folder's README). */
  profileTitle: string;
  nodes: RenderedNode[];
}
