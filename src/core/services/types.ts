import type { ApiServer, NetworkMechanism, ProfileId } from '../profiles';
import type { ImageStoreId } from './glance';
import type { ProjectId, RoleId, SecretName, ServiceId } from './registry';

/** A command a profile runs before a service's packages are installed. */
export interface PreInstallCommand {
  title: string;
  run: string;
  check?: string;
}

/** A file a service's packages read when they are installed: written before the install. */
export interface PreInstallFile {
  path: string;
  lines: string[];
  description: string;
}

/** How a service is installed and run on one profile row (rows inherit the entry of the row they extend). */
export interface ServiceOnProfile {
  packages: string[];
  /** systemd units enabled and (re)started, in order. */
  units: string[];
  /** How its API is served on this row (API services). */
  api?: ApiServer;
  /** The system user (and group) owning its files, when it differs from the descriptor's. */
  owner?: string;
  /**
   * Installed without the packages' weak dependencies (the profile's install.withoutRecommends), where
   * they bring only what the service never runs. Services installed together keep them unless all say so.
   */
  withoutRecommends?: boolean;
  /** Commands run before its packages are installed. */
  preInstall?: PreInstallCommand[];
  /** Files its packages read at install time, written before the install. */
  preInstallFiles?: PreInstallFile[];
  /**
   * Rendered files (logical names) the daemon reads, in order (a later file wins): an override in an
   * earlier file of an option that a later one sets never reaches the daemon.
   */
  configReadOrder?: string[];
}

/** A config file a project renders that `config.<project>.<file>.<section>.<option>` overrides. */
export interface ConfigFileDef {
  /** Logical name used in the topology (the file's basename on the node in most profiles). */
  name: string;
  project: ProjectId;
  description: string;
  /** oslo.config files: `$` is escaped, multi-valued options are repeated keys. */
  oslo: boolean;
  /**
   * `keyvalue`: `key = value` lines without sections (libvirt's qemu.conf); overrides are
   * `<file>.<key>: value`, checked with keyOptions. `python`: a Django settings file (horizon's
   * local_settings), `<file>.<NAME>: value` with any YAML value written as a Python literal. Default: INI,
   * `<file>.<section>.<option>: value`.
   */
  format?: 'ini' | 'keyvalue' | 'python';
  /** Service and file in the option catalog whose options this file takes. */
  catalog?: { service: string; file: string };
}

/**
 * One service: everything ostopo knows about it as data. Render, validation, completion, hover, the
 * schema, secrets, openrc, keystone registration and verify read it from the registry; its renderer
 * (render/<project>.ts) writes its files and commands.
 */
export interface ServiceDescriptor {
  id: ServiceId;
  /** The project it belongs to: it owns the config files that `config.<project>` overrides. */
  project: ProjectId;
  title: string;
  description: string;
  /** The roles that place it. */
  roles: RoleId[];
  /**
   * What else a role needs to place it (listed in a node's `services`, it is placed anyway):
   * `networks: 'any'` a provider or self-service network in the topology (the data plane), `'selfservice'`
   * a self-service network; `mechanism`: the cloud's ML2 mechanism is this one; `blockNode`: a node of the
   * topology has the `block` role (cinder's API and scheduler on the controller).
   */
  placedWhen?: { networks?: 'any' | 'selfservice'; mechanism?: NetworkMechanism; blockNode?: boolean };
  /** Services that must run somewhere in the cloud for this one to work. */
  requires: ServiceId[];
  /** Services whose steps come before this one's (the guide's order); the render order is derived from these. */
  after: ServiceId[];
  /** At most one node may run it (the guide's single-controller architecture). */
  singleInstance: boolean;
  /**
   * Secrets its files and commands use besides those of its database, its keystone user and admin-openrc
   * (secretsOf adds those; a test renders every service on a node of its own and compares).
   */
  secrets: SecretName[];
  /**
   * Secrets it uses besides those when other services are placed in the cloud (cinder-volume: Ceph's
   * client.cinder key where Ceph runs) and, with `imageStore`, when glance keeps images there.
   */
  secretsWhen?: { placed: ServiceId[]; imageStore?: ImageStoreId; secrets: SecretName[] }[];
  /** The system user (and group) owning its files (a profile row may name another). */
  owner?: string;
  /** Per profile row id; a row without an entry inherits the one of the row it extends. */
  profiles: Partial<Record<ProfileId, ServiceOnProfile>>;
  /** Its databases on the MariaDB node: created, with the guide's grants, before any service that uses one. */
  database?: { user: string; names: string[]; secret: SecretName };
  /** The guide's keystone registration: a user with the admin role in `service`, the service entity, three endpoints. */
  keystone?: { user: string; secret: SecretName; name: string; type: string; description: string; port: number; path?: string };
  /**
   * Its steps run `openstack` commands (keystone's own setup; implied by `keystone`): its nodes get the
   * openrc files, rendered before the first such service.
   */
  openrc?: boolean;
  /** Config files it renders first in its project (others of the project may render them too). */
  configFiles?: ConfigFileDef[];
  /**
   * TCP ports it listens on besides its keystone endpoint's (`keystone.port`): before a deploy, precheck
   * finds each free or held by the service's own units.
   */
  ports?: number[];
}
