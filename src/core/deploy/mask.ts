import { encode, Encoding, maskToken } from '../render/template';

/**
 * Replaces every secret value, in every encoding the renderer may have written it (URL, oslo.config,
 * SQL, shell, double-quoted), by `<secret:NAME>`. Everything a deploy prints or logs goes through it.
 */
export class Masker {
  private readonly pairs: [string, string][] = [];

  constructor(secrets: Iterable<[string, string | undefined]>) {
    const encodings: Encoding[] = ['url', 'oslo', 'sql', 'sh', 'dq'];
    for (const [name, value] of secrets) {
      if (!value) continue;
      const forms = new Set([value, ...encodings.map((e) => encode(value, e))]);
      for (const f of forms) this.pairs.push([f, maskToken(name)]);
    }
    // Longest first, so an encoded form is not half-replaced by a shorter one.
    this.pairs.sort((a, b) => b[0].length - a[0].length);
  }

  mask(text: string): string {
    let out = text;
    for (const [v, token] of this.pairs) if (out.includes(v)) out = out.split(v).join(token);
    return out;
  }
}
