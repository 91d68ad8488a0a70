import { encode, Encoding, maskToken } from '../render/template';

/** Every encoding the renderer writes secrets in (template.ts). */
const ENCODINGS: Encoding[] = ['url', 'oslo', 'osloval', 'sql', 'sh', 'dq', 'mycnf'];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Percent-encoding of the UTF-8 bytes of `s`, keeping the ASCII characters `keep` matches. */
function percent(s: string, keep: RegExp, opts: { plus?: boolean; lower?: boolean } = {}): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && keep.test(c)) out += c;
    else if (opts.plus && c === ' ') out += '+';
    else {
      const h = hex(b, 2);
      out += '%' + (opts.lower ? h : h.toUpperCase());
    }
  }
  return out;
}

/** The inside of Python's repr() of a str (Python 3: printable non-ASCII characters stay as they are). */
function pythonRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const named: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', [q]: '\\' + q };
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) out += cp < 0x100 ? '\\x' + hex(cp, 2) : cp < 0x10000 ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
    else out += ch;
  }
  return out;
}

/** The inside of a JSON string as Python's json.dumps writes it (ensure_ascii: \uXXXX for non-ASCII). */
function asciiJson(s: string): string {
  return JSON.stringify(s)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + hex(c.charCodeAt(0), 4));
}

/**
 * Every form a secret value may take in what a deploy prints: the value, each encoding the renderer
 * writes (and each encoding of an encoding, as a URL in an oslo.config value), and the forms programs
 * print it in — percent-encoded as JavaScript, Python's urllib (quote, quote_plus) and SQLAlchemy's URLs
 * write it, in upper- or lower-case hex, as a JSON string (JavaScript's and Python's), and as Python's
 * repr() shows it.
 */
export function secretForms(value: string): string[] {
  if (!value) return [];
  const forms = new Set<string>([value]);
  for (const e of ENCODINGS) {
    const once = encode(value, e);
    forms.add(once);
    for (const e2 of ENCODINGS) forms.add(encode(once, e2));
  }
  const unreserved = /[A-Za-z0-9\-._~]/;
  for (const lower of [false, true]) {
    forms.add(percent(value, /[A-Za-z0-9\-_.!~*'()]/, { lower })); // encodeURIComponent
    forms.add(percent(value, unreserved, { lower })); // RFC 3986, Python quote(safe='')
    forms.add(percent(value, /[A-Za-z0-9\-._~/]/, { lower })); // Python quote()
    forms.add(percent(value, unreserved, { plus: true, lower })); // Python quote_plus, forms
    forms.add(value.replace(/[:@/]/g, (c) => '%' + (lower ? hex(c.charCodeAt(0), 2) : hex(c.charCodeAt(0), 2).toUpperCase()))); // SQLAlchemy's URLs: only : @ /
  }
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(asciiJson(value));
  forms.add(pythonRepr(value));
  forms.delete('');
  return [...forms];
}

interface Hit {
  start: number;
  end: number;
  name: string;
}

/**
 * Replaces every secret value, in every form it may take (secretForms), by `<secret:NAME>`. Everything a
 * deploy prints or logs goes through it; `stream()` does the same for output that arrives in chunks.
 *
 * Every occurrence of every form is found, overlapping ones too, and each run of overlapping occurrences
 * is replaced as a whole (by the token of each secret in it), so no character of any occurrence is left
 * and the text a token replaces is never looked at again.
 */
export class Masker {
  /** Each form and the secret it belongs to, longest first. */
  private readonly forms: [string, string][] = [];
  /** Length of the longest form: how much of a stream's end may still become part of one. */
  readonly longest: number;
  /** Every proper prefix of every form: a stream's end that is one may be the start of a secret. */
  private readonly prefixes = new Set<string>();

  constructor(secrets: Iterable<[string, string | undefined]>) {
    const seen = new Set<string>();
    for (const [name, value] of secrets) {
      if (!value) continue;
      for (const f of secretForms(value)) {
        if (seen.has(f)) continue;
        seen.add(f);
        this.forms.push([f, name]);
      }
    }
    this.forms.sort((a, b) => b[0].length - a[0].length);
    this.longest = this.forms[0]?.[0].length ?? 0;
    for (const [f] of this.forms) for (let n = 1; n < f.length; n++) this.prefixes.add(f.slice(0, n));
  }

  mask(text: string): string {
    return this.apply(text, this.runs(text));
  }

  /**
   * A masker for one stream of output (a command's stdout, or its stderr): `write` each chunk as it
   * comes and print what it returns, then print what `end` returns. The printed text is `mask` of the
   * whole stream, whatever the chunks: a chunk's end that may still be the start of a secret is held
   * back until the next chunk or the end says what it is.
   */
  stream(): { write(chunk: string): string; end(): string } {
    let held = '';
    return {
      write: (chunk: string) => {
        held += chunk;
        const ready = this.settled(held);
        const out = this.mask(held.slice(0, ready));
        held = held.slice(ready);
        return out;
      },
      end: () => {
        const out = this.mask(held);
        held = '';
        return out;
      },
    };
  }

  /** Runs of overlapping occurrences, in order: [start, end) and the secrets in each. */
  private runs(text: string): { start: number; end: number; names: string[] }[] {
    const hits: Hit[] = [];
    for (const [f, name] of this.forms) {
      for (let i = text.indexOf(f); i >= 0; i = text.indexOf(f, i + 1)) hits.push({ start: i, end: i + f.length, name });
    }
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    const runs: { start: number; end: number; names: string[] }[] = [];
    for (const h of hits) {
      const last = runs[runs.length - 1];
      if (last && h.start < last.end) {
        last.end = Math.max(last.end, h.end);
        if (!last.names.includes(h.name)) last.names.push(h.name);
      } else runs.push({ start: h.start, end: h.end, names: [h.name] });
    }
    return runs;
  }

  private apply(text: string, runs: { start: number; end: number; names: string[] }[]): string {
    if (!runs.length) return text;
    let out = '';
    let at = 0;
    for (const r of runs) {
      out += text.slice(at, r.start) + r.names.map(maskToken).join('');
      at = r.end;
    }
    return out + text.slice(at);
  }

  /**
   * How much of a stream's text so far is settled: no later text can make it part of an occurrence.
   * A later occurrence starts where the rest of the text is a proper prefix of a form (at most
   * `longest - 1` characters from the end); an occurrence found now that reaches that point may still
   * join a run with it, so the settled part ends before such a run too.
   */
  private settled(text: string): number {
    if (!this.longest) return text.length;
    let open = text.length;
    for (let s = Math.max(0, text.length - this.longest + 1); s < text.length; s++) {
      if (this.prefixes.has(text.slice(s))) {
        open = s;
        break;
      }
    }
    for (const r of this.runs(text)) if (r.end > open) return Math.min(open, r.start);
    return open;
  }
}
