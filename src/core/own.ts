/**
 * `obj[key]` when `key` is an own property of `obj`, never a member every object inherits from
 * Object.prototype (`constructor`, `toString`, `__proto__`, `hasOwnProperty`, `valueOf`...). A key
 * written by the user (a node, section or option name) indexes an object only through this.
 */
export function own<T>(obj: { readonly [key: string]: T } | null | undefined, key: string | number): T | undefined {
  return obj !== null && obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
