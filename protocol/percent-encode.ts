/**
 * RFC 3986 percent-encoding as Alibaba Cloud's signers use it: unreserved characters
 * (`A-Z a-z 0-9 - _ . ~`) stay literal, everything else is `%XX` of its UTF-8 bytes, space is
 * `%20` (never `+`). `encodeURIComponent` leaves `! ' ( ) *` raw, so those are fixed up here.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/**
 * Joins parameters as `k=v&k=v`, sorted by name in code-point order, both sides percent-encoded.
 * This is the canonical form both signature schemes sign.
 */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(compareCodePoints)
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? "")}`)
    .join("&");
}

/** Plain code-point order (upper case before lower case), independent of locale. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Flattens request values the way the RPC protocol sends them: arrays of objects become
 * `Name.1.Key`, `Name.1.Value` (1-based); `undefined` is dropped; everything else is stringified.
 */
export function flattenParams(input: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(`${prefix}.${i + 1}`, item));
    } else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(`${prefix}.${k}`, v);
    } else {
      out[prefix] = String(value);
    }
  };
  for (const [k, v] of Object.entries(input)) walk(k, v);
  return out;
}
