import * as z from "zod";
import { orderInputsSchema, UNKNOWN } from "./inputs";

/**
 * A CertificateOrder's state as stored, parsed at every provider entry point so the methods work
 * on typed values. Types only, no input rules: state written by an earlier version (whose rules
 * may have differed, or whose product list was longer) must still read, update and delete.
 * Unknown fields are kept as they are.
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

/** Everything a CertificateOrder may have stored; only the inputs' own fields are required nowhere. */
export const storedOrderSchema = storedInputsSchema.extend({
  schemaVersion: z.number().optional(),
  orderId: optionalText,
  action: optionalText,
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
  ownership: optionalText,
});

/** State as stored by any version. */
export type StoredOrder = z.output<typeof storedOrderSchema>;

/** State brought to the current shape (see upgrade.ts): the ordered names and the action are always there. */
export const currentOrderSchema = storedOrderSchema.extend({
  action: z.string(),
  domains: z.array(z.string()),
});

/** State in the current shape. */
export type CurrentOrder = z.output<typeof currentOrderSchema>;

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
