import { systemClock, type Clock } from "../../runtime/clock";
import type { CasClient } from "../cas/client";
import type { ClientRuntime } from "../cas/client-runtime";
import type { Deadline } from "../cas/deadline";
import { CertIdHints } from "./certificate-link";
import { OwnershipNotes } from "./held-by";
import { providerLog, type Log, type LogSink } from "./log";
import { Claims } from "./ownership";
import { OrderPlacer } from "./placer";
import { configuredEndpoint, ProductWarnings } from "./product-warnings";
import { quotaCheck, type QuotaCheck } from "./quota";
import { Settings } from "./settings";
import { testPoolCheck, type PoolCheck } from "../instance/pool-check";

/** What `configure` receives: the stack config, and where log lines go when run in the caller's process. */
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
  /**
   * Where log lines go when the provider runs in the caller's process; stderr (the Pulumi CLI's
   * diagnostics) when absent, as in Pulumi's provider host, which passes only `config`.
   */
  log?: LogSink | undefined;
}

/** What a family of providers keeps across configures (see {@link ProviderContext.latest}). */
interface Kept {
  context?: ProviderContext;
  runtime?: ClientRuntime;
  /**
   * CertificateOrder's placer: what creates in flight and lost answers it remembers must outlive
   * the other controllers' configures (the host configures a validation provider while orders are
   * still being created); only an order configure starts a new one.
   */
  placer?: OrderPlacer;
}

/** What one controller's `configure` renews; the other controllers' parts are kept (see {@link renew}). */
export type Scope = "order" | "validation" | "instance";

/**
 * Everything a controller reads or remembers, built by `configure` (the composition root): the
 * settings, the client (built on the first API call), the clock, the log, and what the resources of
 * one deployment share in the process (claims, quota and pool checks, notes said once, CertId hints).
 * Nothing outside it is mutable; two contexts in one process share nothing (each family of
 * providers creates its clients' runtime: connections, account look-ups, pacing).
 */
export class ProviderContext {
  private clientOnce: CasClient | undefined;

  constructor(
    readonly settings: Settings,
    readonly clock: Clock,
    readonly log: Log,
    /** What the CertificateOrders of this process hold. */
    readonly claims: Claims,
    /** The plan quota check of CertificateOrder previews. */
    readonly quota: QuotaCheck,
    /** The TEST instance pool check of InstanceCertificate previews. */
    readonly pool: PoolCheck,
    readonly ownershipNotes: OwnershipNotes,
    readonly productWarnings: ProductWarnings,
    /** CertIds seen with certificates, for the link look-up (shared by the order and validation controllers). */
    readonly certIds: CertIdHints,
    /**
     * What lives across configures: the latest context (the kept parts call the client and log
     * through it) and the clients' runtime (connections, account look-ups, pacing per account).
     */
    readonly latest: Kept,
  ) {
    latest.context = this;
  }

  /**
   * The client: stack config first, environment second (see docs/credentials.md). Built, and its
   * modules loaded (the HTTP transport, every action's schemas), on the first API call: a provider
   * process whose first check makes none starts without them. Fails naming every bad setting.
   */
  client(): CasClient {
    this.settings.assert();
    if (this.clientOnce) return this.clientOnce;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CasClient } = require("../cas/client") as typeof import("../cas/client");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ClientRuntime } = require("../cas/client-runtime") as typeof import("../cas/client-runtime");
    this.latest.runtime ??= new ClientRuntime({ clock: this.clock });
    const s = this.settings;
    this.clientOnce = new CasClient({
      runtime: this.latest.runtime,
      config: s.lookup,
      env: process.env,
      clock: this.clock,
      userAgent: "pulumi-alicloud-cas",
      accountPacing: true,
      signatureScheme: s.get("alicloud-cas:signatureScheme"),
      rateLimits: s.rateLimits(),
      attemptTimeoutMs: s.get("alicloud-cas:attemptTimeoutMs"),
      deadlineMs: s.get("alicloud-cas:operationTimeoutSeconds"),
      onEvent: (e) => {
        if (e.kind === "retry")
          this.log(`${e.action}: ${e.reason}, retrying in ${e.delayMs} ms (attempt ${e.attempt + 1})`);
      },
    });
    return this.clientOnce;
  }

  /** A fresh deadline for one provider operation (`alicloud-cas:operationTimeoutSeconds`). */
  operationDeadline(): Deadline {
    return this.settings.operationDeadline(this.clock.now());
  }

  /**
   * The placer of CertificateOrder creates, built on first use and kept until the next order
   * configure (see {@link Kept.placer}): it calls the client, log and settings of the context
   * current when it acts.
   */
  placer(): OrderPlacer {
    const now = () => this.latest.context ?? this;
    this.latest.placer ??= new OrderPlacer({
      api: () => now().client(),
      clock: this.clock,
      log: (m) => now().log(m),
      newDeadline: () => now().operationDeadline(),
      adoptAfterLostAnswer: () => now().settings.get("alicloud-cas:adoptAfterLostAnswer"),
      policy: this.settings.orDefault("alicloud-cas:lostAnswerGraceMs", {}),
      claims: this.claims,
    });
    return this.latest.placer;
  }

  /** `alicloud-cas:legacyOwnership`; a bad value fails every operation, `unknown` stands in. */
  legacyOwnership(): "placed" | "unknown" {
    return this.settings.orDefault("alicloud-cas:legacyOwnership", "unknown");
  }

  /** Logs the warnings about `productCode` not said yet in this configuration. */
  warnProduct(productCode: string): void {
    for (const w of this.productWarnings.fresh(productCode, configuredEndpoint(this.settings.lookup)))
      this.log(`warning: ${w}`);
  }
}

/**
 * The context `configure` builds for `scope`. Each controller is configured on its own (the host
 * configures a provider the first time it uses it, possibly after another one's creates): a
 * configure renews the settings, client and log for all, and only its own controller's memory, so
 * the validation provider's configure does not forget the claims of the orders created before it.
 */
export function renew(
  req: ConfigureRequest,
  clock: Clock,
  scope: Scope,
  previous?: ProviderContext,
): ProviderContext {
  const settings = new Settings((key) => req.config.get(key), req.config);
  const log = providerLog(req.log);
  // The parts read the client and log through `latest`, so a kept part uses the renewed ones.
  const latest: Kept = previous?.latest ?? {};
  const here = () => latest.context!;
  const fresh = !previous;
  const quota =
    fresh || scope === "order"
      ? quotaCheck({
          remaining: async (productCode) => {
            const plan = await here().client().call("DescribePackageState", { ProductCode: productCode });
            return plan.TotalCount - plan.UsedCount;
          },
          clock,
          log: (m) => here().log(m),
        })
      : previous.quota;
  const pool =
    fresh || scope === "instance"
      ? testPoolCheck({
          inactive: async () => {
            const summary = await here().client().call("GetInstanceSummary", { InstanceType: "TEST" });
            if (summary.InactiveCount === undefined) throw new Error("its answer has no InactiveCount");
            return summary.InactiveCount;
          },
          clock,
          log: (m) => here().log(m),
        })
      : previous.pool;
  const order = fresh || scope === "order";
  // A new order configure starts a new placer (its claims are new too); others keep it.
  if (order) delete latest.placer;
  return new ProviderContext(
    settings,
    clock,
    log,
    order ? new Claims() : previous.claims,
    quota,
    pool,
    order ? new OwnershipNotes((m) => here().log(m)) : previous.ownershipNotes,
    order ? new ProductWarnings() : previous.productWarnings,
    previous?.certIds ?? new CertIdHints(),
    latest,
  );
}

/**
 * Where a test puts the clock of a provider process it does not run itself (Pulumi's
 * dynamic-provider host): a module preloaded with `NODE_OPTIONS=--require …` sets it before the
 * provider loads (tests/support/fake-clock-preload.cjs). Absent, the system's clock.
 */
const CLOCK_HOOK = Symbol.for("pulumi-alicloud-cas.clock");

/** The clock of this process: the one preloaded at {@link CLOCK_HOOK}, else the system's. */
export function processClock(): Clock {
  return ((globalThis as Record<symbol, unknown>)[CLOCK_HOOK] as Clock | undefined) ?? systemClock;
}
