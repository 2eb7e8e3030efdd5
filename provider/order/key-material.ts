import { containsKeyMaterial } from "../pki/csr";

/** One problem with one property, as Pulumi's CheckFailure. */
export interface Failure {
  property: string;
  reason: string;
}

/** Bytes as Pulumi serializes a Buffer or typed array (`{0: 45, 1: 45, …}`) or a list of byte values. */
function asBytes(value: object): Buffer | null {
  const entries = Object.entries(value);
  if (entries.length === 0) return null;
  for (const [i, [k, v]] of entries.entries())
    if (k !== String(i) || typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) return null;
  return Buffer.from(entries.map(([, v]) => v as number));
}

/**
 * True when the value is or holds something that looks like a private key: a string, a key or value
 * anywhere inside lists and objects, or bytes (a Buffer read without an encoding) that decode to one.
 */
function holdsKeyMaterial(value: unknown): boolean {
  if (typeof value === "string") return containsKeyMaterial(value);
  if (!value || typeof value !== "object") return false;
  const bytes = asBytes(value);
  if (bytes) return containsKeyMaterial(bytes.toString("latin1"));
  return Object.entries(value).some(([k, v]) => containsKeyMaterial(k) || holdsKeyMaterial(v));
}

/** What to do, per property, when it holds a key. */
const KEY_ADVICE: Record<string, string> = {
  csr: 'pass only the certificate signing request, as text: readFileSync("app.csr", "utf8"); keep the key to yourself',
};

/**
 * The engine prints a failing property's value beside the reason whenever a failure names the
 * property. So a property that holds a private key (any property, any type), or is listed in
 * `alsoHidden`, is never named: its failures move under no property with `<name>: ` in front. One
 * holding a key gets one failure saying so instead of its other failures (whose reasons may quote the
 * value), whether or not anything else was wrong with it.
 */
export function hideValues(
  raw: Record<string, unknown>,
  failures: Failure[],
  alsoHidden: string[] = [],
): Failure[] {
  const keyed = new Set(Object.keys(raw).filter((k) => k !== "__provider" && holdsKeyMaterial(raw[k])));
  const hidden = new Set([...keyed, ...alsoHidden]);
  const out: Failure[] = [...keyed].map((k) => ({
    property: "",
    reason: `${k}: this contains a private key (was the .key file read instead of the .csr?); ${
      KEY_ADVICE[k] ?? `${k} never takes one: remove it`
    }. The value is not shown`,
  }));
  for (const f of failures) {
    const owner = f.property || /^(\w+): /.exec(f.reason)?.[1];
    if (owner !== undefined && keyed.has(owner)) continue;
    out.push(hidden.has(f.property) ? { property: "", reason: `${f.property}: ${f.reason}` } : f);
  }
  return out;
}
