import * as pulumi from "@pulumi/pulumi";
import {
  composeManagedCertificate,
  recordFields,
  type RecordOutputs,
} from "../components/managed-certificate";
import { INSTANCE_OUTPUT_NAMES } from "../instance/inputs";
import { ORDER_OUTPUT_NAMES, SECRET_OUTPUT_NAMES, VALIDATION_OUTPUT_NAMES } from "../order/output-names";
import { PACKAGE } from "./config";

/** The component the plugin serves through `construct`. */
export const MANAGED_CERTIFICATE_TOKEN = `${PACKAGE}:index:ManagedCertificate`;
/** The record type a ManagedCertificate publishes with unless `dnsRecordType` names another. */
export const DEFAULT_DNS_RECORD_TYPE = "alicloud:dns:AlidnsRecord";

/** The component's outputs taken from its validation (the certificate). */
export const MANAGED_CERTIFICATE_OUTPUTS = [
  "certificatePem",
  "certificateChainPem",
  "privateKeyPem",
  "certificateId",
  "certIdentifier",
  "notAfter",
  "serialNumber",
  "fingerprintSha256",
  "fingerprintSha1",
] as const;

type Outputs = Record<string, pulumi.Output<unknown>>;

/** A resource of any type, by its token. */
class Child extends pulumi.CustomResource {}

/** The component itself. */
class Component extends pulumi.ComponentResource {
  done(outputs: Record<string, unknown>): void {
    this.registerOutputs(outputs);
  }
}

/** A resource of type `type` by token, with `outputs` read back from the engine. */
function custom(
  type: string,
  name: string,
  args: Record<string, unknown>,
  outputs: readonly string[],
  opts: pulumi.CustomResourceOptions,
): Outputs {
  const props: Record<string, unknown> = { ...args };
  for (const k of outputs) if (!(k in props)) props[k] = undefined;
  const r = new Child(type, name, props, opts);
  return r as unknown as Outputs;
}

/**
 * `alicloudcas:index:ManagedCertificate` built inside the plugin's `construct`: the composition of
 * the SDK's ManagedCertificate (provider/components/managed-certificate.ts) over the plugin's own
 * resource types, so the engine sends the children to this provider (the component's provider),
 * and each validation record as a resource of `dnsRecordType` (AlidnsRecord's inputs).
 */
export async function constructManagedCertificate(
  name: string,
  given: Record<string, unknown>,
  options: pulumi.ComponentResourceOptions,
): Promise<{ urn: pulumi.Output<string>; state: Record<string, unknown> }> {
  const inputs = await withShapeKnown(name, given);
  const { dnsRecordType = DEFAULT_DNS_RECORD_TYPE, ...args } = inputs;
  if (typeof dnsRecordType !== "string" || !/^[^:]+:[^:]*:[^:]+$/.test(dnsRecordType))
    throw new Error(
      `ManagedCertificate ${name}: dnsRecordType must be a resource type token as plain text (package:module:Type, e.g. ${DEFAULT_DNS_RECORD_TYPE}) whose inputs are domainName, rr, type, value and ttl; got ${JSON.stringify(dnsRecordType)}`,
    );
  const component = new Component(MANAGED_CERTIFICATE_TOKEN, name, {}, options);
  /** An order's or an application's validation records: one Output of every record by name. */
  const recordsOf = (r: Outputs) =>
    r.validationRecords as pulumi.Output<Record<string, Partial<Record<keyof RecordOutputs, unknown>>>>;
  const secret = { additionalSecretOutputs: [...SECRET_OUTPUT_NAMES] };
  const made = composeManagedCertificate(component, name, args, {
    order: (n, a, o) => {
      const r = custom(`${PACKAGE}:index:CertificateOrder`, n, a, ORDER_OUTPUT_NAMES, { ...o, ...secret });
      return {
        resource: r,
        id: r.orderId as pulumi.Output<string>,
        recordOf: (d) => recordFields(recordsOf(r), d),
      };
    },
    instance: (n, a, o) => {
      const r = custom(
        `${PACKAGE}:index:InstanceCertificate`,
        n,
        a,
        ["instanceId", ...INSTANCE_OUTPUT_NAMES],
        o,
      );
      return {
        resource: r,
        id: r.instanceId as pulumi.Output<string>,
        recordOf: (d) => recordFields(recordsOf(r), d),
      };
    },
    validation: (n, a, o) =>
      custom(`${PACKAGE}:index:CertificateValidation`, n, { ...a }, VALIDATION_OUTPUT_NAMES, {
        ...o,
        ...secret,
      }),
    record: (n, a, o) => new Child(dnsRecordType, n, { ...a }, o),
  });
  const v = made.validation;
  const state: Record<string, unknown> = {
    ...Object.fromEntries(MANAGED_CERTIFICATE_OUTPUTS.map((k) => [k, v[k]])),
    ...made.source,
    validationRecords: recordsOf((made.order ?? made.instance)!),
  };
  component.done(state);
  return { urn: component.urn, state };
}

/** The inputs that decide which resources the component declares. */
const SHAPING = ["publishRecords", "dnsRecordType", "instance"] as const;
/** The inputs of `instance` the composition reads (its names, its kind): plain, as the SDK's component needs them. */
const PLAIN = new Set(["domain", "domains", "csr", "instanceType", "instanceId", "validationMethod"]);

/**
 * `given` with the inputs that decide the component's resources as plain values: the engine hands
 * construct an input that is secret, or holds another resource's output, as an Output, and an
 * Output is never `false`. Known ones are taken (an `instance` that was secret keeps its settings
 * secret, its names and kind aside); one not known until another resource is created is an error naming it.
 */
async function withShapeKnown(
  name: string,
  given: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const inputs = { ...given };
  for (const key of SHAPING) {
    const value = inputs[key];
    if (!pulumi.Output.isInstance(value)) continue;
    const o = value as unknown as {
      isKnown: Promise<boolean>;
      isSecret: Promise<boolean>;
      promise(): Promise<unknown>;
    };
    if (!(await o.isKnown))
      throw new Error(
        `ManagedCertificate ${name}: ${key} is not known until another resource is created, and it decides which resources the component declares; give it as a plain value`,
      );
    const plain = await o.promise();
    inputs[key] =
      key === "instance" && (await o.isSecret) && typeof plain === "object" && plain !== null
        ? Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, PLAIN.has(k) ? v : pulumi.secret(v)]))
        : plain;
  }
  return inputs;
}
