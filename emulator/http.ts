import type { IncomingMessage, ServerResponse } from "node:http";
import { stringifyWithLongs } from "../protocol/lossless-json";
import { authenticate, type AuthenticatedRequest } from "./auth";
import { CONTROL_PREFIX, serveControl, type ControlApi } from "./control-http";
import type { EmulatorCore } from "./core";
import { accountIdOf } from "./identity";
import { principalKeyOf } from "./state";
import { serveSts, StsService } from "./sts";
import {
  ApiFault,
  DEFAULT_THROTTLE_RETRY_AFTER_MS,
  DOCUMENTED_FAULTS,
  DOCUMENTED_STATUS,
  MESSAGES,
  throttlingFault,
} from "./faults";

const LONG_KEYS = new Set(["OrderId", "CertificateId", "Id"]);

const MAX_BODY = 2 * 1024 * 1024;

/** The request body as text, refused above 2 MiB. */
export function readBody(req: IncomingMessage): Promise<string> {
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

/** Answers one HTTP request: the control API, or an authenticated CAS action. */
export async function route(
  core: EmulatorCore,
  controlApi: ControlApi,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator");
  if (url.pathname.startsWith(CONTROL_PREFIX))
    return serveControl(controlApi.context(), controlApi.guard, req, url, body, res);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
  const raw = { method: req.method ?? "GET", url, headers, body };
  if (StsService.isStsRequest(url, headers, body))
    return serveSts(
      {
        sts: core.sts,
        findAccount: core.findAccount,
        nonces: core.nonces,
        requestId: () => core.rng.requestId(),
        now: core.now,
        // GetCallerIdentity has its own log (the provider asks it before the first request of any
        // credentials, so the CAS log stays the calls a test counts); AssumeRole* go to the CAS log,
        // in order with the calls their keys then sign.
        record: ({ temporary, ...entry }) => {
          if (entry.action !== "GetCallerIdentity") return core.log.record(entry);
          const owner = entry.accessKeyId === null ? null : core.sts.ownerOf(entry.accessKeyId);
          core.log.recordSts({
            ...entry,
            temporary,
            accountId: owner === null ? null : (accountIdOf(core.state, owner) ?? null),
          });
        },
      },
      raw,
      res,
    );
  const started = core.now();
  let authed: AuthenticatedRequest | undefined;
  const actionHint =
    headers["x-acs-action"] ??
    url.searchParams.get("Action") ??
    new URLSearchParams(body).get("Action") ??
    "?";
  try {
    authed = authenticate(raw, core.findAccount, core.nonces, started);
    const { action } = authed;
    // Temporary keys act for the account of the key that assumed the role, and the model files
    // everything under the account's first key: every key of an account (and its STS tokens and
    // role sessions) sees the same orders, and shares the account's per-action limits.
    const accessKeyId = principalKeyOf(core.state, core.sts.ownerOf(authed.accessKeyId))!;
    const wait = core.throttled(accessKeyId, action);
    if (wait !== undefined) throw throttlingFault(core.opts.throttleStatus ?? 400, wait);
    const fault = core.pickFault(action);
    if (fault?.kind === "latency") await new Promise((r) => setTimeout(r, fault.latencyMs ?? 1000));
    if (fault?.kind === "reset") {
      const orderId = typeof authed.params.OrderId === "string" ? authed.params.OrderId : undefined;
      core.log.record({
        time: started,
        action,
        accessKeyId: authed.accessKeyId,
        outcome: "reset",
        ...(orderId ? { orderId } : {}),
      });
      req.socket.destroy();
      return;
    }
    const documented = fault ? DOCUMENTED_FAULTS[fault.kind] : undefined;
    if (fault?.kind === "error" || documented) {
      const code = fault!.code ?? documented?.code ?? "ServiceUnavailable";
      throw new ApiFault(
        code,
        fault!.status ??
          (Object.prototype.hasOwnProperty.call(DOCUMENTED_STATUS, code)
            ? DOCUMENTED_STATUS[code]
            : undefined) ??
          503,
        (Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : undefined) ?? code,
        fault!.retryAfterMs === undefined ? {} : { "x-acs-retry-after": String(fault!.retryAfterMs) },
      );
    }
    if (fault?.kind === "throttle")
      throw throttlingFault(
        fault.status ?? core.opts.throttleStatus ?? 400,
        fault.retryAfterMs ?? DEFAULT_THROTTLE_RETRY_AFTER_MS,
      );
    const answer = await core.handle(action, authed.params, accessKeyId);
    if (core.opts.omitCertId && action === "DescribeCertificateState") delete answer.CertId;
    const orderId = typeof answer.OrderId === "string" ? answer.OrderId : authed.params.OrderId;
    if (fault?.kind === "ambiguous") {
      core.log.record({
        time: started,
        action,
        accessKeyId: authed.accessKeyId,
        outcome: "ambiguous",
        orderId,
      });
      req.socket.destroy();
      return;
    }
    core.log.record({ time: started, action, accessKeyId: authed.accessKeyId, outcome: "OK", orderId });
    send(res, 200, { RequestId: core.rng.requestId(), ...answer }, authed.format, action, core);
  } catch (e) {
    const fault =
      e instanceof ApiFault
        ? e
        : new ApiFault("InternalError", 500, String((e as Partial<Error> | null | undefined)?.message ?? e));
    core.log.record({
      time: started,
      action: authed?.action ?? actionHint,
      accessKeyId: authed?.accessKeyId ?? null,
      outcome: fault.code,
      // A refused call still names the order it was about (a throttled cancel is an attempt on it).
      ...(typeof authed?.params.OrderId === "string" ? { orderId: authed.params.OrderId } : {}),
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

/** An error answer in the documented body shape. */
export function sendError(
  res: ServerResponse,
  fault: ApiFault,
  format: "JSON" | "XML",
  core: EmulatorCore,
): void {
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
