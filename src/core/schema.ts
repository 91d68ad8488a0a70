import { NETWORK_MECHANISMS, OPERATING_SYSTEMS, OVS_DATAPATHS, PROFILES, releaseAliases, RELEASES } from './profiles';
import { CONFIG_FILES, PROJECT_IDS, ROLE_IDS, ROLES, SECRET_NAMES, SECRETS, SECRETS_OF_UNDEPLOYED, SERVICE_IDS, REGISTRY } from './services/registry';
import { IMAGE_STORE_IDS } from './services/glance';
import { inLocale, Locale, locale, t } from './l10n';

/**
 * The JSON Schema (draft-07) of a topology file: the single source of truth for keys, types, enums and
 * their documentation. Completion, hover and validation read it; `schemas/ostopo.schema.json` is this
 * object written out by the build for `yamlValidation`. No `oneOf`/`anyOf`: every key has one type, so
 * every error names one expectation.
 *
 * Extension keywords (ignored by other JSON Schema tools):
 * - `x-ostopo-ref`: the value names a `node`, `service`, `role` or `secret` (completion, references, codes).
 * - `x-ostopo-secret`: the value, and every value below it, is secret: no message, hover or outline ever
 *   shows it (a message says what is wrong without quoting it).
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: unknown[];
  enumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  uniqueItems?: boolean;
  pattern?: string;
  /** Human wording of `pattern`, used in messages instead of the regex. */
  patternDescription?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  defaultSnippets?: { label: string; description?: string; body: unknown }[];
  'x-ostopo-ref'?: 'node' | 'service' | 'role' | 'secret';
  'x-ostopo-secret'?: boolean;
  /** A YAML number here stands for the text it is written as (`release: 2025.1`): checked as that text. */
  'x-ostopo-as-text'?: boolean;
}
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const IPV4 = '^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$';
const CIDR = '^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$';
export const NODE_NAME_PATTERN = '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$';
const HOSTNAME = '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$';
/** A machine's host name (RFC 1123 labels; the kernel keeps at most 64 characters: maxLength). */
const HOST_NAME = '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';
const IFNAME = '^[A-Za-z0-9_.:-]{1,15}$';
/** An http(s):// or file:// URL without spaces, quotes or backslashes (it goes into source files and commands, quoted). */
const URL_PATTERN = '(https?://[A-Za-z0-9.-]+(:[0-9]+)?|file://)(/[A-Za-z0-9._~%+,=:@/$-]*)?';
const SAFE_WORD = '^[A-Za-z0-9_.-]+$';

/** How a secret's value is written (completion and hover show it with each secret). */
const secretValueForm = () =>
  t(
    'A literal (quote it if it could read as a number or `true`), `${env:NAME}` (an environment variable) or `${keychain}` (kept in the OS keychain by VS Code: "ostopo: Store Secret in Keychain"; the CLI cannot read it). In a literal, `$${` stands for a literal `${` (any other `${` is a reference).',
  );

const ipv4 = (description: string, examples: string[]): JsonSchema => ({
  type: 'string',
  pattern: IPV4,
  patternDescription: t('an IPv4 address such as 10.0.0.11'),
  description,
  examples,
});

const serviceList = (description: string): JsonSchema => ({
  type: 'array',
  description,
  uniqueItems: true,
  items: {
    type: 'string',
    enum: [...SERVICE_IDS],
    enumDescriptions: SERVICE_IDS.map((s) => `${t(REGISTRY[s].title)}: ${t(REGISTRY[s].description)}`),
    'x-ostopo-ref': 'service',
    description: t('A service id.'),
  },
});

const sshSchema = (where: string): JsonSchema => ({
  type: 'object',
  description: t(
    'How ostopo connects to {0} over SSH. Values given here are used as they are; a `host` alias is resolved with `ssh -G` so your ~/.ssh/config (Include, ProxyJump, IdentityFile...) applies.',
    where,
  ),
  additionalProperties: false,
  properties: {
    user: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_-]*[$]?$',
      patternDescription: t('a Unix user name'),
      description: t('Remote user. When it is not `root`, commands run through `sudo -n` (a sudo that asks for a password is reported as an error).'),
      default: 'root',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: t('SSH port.'), default: 22 },
    identityFile: { type: 'string', minLength: 1, description: t('Private key file (`~` is expanded). Without it, ssh-agent (SSH_AUTH_SOCK) or the keys of `ssh -G` are used.') },
    host: {
      type: 'string',
      pattern: HOSTNAME,
      patternDescription: t('a host name or ~/.ssh/config alias'),
      description: t('Host name or ~/.ssh/config alias to connect to instead of the node address.'),
    },
    knownHostsFile: { type: 'string', minLength: 1, description: t("Extra known_hosts file checked besides ~/.ssh/known_hosts and the project's .ostopo/known_hosts. Host keys are always verified.") },
  },
});

const optionValue: JsonSchema = {
  type: ['string', 'number', 'boolean', 'array', 'null'],
  description: t("The option's value. A list is written as repeated keys for multi-valued options and comma-separated otherwise; `null` removes an option ostopo would write."),
  items: { type: ['string', 'number', 'boolean'], description: t('One value of the list.') },
};

const configFileSchema = (description: string): JsonSchema => ({
  type: ['object', 'null'],
  description,
  propertyNames: { pattern: '^[A-Za-z0-9_.:-]+$', patternDescription: t('an INI section name') },
  additionalProperties: {
    type: ['object', 'null'],
    description: t('An INI section: `option: value` pairs merged over what ostopo renders (`null` drops the section).'),
    propertyNames: { pattern: '^[A-Za-z0-9_.-]+$', patternDescription: t('an option name') },
    additionalProperties: optionValue,
  },
});

/** A `key = value` file without sections (libvirt's qemu.conf): `key: value` pairs. */
const keyValueFileSchema = (description: string): JsonSchema => ({
  type: ['object', 'null'],
  description,
  propertyNames: { pattern: '^[a-z][a-z0-9_]*$', patternDescription: t('a setting name (lower case, digits and _)') },
  additionalProperties: optionValue,
});

const pySettingsFileSchema = (description: string): JsonSchema => ({
  type: ['object', 'null'],
  description,
  propertyNames: { pattern: '^[A-Z][A-Z0-9_]*$', patternDescription: t('a Django setting name (upper case letters, digits and _)') },
  additionalProperties: {
    type: ['string', 'number', 'boolean', 'array', 'object', 'null'],
    description: t("The setting's value, written as a Python literal (a mapping is a dict, merged over the one ostopo writes; a list replaces); `null` removes a setting ostopo would write."),
  },
});

const configSchema = (scope: string): JsonSchema => ({
  type: 'object',
  description: t('Overrides merged over the rendered files {0}: `<project>.<file>.<section>.<option>: value`. The preview shows which layer set each value.', scope),
  additionalProperties: false,
  properties: Object.fromEntries(
    PROJECT_IDS.filter((p) => CONFIG_FILES.some((f) => f.project === p)).map((p) => [
      p,
      {
        type: 'object',
        description: t("Overrides for {0}'s configuration files.", p),
        additionalProperties: false,
        properties: Object.fromEntries(
          CONFIG_FILES.filter((f) => f.project === p).map((f) => [
            f.name,
            f.format === 'keyvalue' ? keyValueFileSchema(t(f.description)) : f.format === 'python' ? pySettingsFileSchema(t(f.description)) : configFileSchema(t(f.description)),
          ]),
        ),
      },
    ]),
  ),
});

/** The schema with its documentation in the current locale (t): built once per locale by localSchema. */
function build(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://ostopo.dev/schemas/ostopo.schema.json',
    title: 'ostopo topology',
    description: t('One OpenStack cloud: its nodes, the services each runs, networks, NTP, secrets and config overrides.'),
    type: 'object',
    additionalProperties: false,
    required: ['ostopo', 'name', 'release', 'os', 'nodes'],
    properties: {
      ostopo: { type: 'integer', const: 1, description: t('Format version of this file. Always `1` for now.'), default: 1 },
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
        patternDescription: t('letters, digits, `_`, `.` and `-`'),
        description: t('Name of the cloud; names the deploy journal in `.ostopo/`.'),
      },
      release: {
        // `release: 2025.1` is read by YAML as a number: the schema checks the text as written (x-ostopo-as-text).
        type: ['string', 'number'],
        'x-ostopo-as-text': true,
        enum: RELEASES.flatMap((r) => [r.id, ...releaseAliases(r)]),
        enumDescriptions: RELEASES.flatMap((r) => [t(r.description), ...releaseAliases(r).map(() => t('The same as `{0}`: {1}', r.id, t(r.description)))]),
        description: t('OpenStack release (a number such as 2025.1 may stay unquoted). Together with `os` it selects a profile (packages, paths, how services run).'),
      },
      os: {
        type: 'string',
        enum: OPERATING_SYSTEMS.map((o) => o.id),
        enumDescriptions: OPERATING_SYSTEMS.map((o) => t(o.description)),
        description: t('Operating system of every node.'),
      },
      region: { type: 'string', pattern: SAFE_WORD, patternDescription: t('letters, digits, `_`, `.` and `-`'), description: t('Keystone region of every endpoint.'), default: 'RegionOne' },
      cloudsYaml: {
        type: 'object',
        description: t(
          "clouds.yaml for the OpenStack client (`openstack --os-cloud admin`), written where admin-openrc is (~/.config/openstack of the openrc directory's user), as Kolla-Ansible's post-deploy does: the `admin` cloud and, with `guideSamples`, `demo` (myuser). It holds no password; the client takes one from OS_PASSWORD or asks.",
        ),
        additionalProperties: false,
        properties: {
          passwords: {
            type: 'boolean',
            default: false,
            description: t('Also write the passwords, into secure.yaml beside clouds.yaml (mode 0600), so that `openstack --os-cloud NAME` needs nothing else.'),
          },
        },
      },
      guideSamples: {
        type: 'boolean',
        default: true,
        description: t(
          'The install guide\'s sample identity objects ("Create a domain, projects, users, and roles"): the `example` domain, the unprivileged `myproject` project and `myuser` user (password DEMO_PASS) with the `myrole` role in it, and myuser\'s demo-openrc; verify issues a token as myuser. `false` leaves them out (DEMO_PASS is then not needed).',
        ),
      },
      workers: {
        type: 'integer',
        minimum: 1,
        maximum: 256,
        description: t(
          "Worker processes of every OpenStack API and daemon (glance, nova, uwsgi processes on Debian). Default: each service's own default, one per CPU (Debian's uwsgi APIs: 8 processes of 32 threads). Small nodes want 1 or 2.",
        ),
      },
      storage: {
        type: 'object',
        description: t("Where the cloud keeps its data. cinder's volumes go to Ceph when a node has the `ceph` role (RBD), else to the guide's LVM on the `block` nodes."),
        additionalProperties: false,
        properties: {
          images: {
            type: 'string',
            enum: [...IMAGE_STORE_IDS],
            enumDescriptions: [
              t("The guide's file store: images are files under /var/lib/glance/images on the glance node."),
              t(
                "Ceph RBD: images are RBD images in the pool `images` (glance's Ceph user client.glance, key CEPH_GLANCE_KEY); cinder's volumes made from an image are copy-on-write clones of it. Needs a node with the `ceph` role. Images already in the file store stay readable.",
              ),
            ],
            default: 'file',
            description: t("Where glance keeps images: `file` (the guide's file store on the glance node) or `rbd` (Ceph)."),
          },
        },
      },
      networks: {
        type: 'object',
        description: t(
          "The guide's networks: management (every node has an address on it), provider (the external network of instances: networking option 1) and self-service (project networks over VXLAN, routed to the provider network: option 2). With provider or self-service, the `network` and `compute` roles place neutron's agents.",
        ),
        additionalProperties: false,
        required: ['management'],
        properties: {
          management: {
            type: 'object',
            description: t('Management network: node addresses, API endpoints and the database are on it.'),
            additionalProperties: false,
            required: ['cidr'],
            properties: {
              cidr: {
                type: 'string',
                pattern: CIDR,
                patternDescription: t('a CIDR such as 10.0.0.0/24'),
                description: t('Network of the node addresses; also the default `ntp.allow`.'),
                examples: ['10.0.0.0/24'],
              },
              gateway: ipv4(t('Gateway of the management network (documentation; ostopo does not change the management interface).'), ['10.0.0.1']),
            },
          },
          provider: {
            type: 'object',
            description: t(
              'Provider network: an interface without an IP address that instances reach the outside through (guide: ifcfg with BOOTPROTO none), a flat network in neutron. `cidr`, `gateway`, `allocationPool` and `dns` describe its subnet: verify creates it as the guide\'s "provider" network.',
            ),
            additionalProperties: false,
            properties: {
              name: {
                type: 'string',
                pattern: '^[A-Za-z0-9_-]{1,64}$',
                patternDescription: t('letters, digits, `_` and `-`'),
                description: t("Name of the physical network in neutron (ML2 flat_networks, the agents' mappings)."),
                default: 'provider',
              },
              interface: {
                type: 'string',
                pattern: IFNAME,
                patternDescription: t('a network interface name (at most 15 characters)'),
                description: t('Interface name on every node, e.g. `eth1` or `ens4`; override per node with `nodes.<name>.providerInterface`.'),
                examples: ['eth1'],
              },
              cidr: { type: 'string', pattern: CIDR, patternDescription: t('a CIDR such as 203.0.113.0/24'), description: t('Provider subnet.'), examples: ['203.0.113.0/24'] },
              gateway: ipv4(t('Provider network gateway (in `cidr`).'), ['203.0.113.1']),
              allocationPool: {
                type: 'object',
                description: t("Addresses of the provider subnet that neutron hands out (router gateways, floating IPs, instances on the provider network); the guide's 203.0.113.101-203.0.113.250."),
                additionalProperties: false,
                required: ['start', 'end'],
                properties: {
                  start: ipv4(t('First address of the pool (in `cidr`).'), ['203.0.113.101']),
                  end: ipv4(t('Last address of the pool (in `cidr`, not before `start`).'), ['203.0.113.250']),
                },
              },
              dns: {
                type: 'array',
                description: t('DNS servers handed to instances on the provider subnet.'),
                uniqueItems: true,
                items: { type: 'string', pattern: IPV4, patternDescription: t('an IPv4 address'), description: t('A DNS server address.') },
                examples: [['8.8.4.4']],
              },
            },
          },
          selfservice: {
            type: 'object',
            description: t(
              'Self-service networks (the guide\'s networking option 2): projects make VXLAN networks and routers; the L3 agent (the `network` role) routes them to the provider network with SNAT and floating IPs. `cidr` and `gateway` are the guide\'s "selfservice" network, which verify creates.',
            ),
            additionalProperties: false,
            properties: {
              vniRange: {
                type: 'string',
                pattern: '^[0-9]{1,8}:[0-9]{1,8}$',
                patternDescription: t('FIRST:LAST, e.g. 1:1000'),
                description: t('VXLAN network identifiers that self-service networks take (ML2 [ml2_type_vxlan] vni_ranges).'),
                default: '1:1000',
              },
              cidr: {
                type: 'string',
                pattern: CIDR,
                patternDescription: t('a CIDR such as 172.16.1.0/24'),
                description: t('Subnet of the self-service network verify creates.'),
                default: '172.16.1.0/24',
              },
              gateway: ipv4(t('Gateway of that subnet (default: its first address).'), ['172.16.1.1']),
            },
          },
          mechanism: {
            type: 'string',
            enum: NETWORK_MECHANISMS.map((m) => m.id),
            enumDescriptions: NETWORK_MECHANISMS.map((m) =>
              t(
                '{0} Profiles: {1}.',
                t(m.description),
                PROFILES.filter((p) => p.networkMechanisms.includes(m.id))
                  .map((p) => p.id)
                  .join(', '),
              ),
            ),
            description: t("How instances' networks are wired (ML2 mechanism and L2 agent). Default: the profile's ({0}).", PROFILES.map((p) => `${p.id}: ${p.networkMechanisms[0]}`).join(', ')),
          },
          ovsDatapath: {
            type: 'string',
            enum: OVS_DATAPATHS.map((d) => d.id),
            enumDescriptions: OVS_DATAPATHS.map((d) => t(d.description)),
            default: 'system',
            description: t(
              "Open vSwitch's datapath, with the `openvswitch` mechanism: `system` (the kernel's openvswitch module) or `netdev` (Open vSwitch's userspace datapath, for hosts without that module, such as containers; slower). With `netdev` ostopo makes every bridge a userspace one, turns on userspace TCP segmentation offload (without it instances get DHCP and ping but no TCP) and gives the DHCP and L3 agents veth pairs (internal ports in their namespaces would not survive a restart of ovs-vswitchd).",
            ),
          },
        },
      },
      ntp: {
        type: 'object',
        description: t('Time synchronisation with chrony: the NTP server node syncs from `servers`; the other nodes sync from it.'),
        additionalProperties: false,
        properties: {
          servers: {
            type: 'array',
            description: t('Upstream NTP servers of the NTP server node (`server NAME iburst`).'),
            items: { type: 'string', pattern: HOSTNAME, patternDescription: t('a host name or IPv4 address'), description: t('An NTP server: host name or IPv4 address.') },
            uniqueItems: true,
            default: ['pool.ntp.org'],
            examples: [['0.pool.ntp.org', '1.pool.ntp.org']],
          },
          server: {
            type: 'string',
            pattern: NODE_NAME_PATTERN,
            patternDescription: t('a node name'),
            'x-ostopo-ref': 'node',
            description: t('The node that serves time to the others. Default: the node with the `controller` role.'),
          },
          allow: {
            type: 'array',
            description: t('Networks allowed to sync from the NTP server node (`allow` lines). Default: the management cidr.'),
            items: { type: 'string', pattern: CIDR, patternDescription: t('a CIDR such as 10.0.0.0/24'), description: t('A network allowed to query the NTP server, e.g. 10.0.0.0/24.') },
            uniqueItems: true,
          },
        },
      },
      repositories: {
        type: 'object',
        description: t(
          "Where the nodes get their packages: a local mirror, or a vault for a distribution past its end of life (CentOS 7). ostopo writes the sources (apt: /etc/apt/sources.list.d/ostopo.sources; yum: /etc/yum.repos.d/ostopo-*.repo) and sets the distribution's own aside (renamed to NAME.ostopo-disabled). Without this key the nodes keep their own sources.",
        ),
        additionalProperties: false,
        required: ['os'],
        properties: {
          os: repoUrl(
            t(
              "Base URL of the operating system's packages. Debian: a mirror of the archive (suites `<codename>` and `<codename>-updates`, component main), e.g. http://mirror.example.com/debian. CentOS 7: the root of a 7.9.2009 tree (os/, updates/, extras/, cloud/, storage/, virt/), e.g. https://vault.centos.org/7.9.2009.",
            ),
            ['http://deb.debian.org/debian', 'https://vault.centos.org/7.9.2009'],
          ),
          security: repoUrl(
            t('Debian: base URL of the security archive (suite `<codename>-security`), e.g. http://security.debian.org/debian-security. Leave out to take no security updates from a mirror.'),
            ['http://security.debian.org/debian-security'],
          ),
          openstack: repoUrl(
            t(
              'CentOS 7: URL of the RDO Train repository itself when it is not at `<os>/cloud/$basearch/openstack-train` (yum variables such as $basearch are kept). Debian carries OpenStack in its main archive: not used there.',
            ),
            ['https://vault.centos.org/7.9.2009/cloud/x86_64/openstack-train'],
          ),
          gpgKeys: {
            type: 'array',
            description: t(
              "Extra keys that sign these repositories (a local repository re-signed with your own key): each an ASCII-armored public key (a literal block `|`) or its URL (https://, http:// or file://). The distribution's own keys are always trusted.",
            ),
            uniqueItems: true,
            items: {
              type: 'string',
              pattern: `^(${URL_PATTERN}|-----BEGIN PGP PUBLIC KEY BLOCK-----\n[A-Za-z0-9+/=:. \n-]+-----END PGP PUBLIC KEY BLOCK-----\n?)$`,
              patternDescription: t('an ASCII-armored public key (-----BEGIN PGP PUBLIC KEY BLOCK----- …) or an http(s):// or file:// URL'),
              description: t('A public key, armored, or the URL of one.'),
            },
          },
        },
      },
      verify: {
        type: 'object',
        description: t('What `ostopo verify` uses beyond the cloud itself.'),
        additionalProperties: false,
        properties: {
          image: {
            type: 'object',
            description: t(
              'The image verify\'s "Launch an instance" boots on the self-service network (uploaded to glance for the check, deleted afterwards): a kernel and its ramdisk, booted directly (`scripts/test-image.sh` builds a tiny one from Debian\'s packages), or a bootable disk image such as CirrOS. Paths are relative to this file. Without it, the instance checks are skipped.',
            ),
            additionalProperties: false,
            properties: {
              kernel: { type: 'string', minLength: 1, description: t('A Linux kernel (glance `aki` image; the instance boots it with `ramdisk`).'), examples: ['build/test-image/vmlinuz'] },
              ramdisk: { type: 'string', minLength: 1, description: t('Its initial ramdisk (glance `ari` image).'), examples: ['build/test-image/initrd.img'] },
              disk: {
                type: 'string',
                minLength: 1,
                description: t('A bootable disk image (qcow2, or raw when the name ends in .raw or .img without a qcow2 header).'),
                examples: ['cirros-0.6.2-x86_64-disk.img'],
              },
            },
          },
        },
      },
      ssh: sshSchema(t('every node (defaults; override per node with `nodes.<name>.ssh`)')),
      secretsFile: {
        type: 'string',
        minLength: 1,
        description: t(
          'A file of the secrets kept apart from the topology (relative to its folder): `NAME: value` lines, mode 0600, as Kolla-Ansible keeps passwords.yml. `ostopo secrets generate` creates it and fills in every secret the placed services need; a name under `secrets` wins over the file.',
        ),
        examples: ['cloud.secrets.yaml'],
      },
      secrets: {
        type: 'object',
        description: t(
          'Passwords, named as in the install guide. A value is a literal, `${env:NAME}` (read from the environment of VS Code or the CLI) or `${keychain}` (kept in the OS keychain by VS Code); in a literal, `$${` stands for a literal `${`. Values are masked in every output unless revealed, and no message ever shows them.',
        ),
        'x-ostopo-secret': true,
        propertyNames: { pattern: '^[A-Z][A-Z0-9_]*$', patternDescription: t('an upper-case secret name such as GLANCE_PASS') },
        additionalProperties: { type: 'string', description: `${t('A secret value.')} ${secretValueForm()}`, 'x-ostopo-secret': true },
        properties: Object.fromEntries(
          SECRET_NAMES.map((n) => {
            const later = SECRETS_OF_UNDEPLOYED[n];
            const doc = later ? `${t(SECRETS[n])} ${t('For {0}, which ostopo does not deploy yet.', t(later))}` : t(SECRETS[n]);
            return [n, { type: 'string', description: `${doc} ${secretValueForm()}`, 'x-ostopo-ref': 'secret', 'x-ostopo-secret': true }];
          }),
        ),
      },
      nodes: {
        type: 'object',
        description: t("The servers of the cloud, by host name. Each node's name is its host name in /etc/hosts and in the endpoint URLs."),
        minProperties: 1,
        propertyNames: { pattern: NODE_NAME_PATTERN, patternDescription: t('a lower-case host name (letters, digits and `-`)') },
        additionalProperties: {
          type: 'object',
          description: t('A node: its management address and what runs on it.'),
          additionalProperties: false,
          required: ['address'],
          properties: {
            address: ipv4(t('Management network address of the node (guide: controller 10.0.0.11, compute1 10.0.0.31).'), ['10.0.0.11']),
            hostname: {
              type: 'string',
              pattern: HOST_NAME,
              maxLength: 64,
              patternDescription: t('a host name: labels of letters, digits and `-`, separated by dots'),
              description: t(
                "The node's host name, when it is not the node's name (the guide sets each node's host name to its name: `controller`, `compute1`). The deploy writes it to /etc/hostname and sets it; nova and neutron report the node by it, and /etc/hosts gives it and the node's name the node's address.",
              ),
              examples: ['ctl01.example.net'],
            },
            roles: {
              type: 'array',
              description: t('Roles that expand to services: {0}.', ROLE_IDS.map((r) => `\`${r}\` (${ROLES[r].services.join(', ')})`).join('; ')),
              uniqueItems: true,
              items: { type: 'string', enum: [...ROLE_IDS], enumDescriptions: ROLE_IDS.map((r) => t(ROLES[r].description)), 'x-ostopo-ref': 'role', description: t('A role.') },
            },
            services: serviceList(t('Services on this node in addition to those of its roles.')),
            providerInterface: {
              type: 'string',
              pattern: IFNAME,
              patternDescription: t('a network interface name'),
              description: t('Provider interface of this node when it differs from `networks.provider.interface`.'),
            },
            overlayAddress: ipv4(
              t("This node's VXLAN tunnel endpoint (the guide's OVERLAY_INTERFACE_IP_ADDRESS) when it is not its management `address`: an address on another interface for tenant traffic."),
              ['10.0.1.31'],
            ),
            lvmDevices: {
              type: 'array',
              uniqueItems: true,
              minItems: 1,
              description: t(
                "Block devices the deploy makes into the LVM volume group of cinder-volume (the guide's `pvcreate /dev/sdb` and `vgcreate cinder-volumes /dev/sdb`), on a node with the `block` role. Their contents are lost. Without it the volume group must exist on the node.",
              ),
              items: { type: 'string', pattern: '^/dev/[A-Za-z0-9][A-Za-z0-9/_.:-]*$', patternDescription: t('a device path such as /dev/sdb'), description: t('A block device, e.g. /dev/sdb.') },
              examples: [['/dev/sdb']],
            },
            cephOsds: {
              type: 'array',
              minItems: 1,
              description: t(
                "Ceph OSDs of this node (the `ceph` role): one BlueStore OSD per entry, its data in a sparse file of `size` in the OSD's directory under /var/lib/ceph/osd (no disk to give away; the file grows as data is written).",
              ),
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['size'],
                description: t('One OSD.'),
                properties: {
                  size: {
                    type: 'string',
                    pattern: '^[1-9][0-9]*[GT]$',
                    patternDescription: t('a size in gigabytes or terabytes, such as 10G'),
                    description: t("The size of the OSD's BlueStore file (`10G`, `1T`): what the OSD can hold."),
                    examples: ['10G'],
                  },
                },
              },
              examples: [[{ size: '10G' }]],
            },
            ssh: sshSchema(t('this node')),
            config: configSchema(t('of this node only (over the global `config`)')),
          },
        },
      },
      config: configSchema(t('of every node')),
    },
  };
}

/** The schema in English: the one written to schemas/ostopo.schema.json for other editors. */
export const topologySchema: JsonSchema = inLocale('en', build);

const byLocale = new Map<Locale, JsonSchema>([['en', topologySchema]]);

/** The schema whose descriptions (hover, completion, messages) are in the current locale. */
export function localSchema(): JsonSchema {
  const l = locale();
  let s = byLocale.get(l);
  if (!s) byLocale.set(l, (s = build()));
  return s;
}

function repoUrl(description: string, examples: string[]): JsonSchema {
  return { type: 'string', pattern: `^${URL_PATTERN}$`, patternDescription: t('an http://, https:// or file:// URL'), description, examples };
}

/** The sub-schema at a data path, following properties / patternProperties / additionalProperties / items. */
export function schemaAt(path: (string | number)[], root: JsonSchema = localSchema()): JsonSchema | undefined {
  let s: JsonSchema | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    s = childSchema(s, seg);
  }
  return s;
}

export function childSchema(s: JsonSchema, seg: string | number): JsonSchema | undefined {
  if (typeof seg === 'number') return s.items;
  if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) return s.properties[seg];
  if (s.patternProperties) {
    for (const [re, sub] of Object.entries(s.patternProperties)) if (new RegExp(re).test(seg)) return sub;
  }
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** The schema as written to schemas/ostopo.schema.json (without ostopo's extension keywords' effect on other tools). */
export function schemaJson(): string {
  return JSON.stringify(topologySchema, forOtherTools, 2) + '\n';
}

/**
 * Other tools (Red Hat's YAML extension) compare the value YAML read, not the text: `release: 2025.1`
 * is the number 2025.1 there, which the enum's text "2025.1" does not accept. Where ostopo reads the
 * text as written (x-ostopo-as-text), an enum's value that YAML reads as that same number is also
 * allowed as the number (with the same description).
 */
function forOtherTools(this: unknown, key: string, value: unknown): unknown {
  const s = value as JsonSchema;
  if (key === '' || typeof value !== 'object' || value === null || !s['x-ostopo-as-text'] || !s.enum) return value;
  const asNumbers = s.enum.flatMap((v, i) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) && String(Number(v)) === v ? [[Number(v), i] as const] : []));
  if (!asNumbers.length) return value;
  return {
    ...s,
    enum: [...s.enum, ...asNumbers.map(([n]) => n)],
    ...(s.enumDescriptions ? { enumDescriptions: [...s.enumDescriptions, ...asNumbers.map(([, i]) => s.enumDescriptions![i]!)] } : {}),
  };
}
