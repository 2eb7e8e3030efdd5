// The InstanceCertificate provider: a certificate applied on a CAS certificate instance (V2.0).
// Create: the contact (given, found by email, else created), the instance (named, or claimed from
// the TEST pool: claim.ts), UpdateInstance + ApplyCertificate, a read-back that proves the
// application is this resource's, then the validation records once they are stable (Terraform's
// apply resource waits for a non-empty DomainValidationList on consecutive reads); a failed create
// releases the instances it marked. Delete, refresh and update act only while the instance carries
// this resource's claim: delete cancels a pending application and waits for the instance to leave
// `pending`; an issued certificate is kept unless `onDelete: "revoke"`; then the claim is released.
// An instance is never refunded or deleted (money).
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../protocol/clock";
import { CasApiError, CasError, CasOutcomeUnknownError } from "../cas/errors";
import type { CasClient } from "../cas/client";
import type { InstanceDetail } from "../cas/instance-schemas";
import { UNKNOWN } from "../order/inputs";
import { hideValues } from "../order/key-material";
import { log, setLogSink, type LogSink } from "../order/log";
import { parseProps } from "../order/parse-state";
import { readValidationKey, registrableDomain, relativeTo } from "../order/record-name";
import { checkSettings, client, setConfig, settingsFailure } from "../order/settings";
import { canonicalCsrPem, isBareCsrPem } from "../pki/csr";
import { X509Certificate } from "node:crypto";
import { publishListOfState } from "./instance-publish";
import {
  applicationNames,
  CLAIM_TAG,
  claimFromPool,
  claimOf,
  holdsApplication,
  instanceTags,
  isTakenRefusal,
} from "./claim";
import { checkTestPool } from "./pool-check";
import { checkInstanceAccount, instanceAccountUnproven, isInstanceNotFound } from "./instance-account";
import { currentAccount, type CurrentAccount } from "../order/account";
import {
  appliedNames,
  checkInstanceInputs,
  INSTANCE_STATE,
  inputsOnly,
  instanceInputsSchema,
  type InstanceCertStatus,
  type InstanceInputs,
  type InstanceState,
} from "./inputs";

type Props = Record<string, unknown>;

/** Reads in a row with a non-empty DomainValidationList before the records are taken as final (Terraform waits for 4). */
export const STABLE_RECORD_READS = 2;
/** ApplyCertificate sends at most: a second only after a lost answer and a read showing the first was not processed. */
export const APPLY_SENDS = 2;
/** How long create waits for the records, and delete for a cancel to settle. */
export const INSTANCE_WAIT_MS = 5 * 60_000;
/** Inputs whose change needs a new application (a replacement); every other input updates in place. */
export const INSTANCE_REPLACE_PROPERTIES = [
  "instanceId",
  "instanceType",
  "domains",
  "csr",
  "keyAlgorithm",
  "validationMethod",
  "companyId",
] as const;

let clock: Clock = systemClock;
/** Tests inject a clock; the provider process uses the system's. */
export function setInstanceClock(next: Clock | undefined): void {
  clock = next ?? systemClock;
}

/** The status of this resource's application, from the instance's answer. */
export function statusOf(d: InstanceDetail): InstanceCertStatus {
  if (d.Status === "pending") return "pending_validation";
  if (d.Status === "closed") return "failed";
  if (d.Status === "inactive") return "cancelled";
  if (d.CertificateStatus === "revoked") return "revoked";
  if (d.CertificateStatus === "expired" || d.Status === "expired") return "expired";
  if (d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire") return "issued";
  return "unknown";
}

const REASONS: Partial<Record<InstanceCertStatus, string>> = {
  pending_validation: "publish validationRecords (or files); CAS validates and issues on a later read",
  failed: "the CA's review failed (instance closed); replace the resource to apply on another instance",
  cancelled: "the application was cancelled; the instance is inactive again",
  revoked: "the certificate was revoked; replace the resource for a new one",
  expired: "the certificate expired; replace the resource for a new one",
};

/** The normalized settings an application is made of (what the state stores beside CAS's answers). */
async function settingsOf(p: InstanceInputs) {
  return {
    instanceType: p.instanceType ?? null,
    domains: await appliedNames(p),
    csr: p.csr ? canonicalCsrPem(p.csr) : null,
    keyAlgorithm: p.csr ? null : (p.keyAlgorithm ?? "RSA_2048"),
    validationMethod: p.validationMethod ?? "DNS",
    username: p.username ?? null,
    phone: p.phone ?? null,
    email: p.email ?? null,
    companyId: p.companyId ?? null,
    autoReissue: p.autoReissue ?? false,
    tags: p.tags ?? {},
    onDelete: p.onDelete ?? "keep",
    dnsZone: p.dnsZone ?? null,
  };
}
type Settings = Awaited<ReturnType<typeof settingsOf>>;

/** The contact ids: given, or the contact found by email (else by name and phone), else one created. */
async function contactIdsFor(api: CasClient, p: InstanceInputs): Promise<string[]> {
  // Inputs are known at create and update (UNKNOWN appears only in a preview's diff).
  if (p.contactIds) return p.contactIds as string[];
  const keyword = p.email ?? p.phone!;
  const found = await api.call("ListContact", { Keyword: keyword, ShowSize: 50 });
  const same = found.ContactList.find((c) =>
    p.email
      ? c.Email?.toLowerCase() === p.email.toLowerCase()
      : c.Mobile === p.phone && c.Name === p.username,
  );
  if (same?.ContactId) return [same.ContactId];
  const created = await api.call("CreateContact", {
    Name: p.username!,
    Mobile: p.phone!,
    ...(p.email ? { Email: p.email } : {}),
  });
  log(`contact ${created.ContactId} created for ${p.username}`);
  return [created.ContactId];
}

/** The outputs of an application, from one instance answer (records kept from `previous` once gone). */
function toState(
  base: Omit<
    InstanceState,
    | "status"
    | "statusReason"
    | "validationRecords"
    | "files"
    | "certificateId"
    | "certIdentifier"
    | "notAfter"
  >,
  d: InstanceDetail,
  previous?: InstanceState,
): InstanceState {
  const status = statusOf(d);
  const records: InstanceState["validationRecords"] = {};
  const files: InstanceState["files"] = [];
  for (const v of d.DomainValidationList ?? []) {
    const domain = (v.Domain ?? "").toLowerCase();
    if (!domain || !v.ValidationKey) continue;
    if (v.ValidationType === "HTTP") {
      const url = /^https?:\/\//.test(v.ValidationKey)
        ? v.ValidationKey
        : `http://${domain}${v.ValidationKey}`;
      files.push({ domain, path: new URL(url).pathname, content: v.ValidationValue ?? "", url });
      continue;
    }
    const root = v.RootDomain ?? domain;
    const read = readValidationKey(root, v.ValidationKey);
    const zone = base.dnsZone ?? read.base;
    records[domain] = {
      domain,
      names: [domain],
      fqdn: read.fqdn,
      rr: relativeTo(read.fqdn, zone),
      zone,
      type: v.ValidationType ?? "TXT",
      value: v.ValidationValue ?? "",
      recordDomain: v.ValidationKey,
    };
  }
  const keep = Object.keys(records).length === 0 && files.length === 0 && previous;
  return {
    ...base,
    status,
    statusReason: REASONS[status] ?? null,
    validationRecords: keep ? previous.validationRecords : records,
    files: keep ? previous.files : files,
    // Under review (or cancelled), an instance still names the certificate of an earlier application.
    ...(status === "issued" || status === "revoked" || status === "expired"
      ? {
          certificateId: d.CertificateId ?? null,
          certIdentifier: d.CertIdentifier ?? null,
          notAfter: d.CertificateNotAfter ? new Date(d.CertificateNotAfter).toISOString() : null,
        }
      : { certificateId: null, certIdentifier: null, notAfter: null }),
  };
}

/**
 * Reads until the instance's records are stable (or it left `pending`); times out with a message.
 * Returns the last answer and the last one that listed records: CAS may validate (a zone it
 * validates itself, or a record published at once) and issue between two reads, after which the
 * list is gone, but the records stay this resource's outputs.
 */
async function waitForRecords(
  api: CasClient,
  id: string,
): Promise<{ last: InstanceDetail; withRecords?: InstanceDetail }> {
  const until = clock.now() + INSTANCE_WAIT_MS;
  let delay = 500;
  let streak = 0;
  let withRecords: InstanceDetail | undefined;
  for (;;) {
    const d = await api.call("GetInstanceDetail", { InstanceId: id });
    if (d.DomainValidationList?.length) withRecords = d;
    if (d.Status !== "pending") return { last: d, withRecords };
    streak = d.DomainValidationList?.length ? streak + 1 : 0;
    if (streak >= STABLE_RECORD_READS) return { last: d, withRecords };
    if (clock.now() + delay > until)
      throw new CasError(
        "RecordsNotReady",
        `instance ${id}: CAS gave no validation records within ${INSTANCE_WAIT_MS / 60_000} minutes of ApplyCertificate`,
      );
    await clock.sleep(delay);
    delay = Math.min(5000, Math.ceil(delay * 1.5));
  }
}

/**
 * UpdateInstance with the application and ApplyCertificate on `id`, then the read-back: the
 * instance answer when it holds this resource's application, `"taken"` when another resource's
 * claim or names are on it (never cancelled: it is not this resource's).
 */
/** The whole application UpdateInstance sends (at create, and again with an in-place change). */
function applicationParams(id: string, s: Settings, claim: string, contactIds: string[]) {
  return {
    InstanceId: id,
    ...(s.csr
      ? { Csr: s.csr, GenerateCsrMethod: "upload" as const }
      : { GenerateCsrMethod: "online" as const }),
    Domain: s.domains.join(","),
    ...(s.keyAlgorithm ? { KeyAlgorithm: s.keyAlgorithm as "RSA_2048" } : {}),
    ValidationMethod: s.validationMethod,
    ContactIdList: contactIds,
    ...(s.companyId ? { CompanyId: s.companyId } : {}),
    AutoReissue: s.autoReissue ? ("enable" as const) : ("disable" as const),
    Tags: instanceTags(claim, s.tags),
  };
}

async function applyOn(
  api: CasClient,
  id: string,
  s: Settings,
  claim: string,
  contactIds: string[],
  fromPool: boolean,
): Promise<InstanceDetail | "taken"> {
  try {
    await api.call("UpdateInstance", applicationParams(id, s, claim, contactIds));
  } catch (e) {
    // An application went under review on it since the mark was read: another resource's.
    if (isTakenRefusal(e)) return "taken";
    throw e;
  }
  // The mark again, right before applying: a claim that landed since is another resource's, and
  // applying would put an application under review that no resource holds.
  const before = await api.call("GetInstanceDetail", { InstanceId: id });
  if (before.Status === "pending" || claimOf(before) !== claim) return "taken";
  for (let sent = 1; ; sent++) {
    let lost = false;
    try {
      await api.call("ApplyCertificate", { InstanceId: id });
    } catch (e) {
      // A lost answer, or an application already under review: the instance tells whose it is.
      lost = e instanceof CasOutcomeUnknownError;
      if (!lost && !isTakenRefusal(e)) throw e;
    }
    const after = await api.call("GetInstanceDetail", { InstanceId: id });
    if (after.Status === "pending" && holdsApplication(after, claim, s.domains)) return after;
    // Issued already (CAS validated at once, or another resource's ApplyCertificate submitted this
    // one's application in the claim window): on an instance that was inactive when claimed, a
    // certificate under this resource's claim and names is this resource's.
    if (
      fromPool &&
      (after.Status === "normal" || after.Status === "willExpire") &&
      holdsApplication(after, claim, s.domains)
    )
      return after;
    if (after.Status === "pending" || (claimOf(after) !== undefined && claimOf(after) !== claim))
      return "taken";
    // Not under review and still this resource's: the request whose answer was lost was not
    // processed (an instance holds one application, so a second send cannot make two).
    if (lost && sent < APPLY_SENDS && claimOf(after) === claim) {
      log(
        `instance ${id}: ApplyCertificate's answer was lost and the instance is still ${after.Status}; sending it again`,
      );
      continue;
    }
    throw new CasError(
      "ApplyNotTaken",
      `instance ${id}: ApplyCertificate did not leave the application under review (status ${after.Status ?? "unknown"}); check the instance in the CAS console`,
    );
  }
}

/** Clears this resource's claim on an instance (the pool, or another resource, may take it then). */
async function releaseClaim(api: CasClient, id: string): Promise<void> {
  await api.call("UpdateInstance", { InstanceId: id, Tags: [{ TagKey: CLAIM_TAG, TagValue: "" }] });
}

/** Cancels the application under review on `id` and waits until the instance leaves `pending`. */
async function cancelPending(api: CasClient, id: string): Promise<InstanceDetail> {
  try {
    await api.call("CancelPendingCertificate", { InstanceId: id });
  } catch (e) {
    // Terraform tolerates this code: the application already left review.
    if (!(e instanceof CasApiError && e.code === "OperationDenied.StatusNotSupport")) throw e;
  }
  const until = clock.now() + INSTANCE_WAIT_MS;
  let delay = 500;
  for (;;) {
    const d = await api.call("GetInstanceDetail", { InstanceId: id });
    if (d.Status !== "pending") return d;
    if (clock.now() + delay > until)
      throw new CasError(
        "CancelNotSettled",
        `instance ${id}: cancelled, but still pending after ${INSTANCE_WAIT_MS / 60_000} minutes; run pulumi destroy again`,
      );
    await clock.sleep(delay);
    delay = Math.min(5000, Math.ceil(delay * 1.5));
  }
}

/**
 * A create failed after marking instances with its claim: each one still marked with it is released
 * (best effort; an application of this resource's under review is cancelled first, another's is never
 * touched). The error says what was released, and what to do where the release failed too.
 */
async function releaseAfterFailure(
  api: CasClient,
  error: unknown,
  marked: ReadonlySet<string>,
  claim: string,
  domains: readonly string[],
): Promise<unknown> {
  const notes: string[] = [];
  for (const id of marked) {
    try {
      let d = await api.call("GetInstanceDetail", { InstanceId: id });
      if (claimOf(d) !== claim) continue;
      if (d.Status === "pending") {
        if (!holdsApplication(d, claim, domains)) continue;
        d = await cancelPending(api, id);
      }
      await releaseClaim(api, id);
      notes.push(`instance ${id}, marked by this create, was released`);
    } catch (e) {
      notes.push(
        `instance ${id} is still marked by this create (${CLAIM_TAG}=${claim}) and the release failed (${(e as Error).message}): run pulumi up again once CAS answers, and set that tag to an empty value in the CAS console so the instance can be taken again`,
      );
    }
  }
  if (notes.length && error instanceof Error) error.message = `${error.message}. ${notes.join("; ")}`;
  return error;
}

/**
 * Whether the instance's current certificate is for the application's names: an application
 * cancelled on an instance that held an earlier certificate leaves that certificate current.
 */
async function certificateIsApplications(api: CasClient, d: InstanceDetail): Promise<boolean> {
  const pem = await api.call("GetUserCertificateDetail", { CertId: d.CertificateId!, CertFilter: false });
  if (!pem.Cert) return false;
  const sans = (new X509Certificate(pem.Cert).subjectAltName ?? "")
    .split(",")
    .map((n) => n.trim().replace(/^DNS:/, "").toLowerCase());
  return applicationNames(d).every((n) => sans.includes(n));
}

/** The state with the account id filled (state of version 1) after a read that proves the account. */
function withAccount(olds: InstanceState, now: CurrentAccount): InstanceState {
  if (olds.accountId !== null) return olds;
  log(
    `instance ${olds.instanceId}: in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
  );
  return { ...olds, accountId: now.accountId };
}

/** The `InstanceCertificate` provider. */
export const instanceCertificateProvider = {
  async configure(req: { config: { get(key: string): string | undefined }; log?: LogSink }): Promise<void> {
    setConfig((key) => req.config.get(key));
    checkSettings(req.config);
    setLogSink(req.log);
    checkTestPool.reset();
  },

  async check(olds: Props, news: Props) {
    const badSettings = settingsFailure();
    if (badSettings) return { inputs: news, failures: [badSettings] };
    const failures = await checkInstanceInputs(news);
    // A new resource that takes its instance from the pool: the preview's pool view (a warning).
    if (failures.length === 0 && Object.keys(olds).length === 0) {
      const p = parseProps(instanceInputsSchema, inputsOnly(news), "InstanceCertificate inputs");
      if (p.instanceType === "TEST" && p.instanceId == null)
        await checkTestPool(
          `new|${p.domain ?? ""}|${[...(p.domains ?? [])].sort().join(",")}|${p.csr ?? ""}`,
        );
    }
    // The engine prints a named property's value beside the reason: a value holding a private key,
    // or a csr that is not exactly one CSR text, is never named (as CertificateOrder's check).
    const csr = news.csr;
    const showable =
      csr === undefined ||
      csr === null ||
      (typeof csr === "string" && (csr.trim() === "" || isBareCsrPem(csr)));
    return { inputs: news, failures: hideValues(news, failures, showable ? [] : ["csr"]) };
  },

  async diff(id: string, oldState: Props, newInputs: Props) {
    const olds = INSTANCE_STATE.read(oldState, { id });
    const p = parseProps(instanceInputsSchema, inputsOnly(newInputs), "InstanceCertificate inputs");
    const unknown = Object.values(p).some((v) => v === UNKNOWN || (Array.isArray(v) && v.includes(UNKNOWN)));
    const replaces: string[] = [];
    const changed: string[] = [];
    if (unknown) return { changes: true, replaces: [], deleteBeforeReplace: false };
    const s = await settingsOf(p);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (p.instanceId != null && p.instanceId !== olds.instanceId) replaces.push("instanceId");
    if (!same(s.instanceType, olds.instanceType)) replaces.push("instanceType");
    if (!same([...s.domains].sort(), [...olds.domains].sort())) replaces.push("domains");
    if (!same(s.csr, olds.csr)) replaces.push("csr");
    if (!same(s.keyAlgorithm, olds.keyAlgorithm)) replaces.push("keyAlgorithm");
    if (s.validationMethod !== olds.validationMethod) replaces.push("validationMethod");
    if (!same(s.companyId, olds.companyId)) replaces.push("companyId");
    for (const k of ["autoReissue", "tags", "onDelete", "dnsZone", "username", "phone", "email"] as const)
      if (!same(s[k], olds[k])) changed.push(k);
    if (p.contactIds && !same(p.contactIds, olds.contactIds)) changed.push("contactIds");
    for (const r of replaces)
      log(`instance ${olds.instanceId}: ${r} changed: a new application replaces this one`);
    // A replacement from the pool takes another instance before this one is released.
    if (replaces.length > 0 && p.instanceType === "TEST" && p.instanceId == null)
      await checkTestPool(`replaces|${id}`);
    return {
      changes: replaces.length + changed.length > 0,
      replaces,
      // A pinned instance holds one application: the old one goes before the new one is applied.
      deleteBeforeReplace: replaces.length > 0 && olds.pinned,
    };
  },

  async create(checked: Props) {
    const p = parseProps(instanceInputsSchema, inputsOnly(checked), "InstanceCertificate inputs");
    const api = client();
    const s = await settingsOf(p);
    // The account the instance is in: read, updated and destroyed only under its credentials.
    const { accountId } = await currentAccount(api);
    const contactIds = await contactIdsFor(api, p);
    // A fresh claim per attempt: the provider sees no resource identity that tells two stacks of one
    // project apart, so a rerun after a crash between the mark and the state write cannot recognise
    // its earlier claim (docs/instance-certificates.md says what is left then).
    const claim = randomUUID();
    const skip = new Set<string>();
    const marked = new Set<string>();
    let detail: InstanceDetail | undefined;
    let instanceId = p.instanceId ?? "";
    try {
      while (!detail) {
        if (!p.instanceId) instanceId = await claimFromPool(api, claim, skip, marked, log);
        else {
          const d = await api.call("GetInstanceDetail", { InstanceId: instanceId });
          const held = claimOf(d);
          if (held && held !== claim)
            throw new CasError(
              "InstanceHeld",
              `instanceId ${instanceId}: the instance is held by another InstanceCertificate (${CLAIM_TAG}=${held}${d.Domain ? `, applied for ${d.Domain}` : ""}; status ${d.Status ?? "unknown"}); an instance holds one resource's application. Name another instance; to rename the resource, give it the aliases option (a new name creates the new resource before the old one is deleted); to move the instance here, destroy the resource holding it first (its destroy releases the claim), or, if no stack holds it any more, set the tag ${CLAIM_TAG} on the instance to an empty value in the CAS console`,
            );
          if (d.Status === "pending")
            throw new CasError(
              "InstanceBusy",
              `instanceId ${instanceId}: the instance has an application under review that no InstanceCertificate holds; name another instance, or cancel that application first (CAS console)`,
            );
          marked.add(instanceId);
        }
        const applied = await applyOn(api, instanceId, s, claim, contactIds, !p.instanceId);
        if (applied !== "taken") detail = applied;
        else if (p.instanceId)
          throw new CasError(
            "InstanceTaken",
            `instanceId ${instanceId}: another application was submitted on this instance at the same time; it was left alone. Name another instance`,
          );
        else {
          log(`instance ${instanceId}: another resource's application is on it; taking another`);
          skip.add(instanceId);
        }
      }
    } catch (e) {
      throw await releaseAfterFailure(api, e, marked, claim, s.domains);
    }
    const base = {
      schemaVersion: 2 as const,
      instanceId,
      accountId,
      pinned: !!p.instanceId,
      claim,
      contactIds,
      ...s,
    };
    let outs: InstanceState;
    try {
      const { last, withRecords } = await waitForRecords(api, instanceId);
      outs = toState(base, last, withRecords && toState(base, withRecords));
    } catch (e) {
      // The application is this resource's: keep it in state (partial failure); refresh reads it again.
      const message = `instance ${instanceId}: applied for ${s.domains.join(", ")}, but ${(e as Error).message}. It is kept in state; run pulumi refresh, then up`;
      throw Object.assign(new Error(message), {
        id: instanceId,
        properties: { ...toState(base, detail), __provider: checked.__provider },
        reasons: [message],
      });
    }
    const toPublish = publishListOfState(outs);
    log(
      `instance ${instanceId}${p.instanceId ? "" : " (from the TEST pool)"} applied for ${s.domains.join(", ")}: ${outs.status}${toPublish ? `; publish ${toPublish}` : ""}`,
    );
    return { id: instanceId, outs };
  },

  async read(id: string, stored: Props) {
    const read = INSTANCE_STATE.read(stored, { id });
    const api = client();
    const now = await currentAccount(api);
    checkInstanceAccount(read.instanceId, read.accountId, now, "read");
    let d: InstanceDetail;
    try {
      d = await api.call("GetInstanceDetail", { InstanceId: read.instanceId });
    } catch (e) {
      if (isInstanceNotFound(e)) {
        const unproven = instanceAccountUnproven(read.instanceId, read.accountId, now);
        if (unproven) {
          // Never dropped on this answer alone: kept as it was, and said on every refresh.
          log(unproven);
          return { id, props: read };
        }
        log(
          `instance ${read.instanceId}: CAS answers ${e.code} to account ${now.accountId}, the account it was applied in; removing it from state`,
        );
        return { id: "", props: {} };
      }
      throw e;
    }
    // A successful read proves the instance is in this account.
    const olds = withAccount(read, now);
    if (claimOf(d) !== olds.claim) {
      // Another resource's application (or none): its records and certificate are not this one's.
      const reason = `instance ${olds.instanceId} now carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}): its application is no longer this resource's; the outputs are the last ones read while it was. Replace this resource (or remove it from state) to apply again`;
      log(reason);
      return { id, props: { ...olds, statusReason: reason } };
    }
    const {
      status: _s,
      statusReason: _r,
      validationRecords: _v,
      files: _f,
      certificateId: _c,
      certIdentifier: _i,
      notAfter: _n,
      ...base
    } = olds;
    const next = toState(base, d, olds);
    if (next.status === "issued" && next.certificateId !== olds.certificateId && d.CertificateId) {
      if (!(await certificateIsApplications(api, d))) {
        const reason = `the instance's current certificate (${d.CertificateId}) is not for ${olds.domains.join(", ")}: this application was cancelled; replace the resource to apply again`;
        log(`instance ${olds.instanceId}: ${reason}`);
        return {
          id,
          props: {
            ...next,
            status: "cancelled",
            statusReason: reason,
            certificateId: null,
            certIdentifier: null,
            notAfter: null,
          },
        };
      }
    }
    return { id, props: next };
  },

  async update(id: string, oldState: Props, newInputs: Props) {
    let olds = INSTANCE_STATE.read(oldState, { id });
    const p = parseProps(instanceInputsSchema, inputsOnly(newInputs), "InstanceCertificate inputs");
    const now = await currentAccount(client());
    checkInstanceAccount(olds.instanceId, olds.accountId, now, "updated");
    const s = await settingsOf(p);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    // What CAS holds on the instance: sent again with UpdateInstance (the whole application, so
    // nothing changes by omission). dnsZone and onDelete live in state only.
    const sent = (["autoReissue", "tags", "username", "phone", "email"] as const).filter(
      (k) => !same(s[k], olds[k]),
    );
    if (p.contactIds && !same(p.contactIds, olds.contactIds)) sent.push("contactIds" as never);
    let contactIds = olds.contactIds;
    if (sent.length) {
      const api = client();
      const d = await api.call("GetInstanceDetail", { InstanceId: olds.instanceId }).catch((e: unknown) => {
        if (!isInstanceNotFound(e)) throw e;
        throw new CasError(
          "InstanceGone",
          instanceAccountUnproven(olds.instanceId, olds.accountId, now) ??
            `instance ${olds.instanceId}: CAS answers ${e.code} to account ${now.accountId}, the account it was applied in (it was removed outside this stack); run \`pulumi refresh\` to drop it from the stack`,
        );
      });
      olds = withAccount(olds, now);
      if (claimOf(d) !== olds.claim)
        throw new CasError(
          "InstanceNotHeld",
          `${sent.join(", ")}: instance ${olds.instanceId} now carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}), so its application is not this resource's and was left alone; replace this resource to apply again`,
        );
      if (d.Status === "pending")
        throw new CasError(
          "InstanceUnderReview",
          `${sent.join(", ")}: instance ${olds.instanceId} has an application under review, which CAS does not let change (InvalidStatus.UpdateProtection); run pulumi up again once it is issued`,
        );
      if (sent.some((k) => k !== "autoReissue" && k !== "tags")) contactIds = await contactIdsFor(api, p);
      await api.call(
        "UpdateInstance",
        applicationParams(
          olds.instanceId,
          {
            ...s,
            domains: olds.domains,
            csr: olds.csr,
            keyAlgorithm: olds.keyAlgorithm as Settings["keyAlgorithm"],
            validationMethod: olds.validationMethod,
            companyId: olds.companyId,
          },
          olds.claim,
          contactIds,
        ),
      );
    }
    const outs: InstanceState = { ...olds, ...s, contactIds };
    if (s.dnsZone !== olds.dnsZone)
      for (const r of Object.values(outs.validationRecords)) {
        r.zone = s.dnsZone ?? registrableDomain(r.domain);
        r.rr = relativeTo(r.fqdn, r.zone);
      }
    return { outs };
  },

  async delete(id: string, stored: Props): Promise<void> {
    const olds = INSTANCE_STATE.read(stored, { id });
    const api = client();
    const now = await currentAccount(api);
    checkInstanceAccount(
      olds.instanceId,
      olds.accountId,
      now,
      "cancelled, revoked, released or removed from the stack",
    );
    let d: InstanceDetail;
    try {
      d = await api.call("GetInstanceDetail", { InstanceId: olds.instanceId });
    } catch (e) {
      if (isInstanceNotFound(e)) {
        const unproven = instanceAccountUnproven(olds.instanceId, olds.accountId, now);
        if (unproven) throw new CasError("InstanceElsewhere", unproven);
        log(`instance ${olds.instanceId} was already gone from CAS (account ${now.accountId})`);
        return;
      }
      throw e;
    }
    // Only this resource's application is cancelled or revoked, named or from the pool alike.
    if (claimOf(d) !== olds.claim) {
      log(
        `instance ${olds.instanceId} carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}): its application is not this resource's and was left alone`,
      );
      return;
    }
    if (d.Status === "pending") {
      d = await cancelPending(api, olds.instanceId);
      // Released: the pool (or another resource naming the instance) may take it.
      await releaseClaim(api, olds.instanceId);
      if (d.Status === "inactive")
        log(`instance ${olds.instanceId}: pending application cancelled; the instance is inactive again`);
      else log(`instance ${olds.instanceId}: pending application cancelled; the instance is ${d.Status}`);
      return;
    }
    const issued = d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire";
    if (issued && olds.onDelete === "revoke") {
      await api.call("RevokeCertificate", {
        InstanceId: olds.instanceId,
        ...(d.CertificateId ? { CertificateId: d.CertificateId } : {}),
      });
      log(`instance ${olds.instanceId}: certificate ${d.CertificateId} revoked (onDelete: revoke)`);
    } else if (issued)
      log(
        `instance ${olds.instanceId}: certificate ${d.CertificateId} kept in CAS (onDelete: keep); the instance is never refunded or deleted by this resource`,
      );
    try {
      await releaseClaim(api, olds.instanceId);
    } catch (e) {
      log(
        `instance ${olds.instanceId}: its claim (${CLAIM_TAG}=${olds.claim}) could not be released (${(e as Error).message}); another resource naming the instance is refused until that tag is set to an empty value in the CAS console`,
      );
    }
  },
};
