import { isIP } from "node:net";
import { z } from "zod";
import { systemClock } from "../../protocol/clock";
import { CasApiError } from "../cas/errors";
import { precheckDns } from "./dns-precheck";
import { hideValues } from "./key-material";
import { certificateFields, dnsRecordsFor, stripUndefined } from "./outputs";
import { certificateLink } from "./certificate-link";
import { DEFAULT_WAIT, waitForIssuance } from "./waiter";
import { listPages } from "./list-paging";
import { log, setLogSink, type LogSink } from "./log";
import { client, setConfig } from "./settings";
import { UNKNOWN } from "./inputs";
import { phaseOf } from "./lifecycle";

type Props = Record<string, unknown>;

function settings(p: Props) {
  const precheck = p.dnsPrecheck;
  return {
    dnsPrecheck:
      precheck === true || (precheck && typeof precheck === "object")
        ? {
            resolvers: Array.isArray((precheck as { resolvers?: unknown }).resolvers)
              ? (precheck as { resolvers: string[] }).resolvers
              : [],
          }
        : null,
    orderId: String(p.orderId),
    validationRecordFqdns: Array.isArray(p.validationRecordFqdns)
      ? (p.validationRecordFqdns as string[])
      : null,
    timeoutMinutes: typeof p.timeoutMinutes === "number" ? p.timeoutMinutes : DEFAULT_WAIT.timeoutMinutes,
    pollIntervalSeconds:
      typeof p.pollIntervalSeconds === "number" ? p.pollIntervalSeconds : DEFAULT_WAIT.pollIntervalSeconds,
    maxPollIntervalSeconds:
      typeof p.maxPollIntervalSeconds === "number"
        ? p.maxPollIntervalSeconds
        : DEFAULT_WAIT.maxPollIntervalSeconds,
  };
}

/** The certificate and its CAS ids; `previous` (state) keeps the ids while the serial is the same. */
async function certificateOutputs(
  p: Props,
  state: Awaited<ReturnType<typeof waitForIssuance>>,
  previous?: Props,
) {
  const s = settings(p);
  const cert = await certificateFields(state);
  return stripUndefined({
    ...s,
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

const KNOWN = new Set([
  "__provider",
  "orderId",
  "validationRecordFqdns",
  "timeoutMinutes",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "dnsPrecheck",
  // Outputs the SDK declares as undefined inputs.
  "certificatePem",
  "certificateChainPem",
  "privateKeyPem",
  "notBefore",
  "notAfter",
  "serialNumber",
  "fingerprintSha256",
  "fingerprintSha1",
  "certificateId",
  "certIdentifier",
  "sans",
]);

/** An IPv4 or IPv6 address, optionally with a port (`1.1.1.1`, `10.0.0.2:53`, `[::1]:53`, `::1`). */
function isResolver(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
  const [host, port] = m ? [m[1]!, m[2]] : [v, undefined];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  return isIP(host) !== 0;
}

/**
 * A DNS record name: LDH labels that may start with `_` (`_dnsauth.www.example.com`), optional final dot.
 * A label starting with `_` is matched by one branch only (up to 62 free characters, or an LDH label of
 * 63): the old pattern let `_a` match two ways per label, so 24 labels of `_a.` took a second to fail.
 */
const RECORD_NAME_RE =
  /^(?:(?:_(?:[a-z0-9-]{1,62}|[a-z0-9][a-z0-9-]{61}[a-z0-9])|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.)+[a-z]{2,63}\.?$/i;
const recordName = z.union([z.literal(UNKNOWN), z.string().max(253, { abort: true }).regex(RECORD_NAME_RE)]);
const recordNamesSchema = z.union([z.literal(UNKNOWN), z.array(recordName)]).nullish();
/** `dnsPrecheck` as an object: resolvers only (a misspelled key would silently mean "no resolvers"). */
const precheckSchema = z
  .object({
    resolvers: z
      .union([z.literal(UNKNOWN), z.array(z.unknown().refine((r) => r === UNKNOWN || isResolver(r)))])
      .optional(),
  })
  .strict();

/** Every problem with a CertificateOrderValidation's inputs, one failure per property; values still unknown are not judged. */
export function checkValidationInputs(news: Props): Array<{ property: string; reason: string }> {
  const failures: Array<{ property: string; reason: string }> = [];
  for (const k of Object.keys(news))
    if (!KNOWN.has(k))
      failures.push({
        property: k,
        reason: `unknown property ${k} (known: orderId, validationRecordFqdns, timeoutMinutes, pollIntervalSeconds, maxPollIntervalSeconds, dnsPrecheck)`,
      });
  const id = news.orderId;
  if (typeof id !== "string" || (id !== UNKNOWN && !/^\d{1,20}$/.test(id)))
    failures.push({ property: "orderId", reason: "the OrderId of a CertificateOrder (order.orderId)" });
  for (const [k, min, max] of [
    ["timeoutMinutes", 1, 7 * 24 * 60],
    ["pollIntervalSeconds", 1, 3600],
    ["maxPollIntervalSeconds", 1, 3600],
  ] as const) {
    const v = news[k];
    if (v !== undefined && v !== null && v !== UNKNOWN && (typeof v !== "number" || !(v >= min && v <= max)))
      failures.push({ property: k, reason: `a number from ${min} to ${max}` });
  }
  const poll = news.pollIntervalSeconds;
  const maxPoll = news.maxPollIntervalSeconds;
  if (typeof poll === "number" && typeof maxPoll === "number" && maxPoll < poll)
    failures.push({
      property: "maxPollIntervalSeconds",
      reason: `at least pollIntervalSeconds (${poll}); the interval grows from pollIntervalSeconds up to this`,
    });
  const fqdns = recordNamesSchema.safeParse(news.validationRecordFqdns);
  if (!fqdns.success) {
    const value = news.validationRecordFqdns;
    failures.push({
      property: "validationRecordFqdns",
      reason: Array.isArray(value)
        ? `record names such as _dnsauth.example.com; not ${value
            .filter((v) => !recordName.safeParse(v).success)
            .map((v) => JSON.stringify(v))
            .join(", ")}`
        : "a list of record names",
    });
  }
  const pre = news.dnsPrecheck;
  if (pre !== undefined && pre !== null && pre !== UNKNOWN && typeof pre !== "boolean") {
    const parsed = precheckSchema.safeParse(pre);
    if (typeof pre !== "object" || Array.isArray(pre))
      failures.push({
        property: "dnsPrecheck",
        reason: 'true, or { resolvers: ["1.1.1.1", "10.0.0.2:53"] }',
      });
    else if (!parsed.success) {
      const extra = parsed.error.issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys : []));
      const resolvers = (pre as { resolvers?: unknown }).resolvers;
      const bad = Array.isArray(resolvers)
        ? resolvers.filter((r) => r !== UNKNOWN && !isResolver(r))
        : [resolvers];
      failures.push({
        property: "dnsPrecheck",
        reason: extra.length
          ? `unknown ${extra.length > 1 ? "properties" : "property"} ${extra.join(", ")} (dnsPrecheck takes resolvers only)`
          : `resolvers are IP addresses, optionally with a port (1.1.1.1, 10.0.0.2:53, [::1]:53); not ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
      });
    }
  }
  return failures;
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
    setLogSink(req.log);
  },

  async check(_olds: Props, news: Props) {
    // A key pasted into any input is reported without naming it (the engine would print the value).
    return { inputs: news, failures: hideValues(news, checkValidationInputs(news)) };
  },

  async diff(_id: string, olds: Props, news: Props) {
    const replaces = olds.orderId !== news.orderId ? ["orderId"] : [];
    // An issued certificate whose CAS id was not found yet: update looks again.
    const unlinked = typeof olds.certificatePem === "string" && olds.certificateId == null;
    const changes =
      replaces.length > 0 ||
      unlinked ||
      ["timeoutMinutes", "pollIntervalSeconds", "maxPollIntervalSeconds", "validationRecordFqdns"].some(
        (k) => JSON.stringify(asSet(olds[k])) !== JSON.stringify(asSet(news[k])) && news[k] !== undefined,
      );
    // Create before delete: deleting a validation does nothing in CAS, and deleting it first would
    // make the engine delete its consumers (listeners, CDN domains) first too, dropping HTTPS
    // during a renewal or key rotation. Ids (`{orderId}-validation`) never collide.
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: Props) {
    const s = settings(inputs);
    const api = client();
    if (s.dnsPrecheck) await reportDns(s.orderId, s.validationRecordFqdns, s.dnsPrecheck.resolvers);
    const state = await waitForIssuance(
      (id) => api.call("DescribeCertificateState", { OrderId: id }),
      s.orderId,
      s,
      systemClock,
      log,
    );
    return { id: `${s.orderId}-validation`, outs: await certificateOutputs(inputs, state) };
  },

  async read(id: string, props: Props) {
    let state: Awaited<ReturnType<typeof waitForIssuance>>;
    try {
      state = await client().call("DescribeCertificateState", { OrderId: String(props.orderId) });
    } catch (e) {
      // The order was removed outside the stack: drop this resource too, so refresh can finish.
      if (e instanceof CasApiError && e.code === "NotFoundOrder") {
        log(`order ${String(props.orderId)} no longer exists in CAS; removing its validation from state`);
        return { id: "", props: {} };
      }
      throw e;
    }
    if (!phaseOf(state.Type).issued) return { id, props };
    return { id, props: await certificateOutputs(props, state, props) };
  },

  async update(_id: string, olds: Props, news: Props) {
    if (typeof olds.certificatePem === "string" && olds.certificateId == null) {
      const state = await client().call("DescribeCertificateState", { OrderId: String(olds.orderId) });
      if (phaseOf(state.Type).issued) return { outs: await certificateOutputs(news, state, olds) };
    }
    return { outs: { ...olds, ...settings(news) } };
  },

  async delete(): Promise<void> {
    // Waiting leaves nothing behind in CAS.
  },
};
