// The editor side by side with yaml-language-server (Red Hat's YAML extension's server, a devDependency
// used only here), run over LSP in its own process with ostopo's own schema, on the same topologies of
// 200 and 1,000 nodes: validation, completion and hover right after a one-character edit. Runs are
// interleaved (ostopo, then yls, then ostopo...), at least 20 of each; medians and p95 are printed with
// the ratio ostopo / yls. Budget (issue 16): ostopo <= 0.25 of yls for each at both sizes.
//
// What each side's time is:
// - ostopo: what the extension does on that keystroke, in its process: the analysis of the new text
//   given the analysis before the edit (as the extension's store passes it), then the completion or hover
//   on it. Validation is the analysis alone (its findings are the diagnostics).
// - yls: from sending didChange until the diagnostics arrive, less its fixed 200 ms debounce (not
//   configurable over LSP); completion and hover from sending didChange and the request together until
//   the answer arrives.
// Before timing, both must report the same errors on a copy with injected mistakes (a misspelt key, a
// role that does not exist, a string where a number goes, an address that is no address).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LspClient } from './lsp.mjs';
import { SECRETS } from './shapes.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { analyze } = require(path.join(root, 'out/src/core/compile.js'));
const { completeAt } = require(path.join(root, 'out/src/core/editor/complete.js'));
const { hoverAt } = require(path.join(root, 'out/src/core/editor/navigate.js'));

const YLS_DEBOUNCE_MS = 200;
const RUNS = Number(process.env.OSTOPO_BENCH_RUNS ?? 25);

/**
 * A cloud as operators write them: the install guide's controller and block node, computes, every
 * tenth compute with a config override of its own, the cloud-wide overrides of the example.
 */
export function realisticTopology(n) {
  const lines = [
    'ostopo: 1',
    'name: bench',
    'release: 2025.1',
    'os: debian13',
    'region: RegionOne',
    'workers: 2',
    '',
    'networks:',
    '  management:',
    '    cidr: 10.0.0.0/16',
    '    gateway: 10.0.0.1',
    '  provider:',
    '    interface: ens4',
    '    cidr: 203.0.113.0/24',
    '    gateway: 203.0.113.1',
    '    allocationPool: { start: 203.0.113.101, end: 203.0.113.250 }',
    '    dns: [8.8.4.4]',
    '  selfservice:',
    '    cidr: 172.16.1.0/24',
    '    gateway: 172.16.1.1',
    '',
    'ntp:',
    '  servers: [0.debian.pool.ntp.org, 1.debian.pool.ntp.org]',
    '',
    'secrets:',
    ...[...SECRETS, 'METADATA_SECRET', 'CINDER_DBPASS', 'CINDER_PASS'].map((s) => `  ${s}: Bench-${s}-Value-123`),
    '',
    'nodes:',
    '  controller:',
    '    address: 10.0.0.11',
    '    roles: [controller, network]',
    '  block1:',
    '    address: 10.0.0.41',
    '    roles: [block]',
    '    lvmDevices: [/dev/sdb]',
  ];
  for (let i = 1; i <= n - 2; i++) {
    lines.push(`  compute${i}:`, `    address: 10.0.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`, '    roles: [compute]');
    if (i % 10 === 0) lines.push('    config:', '      nova:', '        nova.conf:', '          DEFAULT:', '            # little memory to spare', `            reserved_host_memory_mb: ${1000 + i}`);
  }
  lines.push('', 'config:', '  nova:', '    nova.conf:', '      DEFAULT:', '        debug: false', '      scheduler:', '        discover_hosts_in_cells_interval: 60', '');
  return lines.join('\n');
}

/** Where the benchmark edits, completes and hovers: in the compute node in the middle of the file. */
function spots(text, n) {
  const lines = text.split('\n');
  const k = Math.max(10, Math.floor((n - 2) / 20) * 10);
  const nodeLine = lines.indexOf(`  compute${k}:`);
  const valueLine = lines.findIndex((l, i) => i > nodeLine && l.includes('reserved_host_memory_mb: '));
  const rolesLine = lines.findIndex((l, i) => i > nodeLine && l === '    roles: [compute]');
  const addressLine = lines.findIndex((l, i) => i > nodeLine && l.startsWith('    address: '));
  return {
    // The last digit of reserved_host_memory_mb: toggled between two valid numbers.
    edit: { line: valueLine, character: lines[valueLine].length - 1 },
    // Inside `roles: [` of that node: the roles.
    complete: { line: rolesLine, character: '    roles: ['.length },
    // On the key `address` of that node.
    hover: { line: addressLine, character: '    add'.length },
  };
}

function applyEdit(text, pos, ch) {
  const lines = text.split('\n');
  const l = lines[pos.line];
  lines[pos.line] = l.slice(0, pos.character) + ch + l.slice(pos.character + 1);
  return lines.join('\n');
}

/** Injected mistakes: each line must get an error from both sides. */
function withMistakes(text) {
  const lines = text.split('\n');
  const at = (prefix, from = 0) => lines.findIndex((l, i) => i >= from && l.startsWith(prefix));
  const c5 = at('  compute5:');
  const c7 = at('  compute7:');
  const c9 = at('  compute9:');
  lines[c5 + 1] = lines[c5 + 1].replace('address:', 'adress:'); // a misspelt key
  lines[c7 + 2] = '    roles: [computer]'; // a role that does not exist
  lines[at('workers:')] = 'workers: two'; // a string where a number goes
  lines[c9 + 1] = '    address: 10.0.0.999'; // no address
  return { text: lines.join('\n'), lines: [c5 + 1, c7 + 2, at('workers:'), c9 + 1].sort((a, b) => a - b) };
}

function stats(xs) {
  const t = [...xs].sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)] };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function startYls() {
  const server = path.join(root, 'node_modules/yaml-language-server/bin/yaml-language-server');
  const schema = pathToFileURL(path.join(root, 'schemas/ostopo.schema.json')).href;
  const yaml = { schemas: { [schema]: ['*.ostopo.yaml'] }, validate: true, hover: true, completion: true, format: { enable: false }, schemaStore: { enable: false }, maxItemsComputed: 100000 };
  const yls = new LspClient(process.execPath, [server, '--stdio'], (section) => (section === 'yaml' ? yaml : section === undefined ? { yaml } : null));
  await yls.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        synchronization: { dynamicRegistration: true, didSave: true },
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { relatedInformation: true },
      },
    },
  });
  yls.notify('initialized', {});
  yls.notify('workspace/didChangeConfiguration', { settings: { yaml } });
  return yls;
}

/** yls: open a document, wait for its first diagnostics. */
async function open(yls, uri, text) {
  const first = yls.next('textDocument/publishDiagnostics', (p) => p.uri === uri);
  yls.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  return (await first).diagnostics;
}

async function sameErrors(yls, n) {
  const { text, lines } = withMistakes(realisticTopology(n));
  const uri = pathToFileURL(path.join(root, `bench-mistakes-${n}.ostopo.yaml`)).href;
  const theirs = (await open(yls, uri, text)).filter((d) => d.severity === 1);
  yls.notify('textDocument/didClose', { textDocument: { uri } });
  const ours = analyze(text, {}).findings.filter((f) => f.severity === 'error');
  const lineSet = (xs, of) => new Set(xs.map((x) => of(x).start.line));
  const theirLines = lineSet(theirs, (d) => d.range);
  const ourLines = lineSet(ours, (f) => f.range);
  const missing = lines.filter((l) => !theirLines.has(l) || !ourLines.has(l));
  const onlyTheirs = [...theirLines].filter((l) => !ourLines.has(l));
  const show = (l) => `line ${l + 1}: ${text.split('\n')[l].trim()}`;
  console.log(
    `${n} nodes, injected mistakes on ${lines.length} lines: yls reports ${theirs.length} error(s) on lines ${[...theirLines].map((l) => l + 1).join(', ')}; ostopo ${ours.length} on ${[...ourLines].map((l) => l + 1).join(', ')}`,
  );
  for (const f of ours) console.log(`    ostopo  ${f.range.start.line + 1}: ${f.message.split('\n')[0].slice(0, 110)}`);
  for (const d of theirs) console.log(`    yls     ${d.range.start.line + 1}: ${d.message.split('\n')[0].slice(0, 110)}`);
  if (missing.length || onlyTheirs.length) {
    throw new Error(
      `the two do not report the same errors: ${missing.map((l) => `not reported by both on ${show(l)}`).join('; ')}${onlyTheirs.length ? `; yls only: ${onlyTheirs.map(show).join('; ')}` : ''}`,
    );
  }
}

async function measure(yls, n) {
  const base = realisticTopology(n);
  const at = spots(base, n);
  const uri = pathToFileURL(path.join(root, `bench-${n}.ostopo.yaml`)).href;
  const baseline = await open(yls, uri, base);
  const baseErrors = analyze(base, {}).findings.filter((f) => f.severity === 'error');
  if (baseline.length || baseErrors.length)
    throw new Error(`the ${n}-node topology is not clean: yls ${baseline.map((d) => d.message).slice(0, 3)}; ostopo ${baseErrors.map((f) => f.message).slice(0, 3)}`);
  let version = 1;
  let text = base;
  let analysis;
  const digits = ['1', '3'];
  const next = () => {
    const ch = digits[version % 2];
    version++;
    text = applyEdit(text, at.edit, ch);
    return { ch, range: { start: at.edit, end: { line: at.edit.line, character: at.edit.character + 1 } } };
  };
  const change = (e) => yls.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: e.range, text: e.ch }] });
  const drain = () => yls.next('textDocument/publishDiagnostics', (p) => p.uri === uri);
  const t = { validate: { ostopo: [], yls: [] }, complete: { ostopo: [], yls: [] }, hover: { ostopo: [], yls: [] } };
  const counts = {};
  const ours = {
    validate: () => {
      analysis = analyze(text, {}, undefined, undefined, analysis);
      if (analysis.hasErrors) throw new Error('an edit made the topology wrong');
    },
    complete: () => {
      analysis = analyze(text, {}, undefined, undefined, analysis);
      counts.ostopoComplete = completeAt(analysis, text, at.complete).length;
    },
    hover: () => {
      analysis = analyze(text, {}, undefined, undefined, analysis);
      counts.ostopoHover = !!hoverAt(analysis, at.hover);
    },
  };
  /** An edit and a request sent together: the time until the answer (then the edit's diagnostics are let in). */
  const afterEdit = async (method, position, keep) => {
    const e = next();
    const published = drain();
    const s = now();
    change(e);
    keep(await yls.request(method, { textDocument: { uri }, position }));
    const ms = now() - s;
    await published;
    return ms;
  };
  const theirs = {
    validate: async () => {
      const e = next();
      const published = drain();
      const s = now();
      change(e);
      const p = await published;
      if (p.diagnostics.length) throw new Error(`yls: ${p.diagnostics[0].message}`);
      return now() - s - YLS_DEBOUNCE_MS;
    },
    complete: () => afterEdit('textDocument/completion', at.complete, (r) => (counts.ylsComplete = (Array.isArray(r) ? r : (r?.items ?? [])).length)),
    hover: () => afterEdit('textDocument/hover', at.hover, (r) => (counts.ylsHover = !!r)),
  };
  const runOurs = (what) => {
    next();
    const s = now();
    ours[what]();
    return now() - s;
  };
  for (const what of Object.keys(t)) {
    // Warm-up of both (JIT, caches), then interleaved runs; the order flips every run.
    for (let i = 0; i < 3; i++) {
      runOurs(what);
      await theirs[what]();
    }
    for (let i = 0; i < RUNS; i++) {
      if (i % 2) {
        t[what].ostopo.push(runOurs(what));
        t[what].yls.push(await theirs[what]());
      } else {
        t[what].yls.push(await theirs[what]());
        t[what].ostopo.push(runOurs(what));
      }
    }
  }
  yls.notify('textDocument/didClose', { textDocument: { uri } });
  return { t, counts };
}

const fmt = (x) => x.toFixed(1).padStart(7);

export async function sideBySide(sizes = [200, 1000]) {
  const yls = await startYls();
  const rows = [];
  try {
    for (const n of sizes) await sameErrors(yls, n);
    console.log(`\nafter a one-character edit, ${RUNS} interleaved runs each (ms; yls less its ${YLS_DEBOUNCE_MS} ms debounce for validation)`);
    console.log('nodes | what       | ostopo median / p95 | yls median / p95 | ratio median / p95');
    for (const n of sizes) {
      const { t, counts } = await measure(yls, n);
      for (const [what, x] of Object.entries(t)) {
        const o = stats(x.ostopo);
        const y = stats(x.yls);
        const row = { n, what, ratio: o.median / y.median, ratioP95: o.p95 / y.p95 };
        rows.push(row);
        console.log(
          `${String(n).padStart(5)} | ${what.padEnd(10)} | ${fmt(o.median)} / ${fmt(o.p95)}   | ${fmt(y.median)} / ${fmt(y.p95)} | ${row.ratio.toFixed(2).padStart(5)} / ${row.ratioP95.toFixed(2)}`,
        );
      }
      console.log(
        `      (completion items: ostopo ${counts.ostopoComplete}, yls ${counts.ylsComplete}; hover: ostopo ${counts.ostopoHover ? 'yes' : 'none'}, yls ${counts.ylsHover ? 'yes' : 'none'})`,
      );
    }
  } finally {
    await yls.shutdown();
  }
  for (const r of rows) console.log(`${r.ratio <= 0.25 ? 'within' : 'OVER  '} budget: ${r.n} nodes ${r.what}: ostopo / yaml-language-server <= 0.25 (median): ${r.ratio.toFixed(2)}`);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await sideBySide();
