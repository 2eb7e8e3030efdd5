/** The signature key and value of a secret in the engine's property values. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

const isSecret = (v: unknown): v is { value: unknown } =>
  typeof v === "object" && v !== null && (v as Props)[SIG_KEY] === SECRET_SIG;

/** `value` with every secret replaced by its plain value (the controllers read plain values). */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

/** The top-level keys of `props` whose values are (or hold) secrets. */
export function secretKeys(props: unknown): Set<string> {
  const keys = new Set<string>();
  const holds = (v: unknown): boolean =>
    isSecret(v) ||
    (Array.isArray(v) ? v.some(holds) : typeof v === "object" && v !== null && Object.values(v).some(holds));
  if (typeof props === "object" && props !== null)
    for (const [k, v] of Object.entries(props)) if (holds(v)) keys.add(k);
  return keys;
}

/** `props` with the values of `keys` marked secret (null and absent values stay as they are). */
export function conceal(props: Props, keys: Iterable<string>): Props {
  const out = { ...props };
  for (const k of keys)
    if (out[k] !== undefined && out[k] !== null && !isSecret(out[k]))
      out[k] = { [SIG_KEY]: SECRET_SIG, value: out[k] };
  return out;
}
