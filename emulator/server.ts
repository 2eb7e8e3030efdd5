import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringifyWithLongs } from "../protocol/lossless-json";
import { authenticate, NonceCache, type AuthenticatedRequest } from "./auth";
import { EmulatorCa } from "./ca";
import { ApiFault, MESSAGES, type FaultRule } from "./faults";
import { DEFAULT_LIFECYCLE, parseLifecyclePatch, type LifecycleInput } from "./lifecycle";
import { CasModel } from "./model";
import { API_VERSION, PRODUCTS } from "./products";
import { SeededRandom } from "./rng";
import { Throttle } from "./throttle";
import { StateStore, type EmulatorState, type Order } from "./state";

/** Options of {@link startEmulator}; every one has a ready-to-use default. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Keep state in `<dataDir>/state.json` across restarts; in memory when absent. */
  dataDir?: string;
  /** Seed for request ids, record values and fault decisions (default 1). */
  seed?: number;
  /** The default account's keys (generated when absent, unless state was loaded). */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** STS tokens accepted with the default key. */
  securityTokens?: string[];
  /** Orders per plan for every documented product code (default 100). */
  planSize?: number;
  /**
   * Requests per second per access key and action. A number applies to every action; the
   * default applies the documented figures (10/s ListUserCertificateOrder, …) and no limit elsewhere.
   */
  qps?: number | Partial<Record<string, number>>;
  /** HTTP status of throttling answers: 400 (default) or 429 (both seen in the wild; UNCONFIRMED). */
  throttleStatus?: 400 | 429;
  faults?: FaultRule[];
  /** Life-cycle timing and the record-naming guesses (`recordDomainStyle`, `zones`, `recordType`). */
  lifecycle?: LifecycleInput;
  /** Start OrderIds above 2^53 (tests lossless id handling). */
  largeOrderIds?: boolean;
  /** Emit OrderIds as JSON strings instead of numbers (one doc example does). */
  orderIdsAsStrings?: boolean;
  /** Milliseconds since the epoch; injectable for clock-skew tests. */
  now?: () => number;
}

/** One line of the request log (never parameters or secrets). */
export interface RequestLogEntry {
  time: number;
  action: string;
  accessKeyId: string | null;
  /** `OK`, an error code, or the fault applied (`reset`, `ambiguous`). */
  outcome: string;
  orderId?: string;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  control: EmulatorControl;
  close(): Promise<void>;
}

const DOCUMENTED_QPS: Record<string, number> = {
  CancelCertificateForPackageRequest: 10,
  CancelOrderRequest: 100,
  ListUserCertificateOrder: 10,
  GetUserCertificateDetail: 100,
};
const LONG_KEYS = new Set(["OrderId", "CertificateId", "Id"]);
const CONTROL_PREFIX = "/_emulator/";

/** The emulator's control handle: the same operations as the HTTP control API under `/_emulator/`. */
export class EmulatorControl {
  /** @internal */
  constructor(
    private readonly model: CasModel,
    private readonly emulator: EmulatorCore,
  ) {}
  /** Every order, after applying due transitions. */
  async orders(): Promise<Order[]> {
    for (const o of Object.values(this.model.state.orders)) await this.model.advance(o);
    return Object.values(this.model.state.orders).map((o) => ({ ...o }));
  }
  approve(orderId: string) {
    return this.model.control(orderId, "approve");
  }
  fail(orderId: string, reason?: string) {
    return this.model.control(orderId, "fail", reason);
  }
  issue(orderId: string) {
    return this.model.control(orderId, "issue");
  }
  expire(orderId: string) {
    return this.model.control(orderId, "expire");
  }
  /** Sets a plan's size (creates the plan). */
  setQuota(productCode: string, total: number, accessKeyId = this.emulator.defaultKey): void {
    const plans = (this.model.state.plans[accessKeyId] ??= {});
    const plan = (plans[productCode] ??= { total: 0, used: 0, issued: 0 });
    plan.total = total;
    this.emulator.save();
  }
  plan(productCode: string, accessKeyId = this.emulator.defaultKey) {
    return { ...(this.model.state.plans[accessKeyId]?.[productCode] ?? { total: 0, used: 0, issued: 0 }) };
  }
  /** What a DNS record resource would publish; in `dns` validation mode, orders wait for these. */
  publishDnsRecord(record: { name: string; type: string; value: string }): void {
    this.model.state.dnsRecords.push(record);
    this.emulator.save();
  }
  /** The records an order expects (name, type, value). */
  expectedRecords(orderId: string) {
    const o = this.model.state.orders[orderId];
    if (!o) throw new ApiFault("NotFoundOrder", 404, "The order does not exist.");
    return this.model.expectedRecords(o);
  }
  setFaults(rules: FaultRule[]): void {
    this.emulator.faults = rules.map((r) => ({ ...r }));
  }
  /** Changes life-cycle settings; throws naming the field when the patch is not valid. */
  setLifecycle(patch: LifecycleInput): void {
    Object.assign(this.model.lifecycle, parseLifecyclePatch(patch));
  }
  setQps(qps: EmulatorOptions["qps"]): void {
    this.emulator.setQps(qps);
  }
  /** The emulator CA's root certificate (PEM). */
  caCertificate(): string {
    return this.emulator.ca.material.certificatePem;
  }
  requests(): RequestLogEntry[] {
    return [...this.emulator.log];
  }
  clearRequests(): void {
    this.emulator.log.length = 0;
  }
  /** Drops every order, record and fault and refills the plans. */
  reset(): void {
    this.emulator.reset();
  }
}

class EmulatorCore {
  faults: FaultRule[];
  readonly log: RequestLogEntry[] = [];
  private buckets = new Map<string, Throttle>();
  private qps: EmulatorOptions["qps"];
  readonly nonces: NonceCache;
  readonly rng: SeededRandom;
  readonly model: CasModel;
  readonly control: EmulatorControl;

  constructor(
    readonly opts: EmulatorOptions,
    readonly state: EmulatorState,
    readonly ca: EmulatorCa,
    private readonly store: StateStore,
    readonly now: () => number,
  ) {
    this.faults = [...(opts.faults ?? [])];
    this.qps = opts.qps;
    this.rng = new SeededRandom(opts.seed ?? 1);
    this.nonces = new NonceCache(now);
    this.model = new CasModel(
      state,
      ca,
      { ...DEFAULT_LIFECYCLE, ...parseLifecyclePatch(opts.lifecycle) },
      this.rng,
      now,
      () => this.save(),
    );
    this.control = new EmulatorControl(this.model, this);
  }

  get defaultKey(): string {
    return this.state.accounts[0]!.accessKeyId;
  }

  save(): void {
    this.store.save(this.state);
  }

  setQps(qps: EmulatorOptions["qps"]): void {
    this.qps = qps;
    this.buckets.clear();
  }

  reset(): void {
    this.state.orders = {};
    this.state.dnsRecords = [];
    this.state.plans = {};
    for (const a of this.state.accounts)
      this.state.plans[a.accessKeyId] = fullPlans(this.opts.planSize ?? 100);
    this.faults = [];
    this.log.length = 0;
    this.save();
  }

  private limitFor(action: string): number | undefined {
    if (typeof this.qps === "number") return this.qps;
    return this.qps?.[action] ?? DOCUMENTED_QPS[action];
  }

  /** `true` if this request is over the per-key, per-action limit. */
  throttled(accessKeyId: string, action: string): boolean {
    const limit = this.limitFor(action);
    if (!limit) return false;
    const key = `${accessKeyId}|${action}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Throttle(limit, Math.max(1, Math.floor(limit)), this.now);
      this.buckets.set(key, bucket);
    }
    return !bucket.take();
  }

  /** The fault that applies to this request, if any (decided by the seeded generator). */
  pickFault(action: string): FaultRule | undefined {
    for (const rule of this.faults) {
      if (rule.action !== "*" && rule.action !== action) continue;
      if (rule.limit !== undefined && rule.limit <= 0) continue;
      if (this.rng.next() < rule.rate) {
        if (rule.limit !== undefined) rule.limit -= 1;
        return rule;
      }
    }
    return undefined;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
  }
}

function fullPlans(size: number): Record<string, { total: number; used: number; issued: number }> {
  return Object.fromEntries(Object.keys(PRODUCTS).map((code) => [code, { total: size, used: 0, issued: 0 }]));
}

/** Starts a CAS emulator; with no options: one account holding a plan of 100 orders for every product code, on a free port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? (() => Date.now());
  const store = new StateStore(options.dataDir);
  const loaded = store.load();
  const state: EmulatorState = loaded ?? {
    version: 1,
    nextOrderId: options.largeOrderIds ? "98987582437920968" : "12000001",
    nextCertId: 7000001,
    accounts: [],
    plans: {},
    orders: {},
    dnsRecords: [],
    ca: null,
  };
  const accessKeyId =
    options.accessKeyId ?? state.accounts[0]?.accessKeyId ?? `LTAI${randomBytes(10).toString("hex")}`;
  const known = state.accounts.find((a) => a.accessKeyId === accessKeyId);
  const accessKeySecret =
    options.accessKeySecret ?? known?.accessKeySecret ?? randomBytes(15).toString("base64url");
  if (known) {
    known.accessKeySecret = accessKeySecret;
    known.securityTokens = options.securityTokens ?? known.securityTokens;
  } else {
    state.accounts.unshift({ accessKeyId, accessKeySecret, securityTokens: options.securityTokens ?? [] });
  }
  state.plans[accessKeyId] ??= fullPlans(options.planSize ?? 100);
  // State files written before orders had an InstanceId.
  for (const o of Object.values(state.orders)) o.instanceId ??= `cas-ivauto-${o.orderId}`;
  const ca = await EmulatorCa.create(state.ca ?? undefined);
  state.ca = ca.material;
  const core = new EmulatorCore(options, state, ca, store, now);
  core.save();

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => route(core, req, res, body))
      .catch((e: unknown) => {
        if (!res.headersSent)
          sendError(
            res,
            new ApiFault("InternalError", 500, String((e as Error)?.message ?? e)),
            "JSON",
            core,
          );
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host ?? "127.0.0.1"}:${port}`,
    accessKeyId,
    accessKeySecret,
    control: core.control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const MAX_BODY = 2 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function route(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator");
  if (url.pathname.startsWith(CONTROL_PREFIX)) return controlApi(core, req.method ?? "GET", url, body, res);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
  const started = core.now();
  let authed: AuthenticatedRequest | undefined;
  const actionHint =
    headers["x-acs-action"] ??
    url.searchParams.get("Action") ??
    new URLSearchParams(body).get("Action") ??
    "?";
  try {
    authed = authenticate(
      { method: req.method ?? "GET", url, headers, body },
      (id) => core.state.accounts.find((a) => a.accessKeyId === id),
      core.nonces,
      started,
    );
    const { action, accessKeyId } = authed;
    if (core.throttled(accessKeyId, action))
      throw new ApiFault("Throttling.User", core.opts.throttleStatus ?? 400, MESSAGES["Throttling.User"]!);
    const fault = core.pickFault(action);
    if (fault?.kind === "latency") await new Promise((r) => setTimeout(r, fault.latencyMs ?? 1000));
    if (fault?.kind === "reset") {
      core.record({ time: started, action, accessKeyId, outcome: "reset" });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "error") {
      const code = fault.code ?? "ServiceUnavailable";
      throw new ApiFault(
        code,
        fault.status ?? (code === "InternalError" ? 500 : 503),
        MESSAGES[code] ?? code,
      );
    }
    if (fault?.kind === "throttle")
      throw new ApiFault(
        "Throttling.User",
        fault.status ?? core.opts.throttleStatus ?? 400,
        MESSAGES["Throttling.User"]!,
      );
    const answer = await core.model.handle(action, authed.params, accessKeyId);
    const orderId = typeof answer.OrderId === "string" ? answer.OrderId : authed.params.OrderId;
    if (fault?.kind === "ambiguous") {
      core.record({ time: started, action, accessKeyId, outcome: "ambiguous", orderId });
      req.socket.destroy();
      return;
    }
    core.record({ time: started, action, accessKeyId, outcome: "OK", orderId });
    send(res, 200, { RequestId: core.rng.requestId(), ...answer }, authed.format, action, core);
  } catch (e) {
    const fault =
      e instanceof ApiFault ? e : new ApiFault("InternalError", 500, String((e as Error)?.message ?? e));
    core.record({
      time: started,
      action: authed?.action ?? actionHint,
      accessKeyId: authed?.accessKeyId ?? null,
      outcome: fault.code,
    });
    sendError(res, fault, authed?.format ?? "JSON", core);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  format: "JSON" | "XML",
  action: string,
  core: EmulatorCore,
  extra: Record<string, string> = {},
): void {
  const requestId = String(body.RequestId);
  if (format === "XML") {
    res.writeHead(status, {
      "content-type": "text/xml;charset=utf-8",
      "x-acs-request-id": requestId,
      ...extra,
    });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>${toXml(status === 200 ? `${action}Response` : "Error", body)}`,
    );
    return;
  }
  const text = core.opts.orderIdsAsStrings ? JSON.stringify(body) : stringifyWithLongs(body, LONG_KEYS);
  res.writeHead(status, {
    "content-type": "application/json;charset=utf-8",
    "x-acs-request-id": requestId,
    ...extra,
  });
  res.end(text);
}

function sendError(res: ServerResponse, fault: ApiFault, format: "JSON" | "XML", core: EmulatorCore): void {
  const requestId = core.rng.requestId();
  send(
    res,
    fault.status,
    {
      RequestId: requestId,
      HostId: "cas.aliyuncs.com",
      Code: fault.code,
      Message: fault.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(fault.code)}&product=cas&requestId=${requestId}`,
    },
    format,
    "Error",
    core,
    fault.headers,
  );
}

function toXml(tag: string, value: unknown): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (Array.isArray(value)) return value.map((v) => toXml(tag, v)).join("");
  if (value && typeof value === "object")
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join("")}</${tag}>`;
  return `<${tag}>${esc(String(value ?? ""))}</${tag}>`;
}

async function controlApi(
  core: EmulatorCore,
  method: string,
  url: URL,
  body: string,
  res: ServerResponse,
): Promise<void> {
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  try {
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const path = url.pathname.slice(CONTROL_PREFIX.length).split("/").filter(Boolean);
    const c = core.control;
    const [head, id, op] = path;
    if (method === "GET" && head === "orders" && !id) return reply(200, await c.orders());
    if (
      method === "POST" &&
      head === "orders" &&
      id &&
      (op === "approve" || op === "fail" || op === "issue" || op === "expire")
    ) {
      const o = op === "fail" ? await c.fail(id, input.reason as string | undefined) : await c[op](id);
      return reply(200, o);
    }
    if (method === "GET" && head === "orders" && id && op === "expected-records")
      return reply(200, c.expectedRecords(id));
    if (method === "POST" && head === "plans") {
      c.setQuota(
        String(input.productCode),
        Number(input.total),
        (input.accessKeyId as string | undefined) ?? core.defaultKey,
      );
      return reply(
        200,
        c.plan(String(input.productCode), (input.accessKeyId as string | undefined) ?? core.defaultKey),
      );
    }
    if (method === "POST" && head === "dns-records") {
      c.publishDnsRecord({ name: String(input.name), type: String(input.type), value: String(input.value) });
      return reply(200, { ok: true });
    }
    if (method === "POST" && head === "faults") {
      c.setFaults((input.rules as FaultRule[]) ?? []);
      return reply(200, { ok: true });
    }
    if (method === "POST" && head === "lifecycle") {
      c.setLifecycle(input as LifecycleInput);
      return reply(200, core.model.lifecycle);
    }
    if (method === "POST" && head === "reset") {
      c.reset();
      return reply(200, { ok: true });
    }
    if (method === "GET" && head === "plans" && id)
      return reply(200, c.plan(id, url.searchParams.get("accessKeyId") ?? core.defaultKey));
    if (method === "GET" && head === "ca") return reply(200, { certificatePem: c.caCertificate() });
    if (method === "GET" && head === "requests") return reply(200, c.requests());
    if (method === "GET" && head === "info")
      return reply(200, {
        version: API_VERSION,
        accessKeyId: core.defaultKey,
        lifecycle: core.model.lifecycle,
      });
    reply(404, { error: `no control route ${method} ${url.pathname}` });
  } catch (e) {
    const status = e instanceof ApiFault ? e.status : 400;
    reply(status, { error: (e as Error).message, code: e instanceof ApiFault ? e.code : "BadRequest" });
  }
}
