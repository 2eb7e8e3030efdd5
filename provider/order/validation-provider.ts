import { systemClock } from "../../protocol/clock";
import { CasApiError } from "../cas/errors";
import { precheckDns } from "./dns-precheck";
import { hideValues } from "./key-material";
import { certificateFields, dnsRecordsFor, stripUndefined } from "./outputs";
import { certificateLink } from "./certificate-link";
import { waitForIssuance } from "./waiter";
import { publishListFromState } from "./publish";
import { listPages } from "./list-paging";
import { log, setLogSink, type LogSink } from "./log";
import { checkSettings, client, setConfig, settingsFailure } from "./settings";
import { parseProps } from "./parse-state";
import {
  checkValidationInputs,
  validationInputsSchema,
  VALIDATION_STATE,
  VALIDATION_STATE_VERSION,
  validationSettings,
  validationStateSchema,
  type ValidationState,
} from "./validation-inputs";
import { EXPIRED, ISSUED, isExpired, phaseOf } from "./lifecycle";
import {
  instanceCertificateOutputs,
  notFoundMessage,
  waitForInstanceIssuance,
} from "../instance/instance-waiter";
import { isInstanceNotFound } from "../instance/instance-account";
import { statusOf } from "../instance/instance-provider";
import { currentAccount, type CurrentAccount } from "./account";
import {
  checkValidationAccount,
  validationAccountUnproven,
  type ValidationTarget,
} from "./validation-account";

type Props = Record<string, unknown>;

/** The certificate and its CAS ids; `previous` (state) keeps the ids while the serial is the same. */
async function certificateOutputs(
  p: ValidationState,
  state: Awaited<ReturnType<typeof waitForIssuance>>,
  accountId: string,
  previous?: ValidationState,
) {
  const s = validationSettings(p);
  const cert = await certificateFields(state);
  return stripUndefined({
    schemaVersion: VALIDATION_STATE_VERSION,
    ...s,
    accountId,
    // CAS keeps an expired order's state as issued: the validity says it.
    status: cert.notAfter && isExpired(ISSUED, Date.parse(cert.notAfter), Date.now()) ? EXPIRED : ISSUED,
    ...cert,
    ...(await certificateLink(client, s.orderId, cert.sans ?? [], cert.serialNumber, previous, log)),
    privateKeyPem: state.PrivateKey ?? null,
  });
}

/**
 * The names of an order, from the CPACK list. `Keyword` matches the bound domain or the resource
 * id (SDK remark), never the OrderId, so the list is paged without it and matched on `OrderId`
 * (returned for CPACK items). `undefined` when the order is not among the first pages.
 */
async function orderDomains(orderId: string): Promise<string[] | undefined> {
  for await (const items of listPages(client(), { OrderType: "CPACK" })) {
    const hit = items.find((o) => o.OrderId === orderId);
    if (hit) return (hit.Domain ?? "").split(",").filter(Boolean);
  }
  return undefined;
}

/** Runs the optional DNS pre-check and logs one line per record and resolver. */
async function reportDns(orderId: string, fqdns: string[] | null, resolvers: string[]): Promise<void> {
  const api = client();
  const state = await api.call("DescribeCertificateState", { OrderId: orderId });
  if (!phaseOf(state.Type).awaitsValidation) return;
  if (state.ValidateType === "FILE") {
    if (state.Uri)
      log(
        `order ${orderId}: FILE validation: serve the given content at http://${state.Domain ?? "<the ordered name>"}${state.Uri}; the DNS pre-check does not apply`,
      );
    return;
  }
  if (!state.RecordDomain) return;
  let names = fqdns;
  if (!names?.length) {
    const domains = await orderDomains(orderId);
    if (!domains?.length) {
      log(
        `order ${orderId}: DNS pre-check skipped: the order's names were not found in ListUserCertificateOrder; pass validationRecordFqdns`,
      );
      return;
    }
    names = dnsRecordsFor(
      domains,
      state.RecordDomain,
      state.RecordType ?? "TXT",
      state.RecordValue ?? "",
    ).map((r) => r.fqdn);
  }
  const results = await precheckDns(
    names.map((fqdn) => ({ fqdn, type: state.RecordType ?? "TXT", value: state.RecordValue ?? "" })),
    resolvers,
  );
  for (const r of results) log(`order ${orderId}: DNS pre-check ${r.fqdn} at ${r.resolver}: ${r.detail}`);
  if (results.some((r) => !r.visible))
    log(`order ${orderId}: some validation records are not visible yet; CAS validates only once they are`);
}

/**
 * Refresh of a validation that waits for an instance's certificate: the instance's current one
 * (with `autoReissue`, CAS may have issued a new one: its ids and PEM replace the old ones).
 */
async function readInstance(id: string, props: Stored, now: CurrentAccount) {
  const api = client();
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
        log(unproven);
        return { id, props };
      }
      log(
        `${await notFoundMessage(api, instanceId, e)}. Its validation is removed from state (the next pulumi up waits again for the instance the stack holds then); whether the instance is gone or in another account, the InstanceCertificate's refresh says`,
      );
      return { id: "", props: {} };
    }
    throw e;
  }
  // A successful read proves the instance is in this account.
  const filled = withAccount(props, now);
  const current = d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire";
  if (!current || !d.CertificateId || d.CertificateId === filled.certificateId)
    return { id, props: { ...filled, status: statusOf(d) } };
  return {
    id,
    props: {
      ...(await instanceCertificateOutputs(api, validationSettings(props), d)),
      accountId: filled.accountId,
    },
  };
}

type Stored = ReturnType<typeof VALIDATION_STATE.read>;

/** What a validation waits for: its order, or its instance. */
const targetOf = (p: { orderId?: string | null; instanceId?: string | null }): ValidationTarget =>
  p.instanceId ? { kind: "instance", id: p.instanceId } : { kind: "order", id: p.orderId ?? "" };

/**
 * The account the credentials in use belong to, after refusing them when the state records another
 * one (nothing is asked of CAS then).
 */
async function checkedAccount(props: Stored, doing: string): Promise<CurrentAccount> {
  const now = await currentAccount(client());
  checkValidationAccount(targetOf(props), props.accountId, now, doing);
  return now;
}

/** The state with the account id filled (state of an earlier release) after a read that proves the account. */
function withAccount(props: Stored, now: CurrentAccount): Stored {
  if (props.accountId !== null) return props;
  log(
    `${targetOf(props).kind} ${targetOf(props).id}: its CertificateOrderValidation waited in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
  );
  return { ...props, accountId: now.accountId };
}

/** The `CertificateOrderValidation` provider: waits until an order is issued; delete is a no-op. */
/** A list compared as a set (the record names' order means nothing: reordered `domains` reorder them); other values as they are. */
function asSet(v: unknown): unknown {
  return Array.isArray(v) ? [...new Set(v.map(String))].sort() : (v ?? null);
}

export const certificateOrderValidationProvider = {
  /** `log`: where log lines go when run in the caller's process (see the order provider's `configure`). */
  async configure(req: { config: { get(key: string): string | undefined }; log?: LogSink }): Promise<void> {
    setConfig((key) => req.config.get(key));
    checkSettings(req.config);
    setLogSink(req.log);
  },

  async check(_olds: Props, news: Props) {
    const badSettings = settingsFailure();
    if (badSettings) return { inputs: news, failures: [badSettings] };
    // A key pasted into any input is reported without naming it (the engine would print the value).
    return { inputs: news, failures: hideValues(news, checkValidationInputs(news)) };
  },

  async diff(id: string, oldState: Props, newInputs: Props) {
    const olds = VALIDATION_STATE.read(oldState, { id });
    // Checked inputs; during a preview some may still be unknown.
    const news: Record<string, unknown> = parseProps(
      validationInputsSchema,
      newInputs,
      "CertificateOrderValidation inputs",
    );
    const replaces = [
      ...((olds.orderId ?? null) !== (news.orderId ?? null) ? ["orderId"] : []),
      ...((olds.instanceId ?? null) !== (news.instanceId ?? null) ? ["instanceId"] : []),
    ];
    // An issued certificate whose CAS id was not found yet: update looks again.
    const unlinked = typeof olds.certificatePem === "string" && olds.certificateId == null;
    const changes =
      replaces.length > 0 ||
      unlinked ||
      (
        ["timeoutMinutes", "pollIntervalSeconds", "maxPollIntervalSeconds", "validationRecordFqdns"] as const
      ).some(
        (k) => JSON.stringify(asSet(olds[k])) !== JSON.stringify(asSet(news[k])) && news[k] !== undefined,
      );
    // Create before delete: deleting a validation does nothing in CAS, and deleting it first would
    // make the engine delete its consumers (listeners, CDN domains) first too, dropping HTTPS
    // during a renewal or key rotation. Ids (`{orderId}-validation`) never collide.
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(checked: Props) {
    const inputs = parseProps(validationStateSchema, checked, "CertificateOrderValidation inputs");
    const s = validationSettings(inputs);
    const api = client();
    // The account it waits in: read, updated and destroyed only under its credentials.
    const { accountId } = await currentAccount(api);
    if (s.instanceId) {
      const d = await waitForInstanceIssuance(api, s.instanceId, s, systemClock, log);
      return {
        id: `${s.instanceId}-validation`,
        outs: { ...(await instanceCertificateOutputs(api, s, d)), accountId },
      };
    }
    if (s.dnsPrecheck) await reportDns(s.orderId, s.validationRecordFqdns, s.dnsPrecheck.resolvers);
    const state = await waitForIssuance(
      // For the account recorded: credentials switched meanwhile are refused, never waited on.
      (id) => api.call("DescribeCertificateState", { OrderId: id }, { account: accountId }),
      s.orderId,
      s,
      systemClock,
      log,
      (answer) => publishListFromState(answer, s.validationRecordFqdns),
    );
    return { id: `${s.orderId}-validation`, outs: await certificateOutputs(inputs, state, accountId) };
  },

  async read(id: string, stored: Props) {
    const props = VALIDATION_STATE.read(stored, { id });
    const now = await checkedAccount(props, "read");
    if (props.instanceId) return readInstance(id, props, now);
    let state: Awaited<ReturnType<typeof waitForIssuance>>;
    try {
      state = await client().call(
        "DescribeCertificateState",
        { OrderId: props.orderId! },
        { account: now.accountId },
      );
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder") {
        const unproven = validationAccountUnproven(targetOf(props), props.accountId, now);
        if (unproven) {
          // Never dropped on this answer alone: kept as it was, and said on every refresh.
          log(unproven);
          return { id, props };
        }
        // The order was removed outside the stack: drop this resource too, so refresh can finish.
        log(
          `order ${props.orderId}: CAS answers NotFoundOrder to account ${now.accountId}, the account its validation waited in, so its validation is removed from state (the next pulumi up waits again for the order the stack holds then); whether the order is gone or was placed through another endpoint, the CertificateOrder's refresh says`,
        );
        return { id: "", props: {} };
      }
      throw e;
    }
    // A successful read proves the order is in this account.
    const filled = withAccount(props, now);
    if (!phaseOf(state.Type).issued) return { id, props: { ...filled, status: phaseOf(state.Type).status } };
    return { id, props: await certificateOutputs(filled, state, now.accountId, filled) };
  },

  async update(id: string, oldState: Props, newInputs: Props) {
    const olds = VALIDATION_STATE.read(oldState, { id });
    const news = parseProps(validationStateSchema, newInputs, "CertificateOrderValidation inputs");
    const now = await checkedAccount(olds, "updated");
    if (olds.instanceId) return { outs: { ...olds, ...validationSettings(news), orderId: null } };
    if (typeof olds.certificatePem === "string" && olds.certificateId == null) {
      const state = await client().call(
        "DescribeCertificateState",
        { OrderId: olds.orderId! },
        { account: now.accountId },
      );
      // A successful read proves the order is in this account.
      if (phaseOf(state.Type).issued)
        return { outs: await certificateOutputs(news, state, now.accountId, olds) };
    }
    return { outs: { ...olds, ...validationSettings(news) } };
  },

  async delete(id: string, stored: Props): Promise<void> {
    // Waiting leaves nothing behind in CAS; the state is still read, so state this release cannot
    // read fails here as in every other method instead of being dropped unread.
    const props = VALIDATION_STATE.read(stored, { id });
    // Under another account's credentials the validation stays, as its order does (which fails too).
    if (props.accountId !== null) await checkedAccount(props, "removed from the stack");
  },
};
