/**
 * A unified diff of two texts (line based, LCS), for drift: what changed on the node since ostopo wrote
 * the file. Large inputs fall back to a summary rather than an O(n·m) table.
 */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 2): string {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  if (a.length * b.length > 4_000_000) return `--- ${oldName}\n+++ ${newName}\n(${a.length} and ${b.length} lines: too large to show a diff)\n`;
  const n = a.length;
  const m = b.length;
  // The LCS table, flat: L(i, j) is the length of the longest common subsequence of a[i..] and b[j..].
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  const L = (i: number, j: number) => lcs[i * w + j] ?? 0;
  const A = (i: number) => a[i] ?? '';
  const B = (j: number) => b[j] ?? '';
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i * w + j] = A(i) === B(j) ? L(i + 1, j + 1) + 1 : Math.max(L(i + 1, j), L(i, j + 1));
  const ops: { t: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A(i) === B(j)) ops.push({ t: ' ', line: A(i), ai: i++, bi: j++ });
    else if (j < m && (i === n || L(i, j + 1) >= L(i + 1, j))) ops.push({ t: '+', line: B(j), ai: i, bi: j++ });
    else ops.push({ t: '-', line: A(i), ai: i++, bi: j });
  }
  const T = (k: number) => ops[k]?.t;
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let k = 0;
  while (k < ops.length) {
    if (T(k) === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are within 2*context lines of each other.
    while (end < ops.length) {
      let next = end;
      while (next < ops.length && T(next) !== ' ') next++;
      let gap = next;
      while (gap < ops.length && T(gap) === ' ') gap++;
      end = next;
      if (gap < ops.length && gap - next <= 2 * context) end = gap;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aStart = (hunk[0]?.ai ?? 0) + 1;
    const bStart = (hunk[0]?.bi ?? 0) + 1;
    out.push(`@@ -${aStart},${hunk.filter((o) => o.t !== '+').length} +${bStart},${hunk.filter((o) => o.t !== '-').length} @@`);
    for (const o of hunk) out.push(o.t + o.line);
    k = stop;
  }
  return out.join('\n') + '\n';
}
