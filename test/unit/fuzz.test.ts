import * as assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { analyze, render, TopologyError } from '../../src/core/compile';
import { renderedToText } from '../../src/core/output';
import { minimal, read, TRAIN, ZED } from './helpers';

/** mulberry32: a small seeded PRNG, so a failure names a seed that reproduces it. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE = [':', '- ', '{', '}', '[', ']', '"', "'", '&a', '*a', '!!binary', '\t', '#', '|', '>', '${env:', '\u0000', '%', '@', '\\', '\n', '  ', '---\n', '? ', 'null', '~', '1e999', '0x1F', '-1', '10.0.0.300'];
const VALUES: unknown[] = [null, true, 0, -1, 1.5, 70000, '', 'x', '$(reboot)', "a'b\"c", 'line\nbreak', [], [1, 'a', null], {}, { a: { b: [1] } }, 'controller', 'nova-api', '${env:NOPE}', '10.0.0.11', '0.0.0.0/0'];

function mutateText(text: string, r: () => number): string {
  const lines = text.split('\n');
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * lines.length);
    switch (Math.floor(r() * 6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[Math.floor(r() * lines.length)] ?? '');
        break;
      case 2: {
        const l = lines[i] ?? '';
        const at = Math.floor(r() * (l.length + 1));
        lines[i] = l.slice(0, at) + GARBAGE[Math.floor(r() * GARBAGE.length)] + l.slice(at);
        break;
      }
      case 3: {
        const l = lines[i] ?? '';
        const at = Math.floor(r() * l.length);
        lines[i] = l.slice(0, at) + l.slice(at + 1 + Math.floor(r() * 5));
        break;
      }
      case 4:
        lines[i] = (lines[i] ?? '').replace(/^ {2}/, r() < 0.5 ? '' : '    ');
        break;
      default:
        lines.length = Math.max(1, Math.floor(r() * lines.length));
    }
  }
  return lines.join('\n');
}

/** Replaces a random value deep in the parsed document (type swaps), then writes YAML again. */
function mutateValue(value: unknown, r: () => number): string {
  const root = structuredClone(value) as Record<string, unknown>;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    let cur: unknown = root;
    let parent: Record<string, unknown> | unknown[] | undefined;
    let key: string | number | undefined;
    const depth = Math.floor(r() * 6);
    for (let d = 0; d < depth && cur && typeof cur === 'object'; d++) {
      const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
      if (!keys.length) break;
      parent = cur as Record<string, unknown>;
      key = keys[Math.floor(r() * keys.length)];
      cur = (parent as Record<string | number, unknown>)[key];
    }
    if (parent === undefined || key === undefined) continue;
    const choice = r();
    if (choice < 0.15 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = structuredClone(VALUES[Math.floor(r() * VALUES.length)]);
  }
  return stringify(root);
}

const SECRETS = (name: string) => `Fuzz-${name}-Value-1`;

/** The whole pipeline as every feature uses it: no input may make it throw anything but TopologyError. */
function pipeline(text: string): void {
  const a = analyze(text, { OSTOPO_ADMIN_PASS: 'Fuzz-Admin-Pass-1', OSTOPO_DEMO_PASS: 'Fuzz-Demo-Pass-1' });
  for (const f of a.findings) {
    assert.ok(f.range.start.line >= 0 && f.range.end.line >= f.range.start.line, `finding ${f.code} has a sane range`);
    assert.ok(f.message.length > 0);
  }
  if (a.hasErrors) {
    assert.throws(() => render(a), TopologyError);
    return;
  }
  const rendered = render(a);
  renderedToText(rendered, a.cloud.profile!.title);
  renderedToText(rendered, a.cloud.profile!.title, SECRETS);
}

describe('fuzz: mutated topologies through parse → validate → render', function () {
  this.timeout(120000);
  const seeds = [read(TRAIN), read(ZED), minimal()];
  const ROUNDS = Number(process.env.OSTOPO_FUZZ_ROUNDS ?? 600);

  it(`text mutations (${ROUNDS} per seed topology) never throw`, () => {
    seeds.forEach((seed, s) => {
      for (let i = 0; i < ROUNDS; i++) {
        const r = prng(1000 * s + i);
        const text = mutateText(seed, r);
        try {
          pipeline(text);
        } catch (e) {
          assert.fail(`seed ${s}, round ${i}: ${(e as Error).stack}\n--- input ---\n${text}`);
        }
      }
    });
  });

  it(`value and type swaps (${ROUNDS} per seed topology) never throw`, () => {
    seeds.forEach((seed, s) => {
      const value = analyze(seed, {}).doc.value;
      for (let i = 0; i < ROUNDS; i++) {
        const r = prng(777_000 + 1000 * s + i);
        const text = mutateValue(value, r);
        try {
          pipeline(text);
        } catch (e) {
          assert.fail(`seed ${s}, round ${i}: ${(e as Error).stack}\n--- input ---\n${text}`);
        }
      }
    });
  });

  it('pure garbage never throws', () => {
    const r = prng(42);
    for (let i = 0; i < 300; i++) {
      let text = '';
      const len = Math.floor(r() * 200);
      for (let k = 0; k < len; k++) text += r() < 0.7 ? GARBAGE[Math.floor(r() * GARBAGE.length)] : String.fromCharCode(32 + Math.floor(r() * 95));
      pipeline(text);
    }
  });
});
