import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ApiFault, FAULT_KINDS } from "./faults";
import type { LifecycleInput } from "./timing";
import type { EmulatorControl } from "./control";

/** Path prefix of the control API. */
export const CONTROL_PREFIX = "/_emulator/";

/** Who may use the control API. */
export interface ControlGuard {
  /** Host names accepted in `Host` and `Origin` besides loopback names and the bound address. */
  allowedHosts: string[];
  /** When set, every control request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Refuses what a web page could send (a cross-origin "simple" POST, or a request through a
 * rebinding DNS name) and, when configured, requests without the token. Returns the reason, or null.
 */
function refuseControl(req: IncomingMessage, guard: ControlGuard): string | null {
  const allowed = (name: string | null) =>
    name !== null && (LOOPBACK.has(name) || guard.allowedHosts.includes(name));
  const host = hostnameOf(req.headers.host ?? "");
  if (!allowed(host))
    return `Host ${JSON.stringify(req.headers.host ?? "")} is not a loopback name or an allowed host`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | null;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      originHost = null;
    }
    if (!allowed(originHost)) return `cross-origin requests are refused (Origin ${origin})`;
  }
  if (req.method !== "GET" && !/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? ""))
    return "control requests other than GET need content-type: application/json";
  if (guard.token !== undefined) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    const want = Buffer.from(guard.token);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return "this emulator's control API needs Authorization: Bearer <token> (--control-token)";
  }
  return null;
}

const planInput = z.strictObject({
  productCode: z.string(),
  total: z.number().int().nonnegative(),
  accessKeyId: z.string().optional(),
});
const recordInput = z.strictObject({ name: z.string().min(1), type: z.string().min(1), value: z.string() });
const faultInput = z.strictObject({
  rules: z.array(
    z
      .strictObject({
        action: z.string().min(1),
        kind: z.enum(FAULT_KINDS),
        rate: z.number().min(0).max(1),
        latencyMs: z.number().nonnegative().optional(),
        code: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9.]*$/)
          .optional(),
        status: z.number().int().min(400).max(599).optional(),
        limit: z.number().int().nonnegative().optional(),
        retryAfterMs: z.number().int().nonnegative().optional(),
      })
      .refine((r) => r.retryAfterMs === undefined || r.kind === "error" || r.kind === "throttle", {
        message: "retryAfterMs applies to error and throttle faults only",
        path: ["retryAfterMs"],
      }),
  ),
});
const instanceInput = z.strictObject({
  instanceType: z.enum(["BUY", "TEST"]).default("BUY"),
  brand: z.string().min(1).max(64).optional(),
  certificateType: z.enum(["DV", "OV", "EV"]).optional(),
  spec: z.string().min(1).max(64).optional(),
  domainCount: z.number().int().min(1).max(500).optional(),
  count: z.number().int().min(1).max(1000).default(1),
  accessKeyId: z.string().optional(),
});
const accessKeyInput = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{16}$/, "16 digits")
    .optional(),
  accessKeyId: z.string().min(1).max(128).optional(),
  accessKeySecret: z.string().min(1).max(128).optional(),
  securityTokens: z.array(z.string().min(1)).optional(),
});
const failInput = z.strictObject({ reason: z.string().max(2000).optional() });
const ageInput = z.strictObject({ days: z.number().int().min(1).max(3650) });
const stsInput = z.strictObject({ lifetimeSeconds: z.number().int().min(1).max(43_200).nullable() });

function parse<T>(schema: z.ZodType<T>, input: unknown, route: string): T {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new ApiFault(
      "BadRequest",
      400,
      `${route}: ${r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`,
    );
  return r.data;
}

/** What the control routes need besides the control handle. */
export interface ControlContext {
  control: EmulatorControl;
  defaultKey: string;
  info(): Record<string, unknown>;
}

/** The control API as the HTTP router sees it: who may use it, and what its routes act on. */
export interface ControlApi {
  guard: ControlGuard;
  /** Built per request (the info route reads the settings of that moment). */
  context(): ControlContext;
}

/** Who may use the control API of an emulator bound to `host` (default loopback). */
export function controlGuardFor(options: {
  host?: string | undefined;
  allowedHosts?: string[] | undefined;
  controlToken?: string | undefined;
}): ControlGuard {
  const bound = (options.host ?? "127.0.0.1").toLowerCase();
  return {
    allowedHosts: [bound, bound.includes(":") ? `[${bound}]` : bound, ...(options.allowedHosts ?? [])].map(
      (h) => h.toLowerCase(),
    ),
    token: options.controlToken,
  };
}

/** Serves one request under {@link CONTROL_PREFIX}. */
export async function serveControl(
  ctx: ControlContext,
  guard: ControlGuard,
  req: IncomingMessage,
  url: URL,
  body: string,
  res: ServerResponse,
): Promise<void> {
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  const refusal = refuseControl(req, guard);
  if (refusal) return reply(403, { error: refusal, code: "Forbidden" });
  const method = req.method ?? "GET";
  try {
    let input: unknown = {};
    if (body) {
      try {
        input = JSON.parse(body) as unknown;
      } catch {
        throw new ApiFault("BadRequest", 400, "the request body is not JSON");
      }
    }
    const path = url.pathname.slice(CONTROL_PREFIX.length).split("/").filter(Boolean);
    const c = ctx.control;
    const [head, id, op] = path;
    if (method === "GET" && head === "orders" && !id) return reply(200, await c.orders());
    if (
      method === "POST" &&
      head === "orders" &&
      id &&
      (op === "approve" || op === "issue" || op === "expire")
    )
      return reply(200, await c[op](id));
    if (method === "POST" && head === "orders" && id && op === "fail")
      return reply(200, await c.fail(id, parse(failInput, input, "POST orders/{id}/fail").reason));
    if (method === "POST" && head === "orders" && id && op === "age")
      return reply(200, await c.age(id, parse(ageInput, input, "POST orders/{id}/age").days));
    if (method === "GET" && head === "orders" && id && op === "expected-records")
      return reply(200, c.expectedRecords(id));
    if (method === "POST" && head === "plans") {
      const p = parse(planInput, input, "POST plans");
      const key = p.accessKeyId ?? ctx.defaultKey;
      c.setQuota(p.productCode, p.total, key);
      return reply(200, c.plan(p.productCode, key));
    }
    if (method === "GET" && head === "plans" && id)
      return reply(200, c.plan(id, url.searchParams.get("accessKeyId") ?? ctx.defaultKey));
    if (method === "GET" && head === "instances" && !id) return reply(200, await c.instances());
    if (method === "POST" && head === "instances" && !id) {
      const { count, accessKeyId, ...spec } = parse(instanceInput, input, "POST instances");
      const key = accessKeyId ?? ctx.defaultKey;
      try {
        return reply(
          200,
          Array.from({ length: count }, () => c.addInstance(spec, key)),
        );
      } catch (e) {
        throw new ApiFault("BadRequest", 400, (e as Error).message);
      }
    }
    if (
      method === "POST" &&
      head === "instances" &&
      id &&
      (op === "issue" || op === "expire" || op === "reissue")
    )
      return reply(
        200,
        await (op === "issue"
          ? c.issueInstance(id)
          : op === "reissue"
            ? c.reissueInstance(id)
            : c.expireInstance(id)),
      );
    if (method === "POST" && head === "instances" && id && op === "fail")
      return reply(200, await c.failInstance(id, parse(failInput, input, "POST instances/{id}/fail").reason));
    if (method === "GET" && head === "instances" && id && op === "expected-records")
      return reply(200, c.expectedInstanceRecords(id));
    if (method === "GET" && head === "dns-records") return reply(200, c.dnsRecords());
    if (method === "POST" && head === "dns-records") {
      c.publishDnsRecord(parse(recordInput, input, "POST dns-records"));
      return reply(200, { ok: true });
    }
    if (method === "POST" && head === "faults") {
      c.setFaults(parse(faultInput, input, "POST faults").rules);
      return reply(200, { ok: true });
    }
    if (method === "POST" && head === "lifecycle") {
      try {
        c.setLifecycle(input as LifecycleInput);
      } catch (e) {
        throw new ApiFault("BadRequest", 400, (e as Error).message);
      }
      return reply(200, ctx.info().lifecycle);
    }
    if (method === "POST" && head === "sts" && id === "expire")
      return reply(200, { expired: c.expireStsSessions() });
    if (method === "POST" && head === "sts" && !id) {
      const { lifetimeSeconds } = parse(stsInput, input, "POST sts");
      c.setStsLifetime(lifetimeSeconds ?? undefined);
      return reply(200, { lifetimeSeconds });
    }
    if (method === "POST" && head === "reset") {
      c.reset();
      return reply(200, { ok: true });
    }
    if (method === "GET" && head === "access-keys") return reply(200, c.accessKeys());
    if (method === "POST" && head === "access-keys" && !id) {
      const spec = parse(accessKeyInput, input, "POST access-keys");
      try {
        return reply(200, c.addAccessKey(spec));
      } catch (e) {
        throw new ApiFault("BadRequest", 400, (e as Error).message);
      }
    }
    if (method === "GET" && head === "sts-requests") return reply(200, c.stsRequests());
    if (method === "GET" && head === "ca") return reply(200, { certificatePem: c.caCertificate() });
    if (method === "GET" && head === "requests") return reply(200, c.requests());
    if (method === "GET" && head === "info") return reply(200, ctx.info());
    reply(404, { error: `no control route ${method} ${url.pathname}`, code: "NotFound" });
  } catch (e) {
    const status = e instanceof ApiFault ? e.status : 400;
    reply(status, { error: (e as Error).message, code: e instanceof ApiFault ? e.code : "BadRequest" });
  }
}
