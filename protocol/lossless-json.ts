// Node before 21 passes no context (the version guard refuses those, but the parser must not throw first).
type SourceReviver = (key: string, value: unknown, context: { source?: string } | undefined) => unknown;

/**
 * `JSON.parse` that never rounds integers: an integer beyond 2^53 (OrderIds are longs; the API's
 * own example `98987582437920968` is one) is returned as its decimal source text. Safe integers
 * stay numbers and are turned into exact strings by the response schemas.
 */
export function parseJsonLossless(text: string): unknown {
  const reviver: SourceReviver = (_key, value, context) =>
    typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source
      ? context.source
      : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** Serializes with OrderId-like decimal strings written as bare JSON integers (for the emulator). */
export function stringifyWithLongs(value: unknown, longKeys: ReadonlySet<string>): string {
  const marker = "@@long@@:";
  const text = JSON.stringify(value, (key, v) =>
    longKeys.has(key) && typeof v === "string" && /^\d+$/.test(v) ? marker + v : v,
  );
  return text.replace(new RegExp(`"${marker}(\\d+)"`, "g"), "$1");
}
