import { OPERATING_SYSTEMS, RELEASES } from '../profiles';
import { CONFIG_FILES, PROJECT_IDS, ROLE_IDS, ROLES } from '../services/registry';

/**
 * The snippets of the language, offered by completion where they fit (not contributed to VS Code, which
 * would show them in every list, value lists included) and by the "new topology" command. Their choices
 * come from the profile table and the service registry: the newest release and OS first, the projects
 * that have config files.
 */

const choices = (xs: readonly string[]) => `|${xs.join(',')}|`;
const newestFirst = <T>(xs: readonly T[]) => [...xs].reverse();
/** Compute first (most nodes added to a topology are compute nodes), then the smallest role first. */
const roleChoices = [...ROLE_IDS].sort((a, b) => +(b === 'compute') - +(a === 'compute') || ROLES[a].services.length - ROLES[b].services.length);
const overridable = PROJECT_IDS.filter((p) => CONFIG_FILES.some((f) => f.project === p));

export const TOPOLOGY_SNIPPET = [
  'ostopo: 1',
  'name: ${1:mycloud}',
  `release: \${2${choices(newestFirst(RELEASES).map((r) => r.id))}}`,
  `os: \${3${choices(newestFirst(OPERATING_SYSTEMS).map((o) => o.id))}}`,
  '',
  'networks:',
  '  management:',
  '    cidr: ${4:10.0.0.0/24}',
  '',
  'secrets:',
  '  ADMIN_PASS: \\${env:ADMIN_PASS}',
  '',
  'nodes:',
  '  controller:',
  '    address: ${5:10.0.0.11}',
  '    roles: [controller]',
  '  compute1:',
  '    address: ${6:10.0.0.31}',
  '    roles: [compute]',
  '$0',
].join('\n');

/** The snippets by name: prefix (the completion label), description, body (lines after the first relative to the cursor's line). */
export const SNIPPETS: Record<string, { prefix: string; description: string; body: string[] }> = {
  Topology: {
    prefix: 'ostopo-topology',
    description: 'A whole topology: release, OS, network, secrets, a controller and a compute node',
    body: TOPOLOGY_SNIPPET.split('\n'),
  },
  Node: {
    prefix: 'ostopo-node',
    description: 'A node with an address and roles (under nodes:)',
    body: ['${1:compute2}:', '  address: ${2:10.0.0.32}', `  roles: [\${3${choices(roleChoices)}}]`, '$0'],
  },
  'Service override': {
    prefix: 'ostopo-override',
    description: 'A config override block: project, file, section, option (under config:)',
    body: [`\${1${choices(overridable)}}:`, '  ${2:nova.conf}:', '    ${3:DEFAULT}:', '      ${4:debug}: ${5:true}', '$0'],
  },
  'Secret from the environment': {
    prefix: 'ostopo-secret',
    description: 'A secret read from an environment variable (under secrets:)',
    body: ['${1:NOVA_PASS}: \\${env:${2:$1}}'],
  },
};
