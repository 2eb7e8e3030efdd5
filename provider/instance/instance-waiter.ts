// Waiting for the certificate applied on an instance (CertificateOrderValidation with instanceId):
// polls GetInstanceDetail until the current certificate is issued (Terraform's validation resource
// polls `CertificateStatus` until `issued`; revoked and expired fail), then reads the PEM and the
// CAS-made key with GetUserCertificateDetail (`CertId` = the instance's `CertificateId`).
import type { Clock } from "../../runtime/clock";
import type { CasClient } from "../cas/client";
import { CasError, type CasApiError } from "../cas/errors";
import { currentAccount } from "../order/account";
import { isInstanceNotFound } from "./instance-account";
import type { InstanceDetail } from "../cas/instance-schemas";
import { certificateFields, stripUndefined } from "../order/outputs";
import { VALIDATION_STATE_VERSION, type ValidationSettings } from "../order/validation-inputs";
import type { WaitOptions } from "../order/waiter";
import { applicationNames } from "./claim";
import { statusOf } from "./instance-status";
import { publishListOfDetail } from "./instance-publish";

/**
 * Polls until the instance's certificate is issued, printing one line per change; while the
 * application awaits validation, that line and the timeout error name each record or file still to
 * publish, as the order waiter does. Stops on a failed, cancelled, revoked or expired application.
 */
export async function waitForInstanceIssuance(
  api: CasClient,
  instanceId: string,
  opts: WaitOptions,
  clock: Clock,
  log: (line: string) => void,
): Promise<InstanceDetail> {
  const started = clock.now();
  const deadline = started + opts.timeoutMinutes * 60_000;
  let interval = opts.pollIntervalSeconds * 1000;
  let last: string | undefined;
  for (;;) {
    let d: InstanceDetail;
    try {
      d = await api.call("GetInstanceDetail", { InstanceId: instanceId });
    } catch (e) {
      // Only CAS's own answer counts: a bare HTTP 404 (a wrong endpoint, a gateway) says nothing of the instance.
      if (isInstanceNotFound(e))
        throw new CasError("InstanceGone", await notFoundMessage(api, instanceId, e));
      throw e;
    }
    const status = statusOf(d);
    const pending = status === "pending_validation" ? publishListOfDetail(d) : null;
    // A new line when the status changes, or when CAS lists other records than before.
    const line = pending ? `waiting for domain validation; publish ${pending}` : status;
    if (line !== last) {
      const waited = Math.round((clock.now() - started) / 1000);
      log(`instance ${instanceId}: ${line}${waited ? ` (after ${waited}s)` : ""}`);
      last = line;
    }
    if (status === "issued" && d.CertificateId) return d;
    if (status !== "pending_validation")
      throw new CasError(
        "InstanceNotIssuing",
        `instance ${instanceId}: the application is ${status}${d.PendingResult ? ` (${d.PendingResult})` : ""}; replace the InstanceCertificate to apply again`,
      );
    const left = deadline - clock.now();
    if (left <= 0)
      throw new CasError(
        "WaitTimedOut",
        `instance ${instanceId} is still pending after ${opts.timeoutMinutes} minute(s)${pending ? `; still to publish: ${pending}` : ""}. Nothing was lost: run pulumi up again to keep waiting, or raise timeoutMinutes.`,
      );
    await clock.sleep(Math.min(interval, left));
    interval = Math.min(Math.round(interval * 1.5), opts.maxPollIntervalSeconds * 1000);
  }
}

/**
 * What CAS's not-found answer for `instanceId` means, naming the account asked (when STS answers):
 * the instance does not exist in that account, which may not be the one it is in.
 */
export async function notFoundMessage(api: CasClient, instanceId: string, e: CasApiError): Promise<string> {
  const asked = await currentAccount(api).then(
    (now) => `account ${now.accountId} (${now.source})`,
    () => "the account of these credentials",
  );
  return (
    `instance ${instanceId}: CAS answers ${e.code} to ${asked}: it does not exist there. If it is in another account, ` +
    "use that account's credentials (alicloud:accessKey / alicloud:secretKey, alicloud:profile, or their environment variables); otherwise check instanceId"
  );
}

/** The validation's outputs for an instance whose certificate is issued: PEMs, key (secret), ids. */
export async function instanceCertificateOutputs(api: CasClient, s: ValidationSettings, d: InstanceDetail) {
  const pem = await api.call("GetUserCertificateDetail", { CertId: d.CertificateId!, CertFilter: false });
  const cert = await certificateFields({
    RequestId: pem.RequestId,
    Type: "certificate",
    ValidateType: undefined,
    RecordDomain: undefined,
    RecordType: undefined,
    RecordValue: undefined,
    Domain: undefined,
    Uri: undefined,
    Content: undefined,
    Certificate: pem.Cert,
    PrivateKey: undefined,
    CertId: undefined,
  });
  // An application cancelled on an instance that held an earlier certificate leaves that one current:
  // it is accepted only when it is for the names the instance's application is for.
  const names = applicationNames(d);
  const sans = (cert.sans ?? []).map((n) => n.toLowerCase());
  if (!names.every((n) => sans.includes(n)))
    throw new CasError(
      "InstanceNotIssuing",
      `instance ${d.InstanceId ?? ""}: its current certificate (${d.CertificateId}) is for ${sans.join(", ") || "other names"}, not for the application's ${names.join(", ") || "names"}: the application was cancelled or replaced; replace the InstanceCertificate to apply again`,
    );
  return stripUndefined({
    schemaVersion: VALIDATION_STATE_VERSION,
    ...s,
    orderId: null,
    status: "issued",
    ...cert,
    certificateId: d.CertificateId!,
    certIdentifier: d.CertIdentifier ?? pem.CertIdentifier ?? null,
    privateKeyPem: pem.Key ?? null,
  });
}
