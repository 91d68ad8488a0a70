// Topologies of about 1 MB in every shape that can stress a reader: wide mappings, deep nesting, long
// lists, long strings, many nodes, many config overrides. Used by bench/editor.mjs (validate of each must
// stay under one second) and bench/fuzz.mjs.

const SIZE = 1_000_000;
/** The secrets a controller and compute node need: both benchmarks write them. */
export const SECRETS = [
  'ADMIN_PASS',
  'DEMO_PASS',
  'DB_ROOT_PASS',
  'RABBIT_PASS',
  'KEYSTONE_DBPASS',
  'GLANCE_DBPASS',
  'GLANCE_PASS',
  'PLACEMENT_DBPASS',
  'PLACEMENT_PASS',
  'NOVA_DBPASS',
  'NOVA_PASS',
  'NEUTRON_DBPASS',
  'NEUTRON_PASS',
];

function head(extra = '') {
  return [
    'ostopo: 1',
    'name: big',
    'release: zed',
    'os: debian12',
    'networks:',
    '  management:',
    '    cidr: 10.0.0.0/8',
    'secrets:',
    ...SECRETS.map((s) => `  ${s}: Bench-${s}-Value-123`),
    extra,
  ].join('\n');
}

const controller = 'nodes:\n  controller:\n    address: 10.0.0.11\n    roles: [controller]\n  compute1:\n    address: 10.0.0.31\n    roles: [compute]\n';

/** Lines from `line(i)` until the text reaches about `size` characters. */
function fill(size, start, line, end = '') {
  const parts = [start];
  let n = start.length + end.length;
  for (let i = 0; n < size; i++) {
    const l = line(i);
    parts.push(l);
    n += l.length + 1;
  }
  parts.push(end);
  return parts.join('\n');
}

const ip = (i) => `10.${1 + Math.floor(i / 62500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;

/** Topologies of about `size` characters (1 MB by default), one per shape. */
export const SHAPES = {
  // One mapping with tens of thousands of keys (yaml's own duplicate-key check made this minutes).
  'wide map': (size = SIZE) => fill(size, head() + controller + 'ssh:\n  user: root\nx-wide:', (i) => `  key_${i}: value ${i}`),
  // Unknown options, each looked up in the option catalog with a did-you-mean.
  'wide map of unknown options': (size = SIZE) => fill(size, head() + controller + 'config:\n  nova:\n    nova.conf:\n      DEFAULT:', (i) => `        opt_${i}: v${i}`),
  // Indentation nesting as deep as 1 MB allows (about 1,400 levels).
  'deep nesting (block)': (size = SIZE) => fill(size, head() + controller + 'x-deep:', (i) => `${' '.repeat(i + 2)}k${i}:`),
  'deep nesting (flow)': (size = SIZE) => head() + controller + 'x-deep: ' + '['.repeat(size / 2) + ']'.repeat(size / 2) + '\n',
  'deep nesting (compact lists)': (size = SIZE) => head() + controller + 'x-deep:\n' + '- '.repeat(size / 2) + 'x\n',
  'long list (block)': (size = SIZE) => fill(size, head() + controller + 'ntp:\n  servers:', (i) => `    - ntp${i}.example.org`),
  'long list (flow)': (size = SIZE) => head() + controller + 'ntp:\n  servers: [' + Array.from({ length: size / 20 }, (_, i) => `ntp${i}.example.org`).join(', ') + ']\n',
  'long string (plain)': (size = SIZE) => head() + controller + 'region: ' + 'R'.repeat(size) + '\n',
  'long string (quoted secret)': (size = SIZE) => head().replace('ADMIN_PASS: Bench-ADMIN_PASS-Value-123', `ADMIN_PASS: "${'Aa1-'.repeat(size / 4)}"`) + controller,
  'long string (block scalar)': (size = SIZE) => head() + controller + 'x-text: |\n' + '  lorem ipsum dolor sit amet\n'.repeat(size / 28),
  // A valid cloud: a controller and compute nodes until 1 MB.
  'many nodes': (size = SIZE) =>
    fill(size, head() + 'ntp:\n  server: controller\nnodes:\n  controller:\n    address: 10.0.0.11\n    roles: [controller]', (i) => `  compute${i}:\n    address: ${ip(i)}\n    roles: [compute]`),
  // A valid cloud whose nodes each override real options (nova.conf on Debian: also checked against the rendered files).
  'many config overrides': (size = SIZE) =>
    fill(
      size,
      head() + 'ntp:\n  server: controller\nnodes:\n  controller:\n    address: 10.0.0.11\n    roles: [controller]',
      (i) =>
        `  compute${i}:\n    address: ${ip(i)}\n    roles: [compute]\n    config:\n      nova:\n        nova.conf:\n          DEFAULT:\n            reserved_host_memory_mb: ${512 + (i % 512)}\n            cpu_allocation_ratio: 2.0\n          libvirt:\n            cpu_mode: host-passthrough`,
    ),
};
