import { certificateFields, stripUndefined } from "./outputs";
import { certificateLink } from "./certificate-link";
import type { ProviderContext } from "./context";
import type { waitForIssuance } from "./waiter";
import {
  VALIDATION_STATE,
  VALIDATION_STATE_VERSION,
  validationSettings,
  type ValidationState,
} from "./validation-inputs";
import { issuedStatus } from "./renewal";
import { instanceCertificateOutputs, notFoundMessage } from "../instance/instance-waiter";
import { isInstanceNotFound } from "../instance/instance-account";
import { statusOf } from "../instance/instance-status";
import type { CurrentAccount } from "./account";
import { targetOf, validationAccountUnproven, withAccount } from "./validation-account";

// The certificate a CertificateOrderValidation reports: an order's, or an instance's.

/** The certificate and its CAS ids; `previous` (state) keeps the ids while the serial is the same. */
export async function certificateOutputs(
  ctx: ProviderContext,
  p: ValidationState,
  state: Awaited<ReturnType<typeof waitForIssuance>>,
  accountId: string,
  previous?: ValidationState,
) {
  const s = validationSettings(p);
  const cert = await certificateFields(state, ctx.certIds);
  return stripUndefined({
    schemaVersion: VALIDATION_STATE_VERSION,
    ...s,
    accountId,
    // CAS keeps an expired order's state as issued: the validity says it.
    status: issuedStatus(cert.notAfter, ctx.clock.now()),
    ...cert,
    ...(await certificateLink(
      () => ctx.client(),
      s.orderId,
      cert.sans ?? [],
      cert.serialNumber,
      previous,
      ctx.log,
      ctx.certIds,
    )),
    privateKeyPem: state.PrivateKey ?? null,
  });
}

/**
 * Refresh of a validation that waits for an instance's certificate: the instance's current one
 * (with `autoReissue`, CAS may have issued a new one: its ids and PEM replace the old ones).
 */
export async function readInstance(
  ctx: ProviderContext,
  id: string,
  props: ReturnType<typeof VALIDATION_STATE.read>,
  now: CurrentAccount,
) {
  const api = ctx.client();
  const instanceId = props.instanceId!;
  let d;
  try {
    d = await api.call("GetInstanceDetail", { InstanceId: instanceId }, { account: now.accountId });
  } catch (e) {
    // Only CAS's own answer counts: a bare HTTP 404 (a wrong endpoint, a gateway) fails the refresh.
    if (isInstanceNotFound(e)) {
      const unproven = validationAccountUnproven(targetOf(props), props.accountId, now);
      if (unproven) {
        // Never dropped on this answer alone: kept as it was, and said on every refresh.
        ctx.log(unproven);
        return { id, props };
      }
      ctx.log(
        `${await notFoundMessage(api, instanceId, e)}. Its validation is removed from state (the next pulumi up waits again for the instance the stack holds then); whether the instance is gone or in another account, the InstanceCertificate's refresh says`,
      );
      return { id: "", props: {} };
    }
    throw e;
  }
  // A successful read proves the instance is in this account.
  const filled = withAccount(ctx, props, now);
  const current = d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire";
  if (!current || !d.CertificateId || d.CertificateId === filled.certificateId)
    return { id, props: { ...filled, status: statusOf(d) } };
  const outs = await instanceCertificateOutputs(api, validationSettings(props), d);
  return { id, props: { ...outs, accountId: filled.accountId } };
}
