import { EXPIRED, ISSUED } from "./lifecycle";

/** One day in milliseconds: the unit of `renewBeforeDays` and of a certificate's validity. */
export const DAY_MS = 86_400_000;

/**
 * Whether stored outputs describe an expired certificate: marked expired by a read, or issued with
 * `notAfter` (epoch ms) at or before `now`.
 */
export function isExpired(status: unknown, notAfter: number, now: number): boolean {
  return status === EXPIRED || (status === ISSUED && notAfter <= now);
}

/** Why a certificate needs a new order now: it expired, or it is within `renewBeforeDays` of expiry. */
export type RenewalDue =
  | { kind: "expired"; notAfter: number }
  | { kind: "due"; notAfter: number; daysLeft: number; renewBeforeDays: number };

/**
 * Whether the certificate of `olds` (status and notAfter as stored) needs a new order at `now`:
 * expired (an issued certificate past notAfter reports `expired`, and CAS keeps answering
 * `certificate`), or issued and within `renewBeforeDays` (when set) of its notAfter. The one rule
 * diff and the controllers share (lego's `ShouldRenewAt(now, …)`).
 */
export function renewalDue(
  now: number,
  olds: { status?: unknown; notAfter?: unknown },
  renewBeforeDays: number | null,
): RenewalDue | undefined {
  const notAfter = typeof olds.notAfter === "string" ? Date.parse(olds.notAfter) : NaN;
  if (isExpired(olds.status, notAfter, now)) return { kind: "expired", notAfter };
  if (renewBeforeDays === null || olds.status !== ISSUED || !Number.isFinite(notAfter)) return undefined;
  if (notAfter - now > renewBeforeDays * DAY_MS) return undefined;
  return {
    kind: "due",
    notAfter,
    daysLeft: Math.max(0, Math.floor((notAfter - now) / DAY_MS)),
    renewBeforeDays,
  };
}

/**
 * The reason `renewBeforeDays` cannot work with this certificate (at or above its validity, so every
 * pulumi up would replace it), if it cannot.
 */
export function renewalBeyondValidity(
  olds: { notBefore?: unknown; notAfter?: unknown },
  renewBeforeDays: unknown,
): string | undefined {
  const days = renewBeforeDays;
  const from = typeof olds.notBefore === "string" ? Date.parse(olds.notBefore) : NaN;
  const to = typeof olds.notAfter === "string" ? Date.parse(olds.notAfter) : NaN;
  if (typeof days !== "number" || !Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  const validity = Math.floor((to - from) / DAY_MS);
  if (days < validity) return undefined;
  return `renewBeforeDays: ${days} is not below the certificate's validity of ${validity} days, so every pulumi up would replace it; set renewBeforeDays below ${validity} (for example ${Math.max(1, Math.floor(validity / 3))})`;
}

/**
 * The outputs with `expired` for an issued certificate past its notAfter (CAS keeps answering
 * `certificate`), so the next diff replaces it and the status says why.
 */
export function withExpiry<
  T extends { status: string; notAfter: string | null; statusReason: string | null },
>(outs: T, now: number): T {
  const notAfter = outs.notAfter ? Date.parse(outs.notAfter) : NaN;
  if (!isExpired(outs.status, notAfter, now)) return outs;
  return {
    ...outs,
    status: EXPIRED,
    statusReason: `the certificate expired ${outs.notAfter}; the next pulumi up orders a replacement`,
  };
}

/** The status of a certificate read now with `notAfter`: `expired` past it, else `issued`. */
export function issuedStatus(notAfter: string | null, now: number): typeof ISSUED | typeof EXPIRED {
  return notAfter && isExpired(ISSUED, Date.parse(notAfter), now) ? EXPIRED : ISSUED;
}
