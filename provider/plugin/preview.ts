import { UNKNOWN } from "../order/inputs";

type Props = Record<string, unknown>;

/** Whether `value` holds a value not known until the `up` (the engine's unknown, anywhere in it). */
export function holdsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(holdsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(holdsUnknown);
  return false;
}

const pick = (props: Props, names: readonly string[]): Props =>
  Object.fromEntries(names.filter((k) => k in props).map((k) => [k, props[k]]));

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The validation records an update keeps: those it read before, unless the zone they are named in
 * changes (`dnsZone`, which rewrites each record's zone and rr) or there were none yet (the update
 * reads the order or instance again and may find them).
 */
function keptRecords(olds: Props, news: Props): Props {
  const records = olds.validationRecords;
  const some = typeof records === "object" && records !== null && Object.keys(records).length > 0;
  return some && same(olds.dnsZone, news.dnsZone) ? { validationRecords: records } : {};
}

/** A validation's inputs that say how it waits: what its in-place update changes. */
const WAIT_SETTINGS = [
  "timeoutMinutes",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "dnsPrecheck",
  "validationRecordFqdns",
];

/**
 * What a preview knows of an in-place update's outputs, by resource kind: what the update leaves as
 * it was (every other output, the inputs it stores included, is unknown until the `up`: it stores
 * them as it normalizes them, an order's names in the order they were placed, say). Nothing when an
 * input is itself unknown: the diff could not tell an update from a replacement then. An order
 * keeps its id and action (one
 * placed after a lost answer is still being resolved, and keeps nothing) and its records; an
 * instance its id and records; a validation, which changes how it waits, the certificate it holds,
 * unless its certificate id is still to be filled.
 */
export function previewOfUpdate(kind: "order" | "instance" | "validation", olds: Props, news: Props): Props {
  if (holdsUnknown(news)) return {};
  switch (kind) {
    case "order":
      return olds.pendingCreate != null
        ? {}
        : { ...pick(olds, ["orderId", "action"]), ...keptRecords(olds, news) };
    case "instance":
      return { ...pick(olds, ["instanceId"]), ...keptRecords(olds, news) };
    case "validation": {
      // Its wait settings are what the update changes (as the update normalizes them).
      const changed = [
        ...WAIT_SETTINGS,
        ...(olds.certificateId == null ? ["certificateId", "certIdentifier"] : []),
      ];
      return Object.fromEntries(Object.entries(olds).filter(([k]) => !changed.includes(k)));
    }
  }
}

/**
 * The inputs that differ between the program's last inputs and its new ones, with the properties
 * the diff replaces for: what the engine matches a resource's `replaceOnChanges` against and shows
 * as changed (the server's diff answers no changed keys of its own).
 */
export function changedKeys(oldInputs: Props, news: Props, replaces: readonly string[]): string[] {
  const keys = new Set([...Object.keys(oldInputs), ...Object.keys(news)].filter((k) => !k.startsWith("__")));
  return [...new Set([...[...keys].filter((k) => !same(oldInputs[k], news[k])), ...replaces])].sort();
}
