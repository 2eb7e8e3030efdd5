// Apart from the tags schema (tags.ts) so that the SDK, which refuses these keys in the program,
// loads no schema library: a Pulumi program and the provider host load the SDK's modules first.

/**
 * Keys JavaScript objects treat specially: Pulumi's serialization drops `__proto__` silently (or
 * turns it into the object's prototype) and the others shadow object internals, so the tags CAS
 * got would not be the tags written.
 */
export const OBJECT_KEYS = ["__proto__", "constructor", "prototype"];

/** The keys of a raw `tags` value that JavaScript objects treat specially (see `OBJECT_KEYS`). */
export function objectInternalKeys(raw: unknown): string[] {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return [];
  const bad = Object.keys(raw).filter((k) => OBJECT_KEYS.includes(k));
  // A `__proto__` key holding an object may arrive as the prototype of the record instead.
  const proto = Object.getPrototypeOf(raw) as unknown;
  if (proto !== Object.prototype && proto !== null && !bad.includes("__proto__")) bad.unshift("__proto__");
  return bad;
}

/** Why `key` cannot be a tag key; the SDK throws it, `check` returns it. */
export const objectKeyReason = (key: string) =>
  `"${key}" cannot be a tag key: JavaScript treats it as an object internal, so the tag would be lost or misread on its way to CAS; rename it`;
