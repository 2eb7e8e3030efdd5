import * as z from "zod";
import { orderInputsSchema, UNKNOWN } from "./inputs";
import { storedState } from "./state-chain";
import { ORDER_UPGRADERS } from "./upgrade";

/**
 * A CertificateOrder's state as stored, parsed at every provider entry point so the methods work
 * on typed values. Types only, no input rules: state written by an earlier version (whose rules
 * may have differed, or whose product list was longer) must still read, update and delete.
 * Unknown fields are kept as they are. Any change to a stored field bumps the version and adds an
 * upgrader (upgrade.ts); a test compares the schema with its committed snapshot.
 */

const optionalText = z.string().optional();
const nullableText = z.string().nullish();

/** The enum of an input that has a default, taken from the input schema. */
const { onDelete, quotaCheck, validateType } = orderInputsSchema.shape;

/** The inputs as `check` normalized them, which the outputs carry. */
export const storedInputsSchema = z
  .object({
    csr: optionalText,
    domain: optionalText,
    domains: z.array(z.string()).optional(),
    productCode: optionalText,
    validateType: validateType.unwrap().optional(),
    username: optionalText,
    phone: optionalText,
    email: optionalText,
    companyName: optionalText,
    tags: z.record(z.string(), z.string()).optional(),
    dnsZone: optionalText,
    adoptOrderId: optionalText,
    onDelete: onDelete.unwrap().optional(),
    renewBeforeDays: z.number().optional(),
    quotaCheck: quotaCheck.unwrap().optional(),
  })
  .loose();

/** Stored (or checked) order inputs. */
export type StoredInputs = z.output<typeof storedInputsSchema>;

const dnsRecord = z.object({
  domain: z.string(),
  names: z.array(z.string()),
  fqdn: z.string(),
  rr: z.string(),
  zone: z.string(),
  type: z.string(),
  value: z.string(),
  recordDomain: z.string(),
});

const validation = z
  .union([
    z.object({ method: z.literal("DNS"), records: z.array(dnsRecord) }),
    z.object({
      method: z.literal("FILE"),
      files: z.array(
        z.object({ domain: z.string(), path: z.string(), content: z.string(), url: z.string() }),
      ),
    }),
  ])
  .nullish();

/**
 * How a resource holds its order. Only `placed` (its own create returned the id) and `adopted` (the
 * user named it in `adoptOrderId`) let destroy cancel or revoke it; `reconciled` (taken after a lost
 * create answer, by opt-in) and `unknown` (recorded by a release that did not record ownership) never.
 */
export const OWNERSHIP_VALUES = ["placed", "adopted", "reconciled", "unknown"] as const;

/** The version of CertificateOrder state this release writes (see {@link ORDER_STATE}). */
export const ORDER_STATE_VERSION = 4;

/**
 * A CertificateOrder's state as this release writes it: the normalized inputs plus what CAS said.
 * Only what every method needs is required: the ids, the names and how the order is held (the
 * partial-failure state of a create has no certificate yet, and destroy must not depend on the rest).
 */
export const orderStateSchema = storedInputsSchema.extend({
  schemaVersion: z.literal(ORDER_STATE_VERSION),
  orderId: z.string(),
  action: z.string(),
  domains: z.array(z.string()),
  status: optionalText,
  type: optionalText,
  statusReason: nullableText,
  validation,
  validationRecords: z.record(z.string(), dnsRecord).optional(),
  certificatePem: nullableText,
  certificateChainPem: nullableText,
  notBefore: nullableText,
  notAfter: nullableText,
  serialNumber: nullableText,
  fingerprintSha256: nullableText,
  fingerprintSha1: nullableText,
  certificateId: nullableText,
  certIdentifier: nullableText,
  sans: z.array(z.string()).nullish(),
  privateKeyPem: nullableText,
  ownership: z.enum(OWNERSHIP_VALUES),
  /**
   * A create whose order may exist (no answer, or candidates it could not take): the request, kept
   * so the next operation looks for its order before ordering again. The resource's id is then a
   * placeholder (`unresolved-…`) until it is resolved.
   */
  pendingCreate: z
    .object({
      action: z.string(),
      productCode: z.string(),
      names: z.array(z.string()),
      /** When the request was sent (ISO 8601, this machine's clock). */
      sentAt: z.string(),
      /** Orders listed for it that no resource held, when last looked. */
      candidates: z.array(z.string()),
    })
    .optional(),
  /**
   * Where the order was placed (account.ts): the endpoint and the account id. Absent in state
   * written before 0.2.0; `accountId` is `null` (with the older AccessKey fingerprint) in state
   * written before the account id was recorded, until its first successful read.
   */
  account: z
    .object({
      endpoint: z.string(),
      accountId: z.string().nullable(),
      accessKey: z.string().nullable().optional(),
    })
    .loose()
    .optional(),
});

/**
 * CertificateOrder state of any release, upgraded to {@link ORDER_STATE_VERSION} and parsed: what
 * `diff`, `read`, `update` and `delete` work on.
 */
export const ORDER_STATE = storedState("CertificateOrder state", orderStateSchema, ORDER_UPGRADERS);
if (ORDER_STATE.version !== ORDER_STATE_VERSION)
  throw new Error("ORDER_STATE_VERSION must match the upgraders");

/** State in the current shape. */
export type OrderState = z.output<typeof orderStateSchema>;

/** Checked inputs during a preview: any of them may still be Pulumi's placeholder for an unknown value. */
export type PreviewInputs = { [K in keyof StoredInputs]?: StoredInputs[K] | typeof UNKNOWN };

/**
 * Checked inputs as `check` returns them and `diff` receives them: each field takes the unknown
 * placeholder too. Built from {@link storedInputsSchema} field by field, so it is typed here.
 */
export const previewInputsSchema = z
  .object(
    Object.fromEntries(
      Object.entries(storedInputsSchema.shape).map(([k, s]) => [k, z.union([z.literal(UNKNOWN), s])]),
    ),
  )
  .loose() as z.ZodType<PreviewInputs>;
