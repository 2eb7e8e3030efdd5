import { X509Certificate } from "node:crypto";
import type { Clock } from "../../runtime/clock";
import { CasApiError, CasError, CasOutcomeUnknownError } from "../cas/errors";
import type { CasClient } from "../cas/client";
import type { InstanceDetail } from "../cas/instance-schemas";
import type { Log } from "../order/log";
import {
  applicationNames,
  CLAIM_TAG,
  claimOf,
  holdsApplication,
  instanceTags,
  isTakenRefusal,
} from "./claim";
import type { InstanceInputs } from "./inputs";
import type { ApplicationSettings } from "./instance-status";

// The steps of an InstanceCertificate's application on an instance: contacts, UpdateInstance +
// ApplyCertificate with the read-back that proves whose it is, waiting for the records, cancelling
// and releasing. Each takes the client, clock and log it uses.

/** What the application steps use: the client, the clock their waits run on, the log. */
export interface InstanceIo {
  api: CasClient;
  clock: Clock;
  log: Log;
}

/** Reads in a row with a non-empty DomainValidationList before the records are taken as final (Terraform waits for 4). */
const STABLE_RECORD_READS = 2;
/** ApplyCertificate sends at most: a second only after a lost answer and a read showing the first was not processed. */
const APPLY_SENDS = 2;
/** How long create waits for the records, and delete for a cancel to settle. */
const INSTANCE_WAIT_MS = 5 * 60_000;

/** The contact ids: given, or the contact found by email (else by name and phone), else one created. */
export async function contactIdsFor(api: CasClient, log: Log, p: InstanceInputs): Promise<string[]> {
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

/**
 * Reads until the instance's records are stable (or it left `pending`); times out with a message.
 * Returns the last answer and the last one that listed records: CAS may validate (a zone it
 * validates itself, or a record published at once) and issue between two reads, after which the
 * list is gone, but the records stay this resource's outputs.
 */
export async function waitForRecords(
  { api, clock }: Pick<InstanceIo, "api" | "clock">,
  id: string,
): Promise<{ last: InstanceDetail; withRecords?: InstanceDetail | undefined }> {
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
export function applicationParams(id: string, s: ApplicationSettings, claim: string, contactIds: string[]) {
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

export async function applyOn(
  { api, log }: Pick<InstanceIo, "api" | "log">,
  id: string,
  s: ApplicationSettings,
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
export async function releaseClaim(api: CasClient, id: string): Promise<void> {
  await api.call("UpdateInstance", { InstanceId: id, Tags: [{ TagKey: CLAIM_TAG, TagValue: "" }] });
}

/** Cancels the application under review on `id` and waits until the instance leaves `pending`. */
export async function cancelPending(
  { api, clock }: Pick<InstanceIo, "api" | "clock">,
  id: string,
): Promise<InstanceDetail> {
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
export async function releaseAfterFailure(
  io: InstanceIo,
  error: unknown,
  marked: ReadonlySet<string>,
  claim: string,
  domains: readonly string[],
): Promise<unknown> {
  const notes: string[] = [];
  for (const id of marked) {
    try {
      let d = await io.api.call("GetInstanceDetail", { InstanceId: id });
      if (claimOf(d) !== claim) continue;
      if (d.Status === "pending") {
        if (!holdsApplication(d, claim, domains)) continue;
        d = await cancelPending(io, id);
      }
      await releaseClaim(io.api, id);
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
export async function certificateIsApplications(api: CasClient, d: InstanceDetail): Promise<boolean> {
  const pem = await api.call("GetUserCertificateDetail", { CertId: d.CertificateId!, CertFilter: false });
  if (!pem.Cert) return false;
  const sans = (new X509Certificate(pem.Cert).subjectAltName ?? "")
    .split(",")
    .map((n) => n.trim().replace(/^DNS:/, "").toLowerCase());
  return applicationNames(d).every((n) => sans.includes(n));
}
