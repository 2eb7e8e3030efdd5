import type { ActionName } from "../cas/actions";
import type { CasClient } from "../cas/client";
import type { ConfigLookup } from "../cas/credentials";
import { Deadline, DEFAULT_OPERATION_TIMEOUT_MS } from "../cas/deadline";
import { log } from "./log";

/**
 * Stack config as `configure` delivered it, for this provider process. Nothing here is ever
 * serialized into state: it lives only in the provider process.
 */
let config: ConfigLookup = () => undefined;
let cached: CasClient | undefined;

/** Called from the provider's `configure`. */
export function setConfig(lookup: ConfigLookup): void {
  config = lookup;
  cached = undefined;
}

/** One stack config value as `configure` delivered it (e.g. `alicloud-cas:adoptAfterLostAnswer`). */
export function setting(key: string): string | undefined {
  return config(key);
}

/**
 * The process's client: stack config first, environment second (see docs/credentials.md). Built, and its modules loaded (the HTTP transport, every action's schemas), on the
 * first API call: a provider process whose first check makes none starts without them.
 */
export function client(): CasClient {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CasClient } = require("../cas/client") as typeof import("../cas/client");
  cached = new CasClient({
    config,
    env: process.env,
    userAgent: "pulumi-alicloud-cas",
    accountPacing: true,
    signatureScheme: (config("alicloud-cas:signatureScheme") as "acs3" | "rpc-v1" | undefined) ?? "acs3",
    rateLimits: rateLimits(Number(config("alicloud-cas:qps"))),
    attemptTimeoutMs: positive(config("alicloud-cas:attemptTimeoutMs")),
    deadlineMs: operationTimeoutMs(),
    onEvent: (e) => {
      if (e.kind === "retry")
        log(`${e.action}: ${e.reason}, retrying in ${e.delayMs} ms (attempt ${e.attempt + 1})`);
    },
  });
  return cached;
}

const TIMEOUT_KEY = "alicloud-cas:operationTimeoutSeconds";

/** `alicloud-cas:operationTimeoutSeconds` in ms (default 90 s): the limit for one operation's API calls. */
function operationTimeoutMs(): number {
  const seconds = positive(config(TIMEOUT_KEY));
  return seconds === undefined ? DEFAULT_OPERATION_TIMEOUT_MS : seconds * 1000;
}

/** A fresh deadline for one provider operation (see `provider/cas/deadline.ts`). */
export function operationDeadline(): Deadline {
  return Deadline.after(Date.now(), operationTimeoutMs(), TIMEOUT_KEY);
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** `alicloud-cas:qps` caps every action's client-side rate (documented limits stay lower where they are). */
function rateLimits(qps: number): Partial<Record<ActionName, number>> | undefined {
  if (!Number.isFinite(qps) || qps <= 0) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ACTIONS, defaultQps } = require("../cas/actions") as typeof import("../cas/actions");
  return Object.fromEntries(
    (Object.keys(ACTIONS) as ActionName[]).map((a) => [a, Math.min(defaultQps(a), qps)]),
  );
}
