// The emulator's life-cycle settings: how fast orders and instances move on by themselves, and the
// named guesses about what CAS answers where no source settles it (`LifecycleOptions`). Not the
// provider's state table (provider/order/lifecycle.ts): the emulator keeps its own reading.
import { z } from "zod";
import { parseRecordDomainStyle, parseZones, type RecordDomainStyle } from "./records";

/** How orders move on without the control API, and the guesses about what CAS answers. */
export interface LifecycleOptions {
  /**
   * `auto`: validated `validateAfterMs` after creation; `dns`: validated once every expected DNS
   * record was published through the control API; `manual`: only the control API moves orders.
   */
  validation: "auto" | "dns" | "manual";
  validateAfterMs: number;
  /** From `process` to `certificate` (not in `manual` mode). */
  issueAfterMs: number;
  /** Validity of issued certificates. */
  certificateDays: number;
  /**
   * Form of `RecordDomain` (see {@link RecordDomainStyle}): `fqdn` by default, as the console FAQ
   * says; `label` is accepted for `name`.
   */
  recordDomainStyle: RecordDomainStyle;
  /**
   * For `www.<domain>`, name `<domain>`: DNS `RecordDomain` and FILE `Domain` (DigiCert checks the
   * parent of a `www.` name; the console FAQ says the same for FILE). Default `false`.
   */
  wwwParent: boolean;
  /**
   * DNS zones the emulator knows (e.g. `example.co.uk`), for `recordDomainStyle: "zone"` and for which
   * names of an order one record proves (those in the first name's zone); a name under none of them
   * is taken to be in its registrable domain (Public Suffix List).
   */
  zones: string[];
  /**
   * Zones in Alibaba Cloud DNS of the order's account: CAS validates orders there by itself, adding
   * the record it names and deleting conflicting TXT records at that name (help.aliyun.com, "verify
   * the ownership of a domain name"; whether orders placed through the API trigger it is
   * UNCONFIRMED). Default none.
   */
  sameAccountZones: string[];
  /** DigiCert may ask for CNAME instead of TXT. */
  recordType: "TXT" | "CNAME";
  /**
   * How many days before `NotAfter` a certificate counts as "about to expire" (`WILLEXPIRED`), which
   * is also when `RenewCertificateOrderForPackageRequest` is allowed: 30 by the docs ("即将过期状态
   * （即距离到期前的30个自然日内）").
   */
  expiringDays: number;
  /**
   * The region part of `CertIdentifier` (`{Id}-cn-hangzhou` per the SDK remark); the international
   * site's form is UNCONFIRMED (e.g. `ap-southeast-1`).
   */
  certIdentifierRegion: string;
  /**
   * Where a certificate instance settles after `CancelPendingCertificate` of its first application
   * (an instance that held a certificate goes back to `normal`): `inactive` (default; dnsmgr and the
   * Terraform apply resource treat the instance as free again) or `normal`. UNCONFIRMED.
   */
  cancelSettlesTo: "inactive" | "normal";
  /**
   * Reads of `GetInstanceDetail` after `ApplyCertificate` (or `CancelPendingCertificate`) that
   * still answer the earlier picture: no `DomainValidationList` yet (Terraform waits for it), or
   * `pending` after a cancel. Default 1. The real delay is UNCONFIRMED.
   */
  instanceAnswersAfterReads: number;
  /**
   * Whether `RevokeCertificate` accepts TEST instances. The 3.9.4 remark says it "accepts only
   * V2.0 subscription certificate instances (certificates purchased from a CA …)": default `false`.
   */
  testInstancesRevocable: boolean;
  /**
   * Form of `DomainValidationList[].ValidationKey`: `zone` (default: the host record relative to
   * `RootDomain`, which Terraform publishes as rr in zone RootDomain) or `fqdn`. UNCONFIRMED.
   */
  validationKeyStyle: "zone" | "fqdn";
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = {
  validation: "auto",
  validateAfterMs: 500,
  issueAfterMs: 500,
  certificateDays: 90,
  recordDomainStyle: "fqdn",
  wwwParent: false,
  zones: [],
  sameAccountZones: [],
  recordType: "TXT",
  expiringDays: 30,
  certIdentifierRegion: "cn-hangzhou",
  cancelSettlesTo: "inactive",
  instanceAnswersAfterReads: 1,
  testInstancesRevocable: false,
  validationKeyStyle: "zone",
};

/** What callers may pass: the same fields, with `recordDomainStyle: "label"` still accepted. */
export type LifecycleInput = Partial<Omit<LifecycleOptions, "recordDomainStyle">> & {
  recordDomainStyle?: RecordDomainStyle | "label";
};

const patchSchema = z
  .object({
    validation: z.enum(["auto", "dns", "manual"]),
    validateAfterMs: z.number().finite().nonnegative(),
    issueAfterMs: z.number().finite().nonnegative(),
    certificateDays: z.number().finite().positive(),
    recordDomainStyle: z.unknown().transform((v, ctx) => {
      try {
        return parseRecordDomainStyle(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    }),
    wwwParent: z.boolean(),
    zones: z.unknown().transform((v, ctx) => {
      try {
        return parseZones(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    }),
    sameAccountZones: z.unknown().transform((v, ctx) => {
      try {
        return parseZones(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^zones/, "sameAccountZones") });
        return z.NEVER;
      }
    }),
    recordType: z.enum(["TXT", "CNAME"]),
    expiringDays: z.number().finite().nonnegative(),
    certIdentifierRegion: z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+$/, "a region id such as cn-hangzhou"),
    cancelSettlesTo: z.enum(["inactive", "normal"]),
    instanceAnswersAfterReads: z.number().int().min(0).max(100),
    testInstancesRevocable: z.boolean(),
    validationKeyStyle: z.enum(["zone", "fqdn"]),
  })
  .partial()
  .strict();

/** Checks a lifecycle patch (options, CLI or control API); throws naming the field and what it takes. */
export function parseLifecyclePatch(input: unknown): Partial<LifecycleOptions> {
  const r = patchSchema.safeParse(input ?? {});
  if (!r.success)
    throw new Error(
      `lifecycle: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  const out: Partial<LifecycleOptions> = {};
  for (const [k, v] of Object.entries(r.data)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}
