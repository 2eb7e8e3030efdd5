/**
 * The composition rules of ManagedCertificate, one implementation for its two front doors: the
 * SDK's component (sdk/managed-certificate.ts, dynamic resources) and the plugin's `construct`
 * (provider/plugin/managed-certificate.ts, the plugin's own resource types). Each passes how to make
 * an order, an application on an instance, a validation and a DNS record; this module checks the
 * arguments, picks the record names and wires the parts together.
 */
import * as pulumi from "@pulumi/pulumi";
import { csrCommonName, normalizeDomain } from "../pki/csr";
import { recordBase, recordGroups, uniqueRecordBases } from "../order/record-name";

/** One DNS validation record, each field its own Output (the SDK's `ValidationRecordOutputs`). */
export interface RecordOutputs {
  fqdn: pulumi.Output<string>;
  rr: pulumi.Output<string>;
  zone: pulumi.Output<string>;
  type: pulumi.Output<string>;
  value: pulumi.Output<string>;
}

/** The inputs of one record resource: those of `alicloud.dns.AlidnsRecord`. */
interface RecordArgs {
  domainName: pulumi.Input<string>;
  rr: pulumi.Input<string>;
  type: pulumi.Input<string>;
  value: pulumi.Input<string>;
  ttl: number;
}

/** The inputs of the validation a ManagedCertificate waits with. */
interface WaitArgs {
  orderId?: pulumi.Output<string>;
  instanceId?: pulumi.Output<string>;
  validationRecordFqdns: pulumi.Output<string[]>;
  timeoutMinutes: pulumi.Input<number> | undefined;
  pollIntervalSeconds: pulumi.Input<number> | undefined;
  maxPollIntervalSeconds: pulumi.Input<number> | undefined;
}

/** What an order or an application made: the resource, its id, and its record for an ordered name. */
interface Source<R> {
  resource: R;
  id: pulumi.Output<string>;
  recordOf(name: string): RecordOutputs;
}

/** How one front door makes each part (every part is made with the component as parent). */
export interface ManagedCertificateParts<O, I, V, D> {
  order(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): Source<O>;
  instance(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): Source<I>;
  validation(name: string, args: WaitArgs, opts: pulumi.CustomResourceOptions): V;
  record(name: string, args: RecordArgs, opts: pulumi.CustomResourceOptions): D;
}

/** What the composition made. */
export interface ComposedCertificate<O, I, V, D> {
  order: O | undefined;
  instance: I | undefined;
  validation: V;
  dnsRecords: D[];
  /** The order's or the instance's id, under its name. */
  source: { orderId: pulumi.Output<string> } | { instanceId: pulumi.Output<string> };
}

/** The argument names that belong to neither source: how records are published and how to wait. */
const WAIT_ARGS = new Set([
  "recordTtl",
  "timeoutMinutes",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "dnsRecord",
  "publishRecords",
  "instance",
]);

/** The names an order (or an application) is for, when the program gives them as plain strings. */
export function knownNames(args: { csr?: unknown; domain?: unknown; domains?: unknown }): string[] {
  if (typeof args.csr === "string") {
    // CAS binds the CN only (check refuses a CSR with other names, and reports one it cannot read).
    const cn = csrCommonName(args.csr);
    return cn ? [cn] : [];
  }
  const domains: unknown = args.domains;
  if (Array.isArray(domains) && domains.every((d): d is string => typeof d === "string"))
    return [...new Set(domains.map(normalizeDomain))];
  return typeof args.domain === "string" ? [normalizeDomain(args.domain)] : [];
}

/** The fields of the record for `name` in one Output of every record by name (undefined when absent). */
export function recordFields(
  all: pulumi.Output<Record<string, Partial<Record<keyof RecordOutputs, unknown>>> | null | undefined>,
  name: string,
): RecordOutputs {
  const field = (k: keyof RecordOutputs) => all.apply((m) => m?.[name]?.[k] as string);
  return {
    fqdn: field("fqdn"),
    rr: field("rr"),
    zone: field("zone"),
    type: field("type"),
    value: field("value"),
  };
}

/**
 * Orders (or applies on `args.instance`), publishes one record per record name, and waits, as
 * ManagedCertificate does (docs/managed-certificate.md), under `parent` named `name`. Fails,
 * naming the fix, on order inputs beside `instance`, an HTTP `instance.validationMethod`, and names
 * that are not plain strings.
 */
export function composeManagedCertificate<O, I, V, D extends pulumi.Resource>(
  parent: pulumi.ComponentResource,
  name: string,
  args: Record<string, unknown>,
  parts: ManagedCertificateParts<O, I, V, D>,
): ComposedCertificate<O, I, V, D> {
  const recordTtl = (args.recordTtl as number | undefined) ?? 600;
  const publishRecords = (args.publishRecords as boolean | undefined) ?? true;
  let names: string[];
  let representatives: string[];
  let made: Source<O> | Source<I>;
  let order: O | undefined;
  let instance: I | undefined;
  let source: ComposedCertificate<O, I, V, D>["source"];
  const onInstance = args.instance !== undefined;
  if (onInstance) {
    const orderOnly = Object.keys(args).filter((k) => !WAIT_ARGS.has(k));
    if (orderOnly.length)
      throw new Error(
        `ManagedCertificate ${name}: ${orderOnly.join(", ")} ${orderOnly.length > 1 ? "are" : "is"} given beside instance; with instance the certificate is applied on a certificate instance, and its inputs (domain, domains, csr, username, phone, email, tags, dnsZone, onDelete …) go inside instance: { … }. For a plan order, leave instance out`,
      );
    const inst = args.instance as Record<string, unknown>;
    if (inst.validationMethod !== undefined && inst.validationMethod !== "DNS")
      throw new Error(
        `ManagedCertificate ${name}: instance.validationMethod: ManagedCertificate publishes DNS records; leave validationMethod out, or use InstanceCertificate with its files for HTTP validation`,
      );
    const applied = parts.instance(name, { ...inst, validationMethod: "DNS" }, { parent });
    instance = applied.resource;
    made = applied;
    names = knownNames(inst);
    // One record per name; a wildcard and its base name share one (the same `_dnsauth.<base>`).
    representatives = uniqueRecordBases(names);
    source = { instanceId: applied.id };
  } else {
    const orderArgs: Record<string, unknown> = { ...args };
    for (const k of WAIT_ARGS) delete orderArgs[k];
    const placed = parts.order(name, { ...orderArgs, validateType: "DNS" }, { parent });
    order = placed.resource;
    made = placed;
    names = knownNames(orderArgs);
    // Names proven by the same record (those under one registrable domain, by the rule in
    // record-name.ts, and a wildcard with its base name) publish it once: the first name of each
    // group stands for it.
    representatives = recordGroups(names).map((group) => group[0]!);
    source = { orderId: placed.id };
  }
  if (names.length === 0)
    throw new Error(
      `ManagedCertificate ${name}: ${onInstance ? "instance." : ""}domain, domains or csr must be plain strings (not Outputs) so the validation records can be declared at preview; otherwise use ${onInstance ? "InstanceCertificate, its validationRecords" : "CertificateOrder, validationRecordFor()"} and CertificateOrderValidation`,
    );
  const what = onInstance ? "application" : "order";
  // Once the records are known (an existing order's in preview, an application's after create),
  // each record's value is given only if each declared record has one and no two are one record;
  // else it fails, naming the fix.
  const fqdns = pulumi.all(representatives.map((n) => made.recordOf(n).fqdn));
  const dnsRecords = publishRecords
    ? representatives.map((n) => {
        const rec = made.recordOf(n);
        return parts.record(
          `${name}-validation-${recordBase(n)}`,
          {
            domainName: rec.zone,
            rr: rec.rr,
            type: rec.type,
            value: pulumi.all([rec.value, fqdns]).apply(([value, known]) => {
              checkRecords(name, what, representatives, known);
              return value;
            }),
            ttl: recordTtl,
          },
          { parent },
        );
      })
    : [];
  const validation = parts.validation(
    name,
    {
      ...source,
      // A certificate CAS validated before its first read (a zone it validates itself) has no records.
      validationRecordFqdns: fqdns.apply((all) => all.filter((f): f is string => typeof f === "string")),
      timeoutMinutes: args.timeoutMinutes as pulumi.Input<number> | undefined,
      pollIntervalSeconds: args.pollIntervalSeconds as pulumi.Input<number> | undefined,
      maxPollIntervalSeconds: args.maxPollIntervalSeconds as pulumi.Input<number> | undefined,
    },
    { parent, dependsOn: dnsRecords },
  );
  return { order, instance, validation, dnsRecords, source };
}

/**
 * Fails, naming the fix, when the records `ManagedCertificate` declared (one per group of
 * `representatives`, by the program's order of names) do not fit the order's or the application's:
 * a name without a record (CAS validated it itself), or two names whose records are one (for an
 * order: CAS named the records for the first name of the order as placed, and the program now
 * lists another name first; for an application: CAS gave two names one record).
 */
function checkRecords(
  name: string,
  what: "order" | "application",
  representatives: string[],
  fqdns: Array<string | undefined>,
): void {
  const missing = representatives.filter((_, i) => fqdns[i] === undefined);
  if (missing.length)
    throw new Error(
      `ManagedCertificate ${name}: the ${what} has no validation record for ${missing.join(", ")} (CAS validated it before the first read, as it does in a zone of this account's Alibaba Cloud DNS); set publishRecords: false`,
    );
  const seen = new Map<string, string>();
  representatives.forEach((n, i) => {
    const other = seen.get(fqdns[i]!);
    if (other !== undefined)
      throw new Error(
        what === "order"
          ? `ManagedCertificate ${name}: ${other} and ${n} share one validation record (${fqdns[i]}) in this order, which CAS named for the first of its names when it was placed, but the program's domains now list another name first and so would publish that record twice. Put the order's first name first in domains again (the order of the others does not matter)`
          : `ManagedCertificate ${name}: ${other} and ${n} share one validation record (${fqdns[i]}) in this application, so it would be published twice. Use InstanceCertificate and publish its validationRecords yourself, one record per distinct fqdn`,
      );
    seen.set(fqdns[i]!, n);
  });
}
