import { isIP } from "node:net";
import * as z from "zod";
import { ORDER_ID_RE, UNKNOWN, type Failure } from "./inputs";
import { VALIDATION_OUTPUT_NAMES } from "./output-names";
import { MAX_NAME_LENGTH } from "./record-name";
import { storedState } from "./state-chain";
import { DEFAULT_WAIT } from "./waiter";

/** An IPv4 or IPv6 address, optionally with a port (`1.1.1.1`, `10.0.0.2:53`, `[::1]:53`, `::1`). */
function isResolver(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
  const [host, port] = m ? [m[1]!, m[2]] : [v, undefined];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  return isIP(host) !== 0;
}

/** A value still unknown during a preview, or one `schema` accepts; `message` for anything else. */
const orUnknown = <T extends z.ZodType>(schema: T, message: string) =>
  z.union([z.literal(UNKNOWN), schema], { error: message });

/**
 * A DNS record name: LDH labels that may start with `_` (`_dnsauth.www.example.com`), optional final dot.
 * A label starting with `_` is matched by one branch only (up to 62 free characters, or an LDH label of
 * 63): the old pattern let `_a` match two ways per label, so 24 labels of `_a.` took a second to fail.
 */
const RECORD_NAME_RE =
  /^(?:(?:_(?:[a-z0-9-]{1,62}|[a-z0-9][a-z0-9-]{61}[a-z0-9])|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.)+[a-z]{2,63}\.?$/i;
const recordName = orUnknown(
  z.string().max(MAX_NAME_LENGTH, { abort: true }).regex(RECORD_NAME_RE),
  "a record name",
);

/** How long one `up` may wait and how often it polls: `[min, max]` of each setting. */
const WAIT_LIMITS = {
  timeoutMinutes: [1, 7 * 24 * 60],
  pollIntervalSeconds: [1, 3600],
  maxPollIntervalSeconds: [1, 3600],
} as const;

const within = ([min, max]: readonly [number, number]) => {
  const message = `a number from ${min} to ${max}`;
  return orUnknown(z.number({ error: message }).min(min, message).max(max, message), message).nullish();
};

const ORDER_ID_REASON = "the OrderId of a CertificateOrder (order.orderId)";

/** The inputs a CertificateOrderValidation takes (what the SDK's args declare). */
const INSTANCE_ID_REASON =
  "the id of a certificate instance (certificate.instanceId of an InstanceCertificate)";

const inputShape = {
  orderId: z
    .string({ error: ORDER_ID_REASON })
    .refine((id) => id === UNKNOWN || ORDER_ID_RE.test(id), ORDER_ID_REASON)
    .nullish(),
  /** In place of `orderId`: wait for the certificate applied on this instance (InstanceCertificate). */
  instanceId: z
    .string({ error: INSTANCE_ID_REASON })
    .refine((id) => id === UNKNOWN || /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/.test(id), INSTANCE_ID_REASON)
    .nullish(),
  validationRecordFqdns: orUnknown(z.array(recordName), "a list of record names").nullish(),
  timeoutMinutes: within(WAIT_LIMITS.timeoutMinutes),
  pollIntervalSeconds: within(WAIT_LIMITS.pollIntervalSeconds),
  maxPollIntervalSeconds: within(WAIT_LIMITS.maxPollIntervalSeconds),
  dnsPrecheck: z
    .union([
      z.literal(UNKNOWN),
      z.boolean(),
      // An object: resolvers only (a misspelled key would silently mean "no resolvers").
      z
        .object({
          resolvers: orUnknown(
            z.array(z.unknown().refine((r) => r === UNKNOWN || isResolver(r))),
            "resolvers",
          ).optional(),
        })
        .strict(),
    ])
    .nullish(),
};

/** The input names a user sets, in the order failures are reported. */
const VALIDATION_INPUT_NAMES = Object.keys(inputShape) as Array<keyof typeof inputShape>;

/**
 * The inputs of a CertificateOrderValidation as the engine passes them to `check`: the inputs,
 * plus the outputs the SDK declares as undefined inputs. Anything else is refused.
 */
export const validationInputsSchema = z
  .object({
    ...inputShape,
    ...(Object.fromEntries(VALIDATION_OUTPUT_NAMES.map((k) => [k, z.unknown().optional()])) as Record<
      (typeof VALIDATION_OUTPUT_NAMES)[number],
      z.ZodOptional<z.ZodUnknown>
    >),
  })
  .strict()
  .superRefine(
    (v, ctx) => {
      // Run on the raw value even when other properties failed, so every problem is reported at once.
      const { pollIntervalSeconds: poll, maxPollIntervalSeconds: maxPoll } = v as Record<string, unknown>;
      const { orderId, instanceId } = v as Record<string, unknown>;
      if ((orderId == null) === (instanceId == null))
        ctx.addIssue({
          code: "custom",
          path: [orderId == null ? "orderId" : "instanceId"],
          message:
            "set exactly one of orderId (a CertificateOrder's order.orderId) or instanceId (an InstanceCertificate's certificate.instanceId)",
        });
      if (typeof poll === "number" && typeof maxPoll === "number" && maxPoll < poll)
        ctx.addIssue({
          code: "custom",
          path: ["maxPollIntervalSeconds"],
          message: `at least pollIntervalSeconds (${poll}); the interval grows from pollIntervalSeconds up to this`,
        });
    },
    { when: () => true },
  );

/** The reason for a failed property whose message depends on the whole value. */
function valueReason(property: string, value: unknown): string | undefined {
  if (property === "validationRecordFqdns" && Array.isArray(value))
    return `record names such as _dnsauth.example.com; not ${value
      .filter((v) => !recordName.safeParse(v).success)
      .map((v) => JSON.stringify(v))
      .join(", ")}`;
  if (property !== "dnsPrecheck") return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value))
    return 'true, or { resolvers: ["1.1.1.1", "10.0.0.2:53"] }';
  const extra = Object.keys(value).filter((k) => k !== "resolvers");
  if (extra.length)
    return `unknown ${extra.length > 1 ? "properties" : "property"} ${extra.join(", ")} (dnsPrecheck takes resolvers only)`;
  const resolvers = (value as { resolvers?: unknown }).resolvers;
  const bad = Array.isArray(resolvers)
    ? resolvers.filter((r) => r !== UNKNOWN && !isResolver(r))
    : [resolvers];
  return `resolvers are IP addresses, optionally with a port (1.1.1.1, 10.0.0.2:53, [::1]:53); not ${bad.map((b) => JSON.stringify(b)).join(", ")}`;
}

/**
 * Every problem with a CertificateOrderValidation's inputs, one failure per property (unknown
 * properties first, then in {@link VALIDATION_INPUT_NAMES} order); values still unknown are not judged.
 */
export function checkValidationInputs(news: Record<string, unknown>): Failure[] {
  const { __provider: _provider, ...inputs } = news;
  const parsed = validationInputsSchema.safeParse(inputs);
  if (parsed.success) return [];
  const known = VALIDATION_INPUT_NAMES.join(", ");
  const failures: Failure[] = parsed.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys" && issue.path.length === 0)
      return issue.keys.map((k) => ({ property: k, reason: `unknown property ${k} (known: ${known})` }));
    const property = String(issue.path[0] ?? "");
    return [{ property, reason: valueReason(property, inputs[property]) ?? issue.message }];
  });
  const rank = (f: Failure) =>
    VALIDATION_INPUT_NAMES.indexOf(f.property as (typeof VALIDATION_INPUT_NAMES)[number]);
  const seen = new Set<string>();
  return failures
    .filter((f) => {
      const key = JSON.stringify([f.property, f.reason]);
      return !seen.has(key) && (seen.add(key), true);
    })
    .sort((a, b) => rank(a) - rank(b));
}

/** The inputs as the provider uses them: defaults applied, `dnsPrecheck` as its resolvers or `null`. */
export interface ValidationSettings {
  dnsPrecheck: { resolvers: string[] } | null;
  /** The order waited for; `null` when the validation waits for an instance's certificate. */
  orderId: string;
  /** The certificate instance waited for (in place of `orderId`), or `null`. */
  instanceId: string | null;
  validationRecordFqdns: string[] | null;
  timeoutMinutes: number;
  pollIntervalSeconds: number;
  maxPollIntervalSeconds: number;
}

/**
 * A validation's state as stored: the settings it was created with and, once issued, the
 * certificate. Typed only loosely (state written by any earlier version must still read); other
 * fields are kept as they are.
 */
export const validationStateSchema = z
  .object({
    orderId: z.union([z.string(), z.number().transform(String)]).nullish(),
    instanceId: z.string().nullish(),
    validationRecordFqdns: z.array(z.string()).nullish(),
    timeoutMinutes: z.number().nullish(),
    pollIntervalSeconds: z.number().nullish(),
    maxPollIntervalSeconds: z.number().nullish(),
    dnsPrecheck: z.union([z.boolean(), z.object({ resolvers: z.array(z.string()).optional() })]).nullish(),
    certificatePem: z.string().nullish(),
    certificateId: z.string().nullish(),
  })
  .loose();

/** Stored or checked validation properties, as the provider uses them. */
export type ValidationState = z.output<typeof validationStateSchema>;

/** The version of CertificateOrderValidation state this release writes (see {@link VALIDATION_STATE}). */
export const VALIDATION_STATE_VERSION = 5;

const nullableText = z.string().nullish();

/**
 * A validation's state as this release writes it: its settings and, once issued, the certificate
 * (the same output names as the order's). Any change to a stored field bumps the version and adds
 * an upgrader below; a test compares the schema with its committed snapshot.
 */
const validationStoredSchema = z
  .object({
    schemaVersion: z.literal(VALIDATION_STATE_VERSION),
    /** `null` when the validation waits for an instance's certificate (`instanceId`). */
    orderId: z.string().nullable(),
    instanceId: z.string().nullable(),
    validationRecordFqdns: z.array(z.string()).nullish(),
    timeoutMinutes: z.number().nullish(),
    pollIntervalSeconds: z.number().nullish(),
    maxPollIntervalSeconds: z.number().nullish(),
    dnsPrecheck: z.union([z.boolean(), z.object({ resolvers: z.array(z.string()).optional() })]).nullish(),
    /**
     * The certificate's status: `issued` when created (a validation exists only once CAS issued);
     * a refresh reads it again (`expired`, or the order's or the instance's status).
     */
    status: z.string(),
    certificatePem: nullableText,
    certificateChainPem: nullableText,
    privateKeyPem: nullableText,
    notBefore: nullableText,
    notAfter: nullableText,
    serialNumber: nullableText,
    fingerprintSha256: nullableText,
    fingerprintSha1: nullableText,
    certificateId: nullableText,
    certIdentifier: nullableText,
    sans: z.array(z.string()).nullish(),
    /**
     * The Alibaba Cloud account the validation waited in (STS `GetCallerIdentity`); `null` in state
     * written before it was recorded, until its first successful read.
     */
    accountId: z.string().nullable(),
  })
  .loose();

/**
 * CertificateOrderValidation state of any release, upgraded and parsed: what `diff`, `read` and
 * `update` work on. Releases before 0.2.0 wrote it unversioned (version 1).
 */
export const VALIDATION_STATE = storedState("CertificateOrderValidation state", validationStoredSchema, [
  {
    to: 2,
    change: "versioned; `orderId` always a string",
    up: (props) => (typeof props.orderId === "number" ? { ...props, orderId: String(props.orderId) } : props),
  },
  {
    to: 3,
    change: "`instanceId` (a certificate instance waited for in place of an order); `null` for orders",
    up: (props) => ({ ...props, instanceId: null }),
  },
  {
    to: 4,
    change: "`status` (`issued` when created; a refresh reads it again)",
    // Every earlier release wrote a validation only once CAS had issued its certificate.
    up: (props) => ({ ...props, status: "issued" }),
  },
  {
    to: 5,
    change:
      "`accountId` (the Alibaba Cloud account the validation waited in, from STS GetCallerIdentity); `null` for validations of earlier releases, filled on their first successful read",
    // Never assumed: an earlier release's validation may be of any account the stack's credentials had.
    up: (props) => ({ ...props, accountId: null }),
  },
]);
if (VALIDATION_STATE.version !== VALIDATION_STATE_VERSION)
  throw new Error("VALIDATION_STATE_VERSION must match the upgraders");

/** The settings of checked inputs or stored state, defaults applied. */
export function validationSettings(p: ValidationState): ValidationSettings {
  const pre = p.dnsPrecheck;
  return {
    dnsPrecheck:
      pre === true
        ? { resolvers: [] }
        : pre && typeof pre === "object"
          ? { resolvers: pre.resolvers ?? [] }
          : null,
    // One of the two is set (checked inputs; stored state of an order or an instance).
    orderId: p.orderId ?? "",
    instanceId: p.instanceId ?? null,
    validationRecordFqdns: p.validationRecordFqdns ?? null,
    timeoutMinutes: p.timeoutMinutes ?? DEFAULT_WAIT.timeoutMinutes,
    pollIntervalSeconds: p.pollIntervalSeconds ?? DEFAULT_WAIT.pollIntervalSeconds,
    maxPollIntervalSeconds: p.maxPollIntervalSeconds ?? DEFAULT_WAIT.maxPollIntervalSeconds,
  };
}
