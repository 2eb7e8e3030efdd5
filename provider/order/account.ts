import { createHash } from "node:crypto";
import type { CasClient } from "../cas/client";

/**
 * Where an order was placed: the endpoint and a fingerprint of the access key (its id hashed, never
 * the id itself). CAS answers `NotFoundOrder` for an order of another account or site as for one that
 * is gone, so a read or destroy under other credentials must not take that answer as "gone".
 */
export interface Account {
  endpoint: string;
  /** First 16 hex digits of SHA-256 of the AccessKey id; `null` for STS keys, which change every session. */
  accessKey: string | null;
}

/** The account the client talks to now. */
export function currentAccount(api: CasClient): Account {
  const { accessKeyId, temporary } = api.identity;
  return {
    endpoint: api.endpoint.origin,
    accessKey: temporary ? null : createHash("sha256").update(accessKeyId).digest("hex").slice(0, 16),
  };
}

/**
 * Why `NotFoundOrder` for order `id` does not prove it is gone: the state says it was placed through
 * another endpoint or with another access key. `undefined` when they match or state predates the record.
 */
export function placedElsewhere(id: string, stored: unknown, now: Account): string | undefined {
  if (typeof stored !== "object" || stored === null) return undefined;
  const then = stored as Partial<Account>;
  const where =
    typeof then.endpoint === "string" && then.endpoint !== now.endpoint
      ? `through ${then.endpoint}, but this provider talks to ${now.endpoint}`
      : typeof then.accessKey === "string" && now.accessKey !== null && then.accessKey !== now.accessKey
        ? `with another AccessKey (fingerprint ${then.accessKey}; the current key's is ${now.accessKey})`
        : undefined;
  if (!where) return undefined;
  return (
    `order ${id} was placed ${where}. CAS answered NotFoundOrder, which under other credentials or another ` +
    "endpoint does not mean the order is gone, so it stays in the stack. Use the credentials and region it was placed with " +
    "(alicloud:accessKey, alicloud:region, alicloud:endpoints or their environment variables); if it really is gone, " +
    "remove it from the stack with `pulumi state delete <urn>`"
  );
}
