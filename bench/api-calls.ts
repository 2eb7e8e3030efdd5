// API calls per resource through the real engine, counted from the emulator's request log. Used by
// `npm run bench` (the API-calls rows) and by tests/e2e/api-calls.test.ts (exact counts).
import { CertificateOrder, CertificateOrderValidation, InstanceCertificate } from "pulumi-alicloud-cas";
import type { EmulatorProcess } from "../tests/support/emulator-process";
import { emulatorStack } from "../tests/support/engine";

/** The CAS calls one engine operation made, by action. */
export interface PhaseCalls {
  phase: "preview" | "up" | "refresh" | "refresh again";
  /** Calls CAS answered (throttled or failed attempts are in `rejected`). */
  total: number;
  byAction: Record<string, number>;
  /** Attempts CAS refused (throttling, faults) and the client retried. */
  rejected: number;
  /** Wall time of the operation (the quota look-up is repeated once per `LOOKUP_TTL_MS`). */
  ms: number;
}

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/**
 * Runs `preview`, `up`, `refresh` and a second `refresh` of `orders` orders by domain (each with a
 * `CertificateOrderValidation` when `validate`, so `up` ends with every order issued) against `emu`.
 * With `validate`, `emu` must issue on its own (`--validation auto`); without, it must wait for the
 * control API (`--validation manual`), which issues the orders between `up` and the first `refresh`.
 */
export async function apiCallsPerPhase(
  emu: EmulatorProcess,
  orders: number,
  validate: boolean,
  project = "api-calls",
): Promise<PhaseCalls[]> {
  const env = await emulatorStack(
    project,
    async () => {
      for (let i = 0; i < orders; i++) {
        const order = new CertificateOrder(`o${i}`, {
          domain: `${project}-${i}.example.com`,
          ...contact,
          quotaCheck: "warn",
        });
        if (validate)
          new CertificateOrderValidation(`o${i}`, {
            orderId: order.orderId,
            timeoutMinutes: 5,
            pollIntervalSeconds: 1,
            maxPollIntervalSeconds: 2,
          });
      }
    },
    emu,
  );
  const { phases, measure } = phaseMeter(emu);
  try {
    await measure("preview", () => env.stack.preview());
    await measure("up", () => env.stack.up());
    // Issued by the control API between `up` and the first refresh (the emulator validates by hand).
    if (!validate) await issueAll(emu, `${project}-`, orders);
    await measure("refresh", () => env.stack.refresh());
    await measure("refresh again", () => env.stack.refresh());
    await env.stack.destroy();
  } finally {
    await env.dispose();
  }
  return phases;
}

/** Counts the CAS calls of each engine operation from the emulator's request log. */
function phaseMeter(emu: EmulatorProcess) {
  const log = async () =>
    (await emu.control("GET", "requests")) as Array<{ action: string; outcome: string }>;
  const phases: PhaseCalls[] = [];
  const measure = async (phase: PhaseCalls["phase"], run: () => Promise<unknown>) => {
    const before = (await log()).length;
    const started = Date.now();
    await run();
    const ms = Date.now() - started;
    const attempts = (await log()).slice(before);
    const calls = attempts.filter((c) => c.outcome === "OK");
    const byAction: Record<string, number> = {};
    for (const c of calls) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
    phases.push({ phase, total: calls.length, byAction, rejected: attempts.length - calls.length, ms });
  };
  return { phases, measure };
}

/**
 * Runs `preview`, `up`, `refresh` and a second `refresh` of `count` InstanceCertificates taken
 * from the TEST pool, each with a `CertificateOrderValidation` by `instanceId`, so `up` ends with
 * every certificate issued. `emu` must have `count` inactive TEST instances and issue on its own
 * (`--validation auto`).
 */
export async function instanceApiCallsPerPhase(
  emu: EmulatorProcess,
  count: number,
  project = "instance-api-calls",
): Promise<PhaseCalls[]> {
  const env = await emulatorStack(
    project,
    async () => {
      for (let i = 0; i < count; i++) {
        const cert = new InstanceCertificate(`c${i}`, {
          instanceType: "TEST",
          domain: `${project}-${i}.example.com`,
          ...contact,
        });
        new CertificateOrderValidation(`c${i}`, {
          instanceId: cert.instanceId,
          timeoutMinutes: 5,
          pollIntervalSeconds: 1,
          maxPollIntervalSeconds: 2,
        });
      }
    },
    emu,
  );
  const { phases, measure } = phaseMeter(emu);
  try {
    await measure("preview", () => env.stack.preview());
    await measure("up", () => env.stack.up());
    await measure("refresh", () => env.stack.refresh());
    await measure("refresh again", () => env.stack.refresh());
    await env.stack.destroy();
  } finally {
    await env.dispose();
  }
  return phases;
}

/**
 * Rows per certificate (an InstanceCertificate and its validation), ours against the least the
 * flow allows: preview one `GetInstanceSummary` for the whole deployment (the pool view); `up` one
 * `ListContact`, one `ListInstances`, the mark (`UpdateInstance`) and its read-back
 * (`GetInstanceDetail`), the application (`UpdateInstance`, `ApplyCertificate`) and its read-back,
 * which may already list the records, then one read that sees it issued and one
 * `GetUserCertificateDetail` for the PEM (9); a refresh one `GetInstanceDetail` per resource (2).
 */
export function instanceApiCallRows(phases: PhaseCalls[], count: number): ApiCallRow[] {
  const minimum = { preview: 1, up: 9 * count, refresh: 2 * count, "refresh again": 2 * count };
  return (["preview", "up", "refresh", "refresh again"] as const).map((phase) => {
    const p = phases.find((x) => x.phase === phase)!;
    return {
      name: `API calls per certificate, ${phase === "up" ? "up (to issued)" : phase} of ${count} InstanceCertificates (TEST pool) + validations`,
      ours: p.total / count,
      minimum: minimum[phase] / count,
      note:
        Object.entries(p.byAction)
          .map(([a, n]) => `${a} ${n}`)
          .join(", ") + (p.rejected ? `; ${p.rejected} throttled and retried` : ""),
    };
  });
}

async function issueAll(emu: EmulatorProcess, prefix: string, orders: number): Promise<void> {
  const all = (await emu.control("GET", "orders")) as Array<{ orderId: string; domains: string[] }>;
  const mine = all.filter((o) => o.domains[0]!.startsWith(prefix));
  if (mine.length !== orders) throw new Error(`${mine.length} orders for ${prefix}*, expected ${orders}`);
  for (const o of mine) await emu.control("POST", `orders/${o.orderId}/issue`);
}

/** One benchmark row: calls per order, ours against the least the API allows. */
export interface ApiCallRow {
  name: string;
  ours: number;
  minimum: number;
  note: string;
}

/**
 * The least each phase needs per order (an order and its validation) when `DescribeCertificateState`
 * answers `CertId`: preview nothing but the plan's quota (one call per product code); `up` one
 * create, one state read that sees it issued and one detail for the certificate's `CertIdentifier`;
 * a refresh one state call per resource, plus that detail for an order read as issued for the
 * first time. No `ListUserCertificateOrder` at all. `withoutCertId`: the same run against CAS
 * answering no `CertId` (as before 2025-07), where each first look-up also lists one CERT page.
 */
export function apiCallRows(
  phases: PhaseCalls[],
  orders: number,
  withoutCertId?: PhaseCalls[],
): ApiCallRow[] {
  const get = (ps: PhaseCalls[], p: PhaseCalls["phase"]) => ps.find((x) => x.phase === p)!;
  const list = (p: PhaseCalls) => p.byAction.ListUserCertificateOrder ?? 0;
  const perOrder = (n: number) => n / orders;
  const describe = (p: PhaseCalls) =>
    Object.entries(p.byAction)
      .map(([a, n]) => `${a} ${n}`)
      .join(", ") + (p.rejected ? `; ${p.rejected} throttled and retried` : "");
  const budget = (n: number) =>
    `${n} calls${n ? `: ≥ ${Math.ceil(n / 10)} s of the account's list budget` : ""}`;
  const minimum = { preview: 1, up: 3 * orders, refresh: 3 * orders, "refresh again": 2 * orders };
  const rows: ApiCallRow[] = [];
  for (const phase of ["preview", "up", "refresh", "refresh again"] as const) {
    const p = get(phases, phase);
    rows.push({
      name: `API calls per order, ${phase === "up" ? "up (to issued)" : phase} of ${orders} orders + validations`,
      ours: perOrder(p.total),
      minimum: perOrder(minimum[phase]),
      note: describe(p),
    });
  }
  for (const phase of ["up", "refresh"] as const)
    rows.push({
      name: `ListUserCertificateOrder calls per order (10/s per account), ${phase} of ${orders}`,
      ours: perOrder(list(get(phases, phase))),
      minimum: 0,
      note: `CAS answers CertId: ${budget(list(get(phases, phase)))}; refresh again: ${list(get(phases, "refresh again"))}`,
    });
  if (withoutCertId)
    for (const phase of ["up", "refresh"] as const)
      rows.push({
        name: `ListUserCertificateOrder calls per order (10/s per account), ${phase} of ${orders}, no CertId in DescribeCertificateState`,
        ours: perOrder(list(get(withoutCertId, phase))),
        minimum: 1,
        note: `answers before 2025-07 (emulator --omit-cert-id): ${budget(list(get(withoutCertId, phase)))}; ${describe(get(withoutCertId, phase))}`,
      });
  return rows;
}
