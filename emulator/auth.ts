import { timingSafeEqual } from "node:crypto";
import { parseAcs3Authorization, sha256Hex, signAcs3 } from "../protocol/sign-acs3";
import { rpcV1StringToSign, signRpcV1 } from "../protocol/sign-rpc-v1";
import { ApiFault } from "./faults";
import { API_VERSION } from "./products";
import type { Account } from "./state";

/** A request that passed authentication. */
export interface AuthenticatedRequest {
  scheme: "acs3" | "rpc-v1";
  action: string;
  /** Business parameters only. */
  params: Record<string, string>;
  accessKeyId: string;
  /** The STS token the request carried, when it carried one. */
  securityToken?: string;
  format: "JSON" | "XML";
}

export interface RawRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

const SKEW_MS = 15 * 60_000;
const V1_COMMON = new Set([
  "Action",
  "Version",
  "Format",
  "AccessKeyId",
  "Signature",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "SecurityToken",
  "RegionId",
  "SignatureType",
]);
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Remembers nonces for the skew window, so a replayed request is refused. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly now: () => number) {}
  /** `false` if the nonce was used already. */
  use(nonce: string): boolean {
    const now = this.now();
    // Insertion order is time order: drop expired nonces from the front (amortized O(1)).
    for (const [k, t] of this.seen) {
      if (now - t <= 2 * SKEW_MS) break;
      this.seen.delete(k);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }
}

function formParams(req: RawRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of req.url.searchParams) out[k] = v;
  if ((req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded"))
    for (const [k, v] of new URLSearchParams(req.body)) out[k] = v;
  return out;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies either signature scheme exactly as the service does: the ACS3 signed-header list is
 * read from the `Authorization` header, Host is used verbatim (with port), the payload hash is
 * checked against the body, the query is decoded and re-encoded; V1 signs the union of query and
 * form body. Then clock skew (±15 min), nonce replay, STS token, API version.
 */
export function authenticate(
  req: RawRequest,
  findAccount: AccountLookup,
  nonces: NonceCache,
  now: number,
  version: string = API_VERSION,
): AuthenticatedRequest {
  const all = formParams(req);
  const authz = req.headers.authorization;
  if (authz) return authenticateAcs3(req, authz, all, findAccount, nonces, now, version);
  return authenticateRpcV1(req, all, findAccount, nonces, now, version);
}

/**
 * Finds the account an access key signs for; given the request's STS token too, so temporary keys
 * (which need their token) can be refused with the answer the service gives.
 */
export type AccountLookup = (accessKeyId: string, securityToken: string | undefined) => Account | undefined;

function checkTime(value: string, name: string, now: number): void {
  // A value of the right shape can still name no instant (month 13, hour 99): Date.parse gives NaN,
  // and NaN compares false, so it must be refused here rather than slip past the skew check.
  const at = Date.parse(value);
  if (!TIMESTAMP_RE.test(value) || !Number.isFinite(at))
    throw new ApiFault("InvalidTimeStamp.Format", 400, `Specified ${name} is not valid.`);
  if (Math.abs(at - now) > SKEW_MS)
    throw new ApiFault("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired.");
}

function account(findAccount: AccountLookup, id: string, token: string | undefined): Account {
  const acct = findAccount(id, token);
  if (!acct) throw new ApiFault("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.");
  if (token !== undefined && !acct.securityTokens.includes(token))
    throw new ApiFault("InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired or invalid.");
  return acct;
}

function authenticateAcs3(
  req: RawRequest,
  authz: string,
  all: Record<string, string>,
  findAccount: AccountLookup,
  nonces: NonceCache,
  now: number,
  version: string,
): AuthenticatedRequest {
  const parsed = parseAcs3Authorization(authz);
  if (!parsed)
    throw new ApiFault(
      "IncompleteSignature",
      400,
      "The request signature does not conform to Aliyun standards.",
    );
  const h = req.headers;
  for (const required of [
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
  ]) {
    if (!h[required] || !parsed.signedHeaders.includes(required))
      throw new ApiFault(
        "IncompleteSignature",
        400,
        `The request signature does not conform to Aliyun standards: ${required} must be present and signed.`,
      );
  }
  const acct = account(findAccount, parsed.accessKeyId, h["x-acs-security-token"]);
  checkTime(h["x-acs-date"]!, "x-acs-date", now);
  if (h["x-acs-content-sha256"] !== sha256Hex(req.body))
    throw new ApiFault(
      "SignatureDoesNotMatch",
      400,
      "Specified signature is not matched with our calculation: x-acs-content-sha256 does not match the body.",
    );
  const query: Record<string, string> = {};
  for (const [k, v] of req.url.searchParams) query[k] = v;
  const expected = signAcs3(
    {
      method: req.method,
      query,
      headers: h,
      signedHeaders: parsed.signedHeaders,
      payloadHash: h["x-acs-content-sha256"],
    },
    acct.accessKeySecret,
  );
  if (!sameText(expected, parsed.signature))
    throw new ApiFault(
      "SignatureDoesNotMatch",
      400,
      "Specified signature is not matched with our calculation.",
    );
  if (!nonces.use(h["x-acs-signature-nonce"]!))
    throw new ApiFault("SignatureNonceUsed", 400, "Specified signature nonce was used already.");
  if (h["x-acs-version"] !== version)
    throw new ApiFault("InvalidVersion", 400, "Specified parameter Version is not valid.");
  return {
    scheme: "acs3",
    action: h["x-acs-action"]!,
    params: all,
    accessKeyId: acct.accessKeyId,
    ...(h["x-acs-security-token"] === undefined ? {} : { securityToken: h["x-acs-security-token"] }),
    format: "JSON",
  };
}

function authenticateRpcV1(
  req: RawRequest,
  all: Record<string, string>,
  findAccount: AccountLookup,
  nonces: NonceCache,
  now: number,
  version: string,
): AuthenticatedRequest {
  for (const name of ["Action", "Version", "AccessKeyId", "Timestamp", "SignatureNonce"])
    if (!all[name])
      throw new ApiFault(
        "MissingParameter",
        400,
        `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      );
  if (!all.Signature || all.SignatureMethod !== "HMAC-SHA1" || all.SignatureVersion !== "1.0")
    throw new ApiFault(
      "IncompleteSignature",
      400,
      "The request signature does not conform to Aliyun standards.",
    );
  const acct = account(findAccount, all.AccessKeyId!, all.SecurityToken);
  checkTime(all.Timestamp!, "Timestamp", now);
  const expected = signRpcV1(req.method, all, acct.accessKeySecret);
  if (!sameText(expected, all.Signature))
    throw new ApiFault(
      "SignatureDoesNotMatch",
      400,
      `Specified signature is not matched with our calculation. server string to sign is:${rpcV1StringToSign(req.method, all)}`,
    );
  if (!nonces.use(all.SignatureNonce!))
    throw new ApiFault("SignatureNonceUsed", 400, "Specified signature nonce was used already.");
  if (all.Version !== version)
    throw new ApiFault("InvalidVersion", 400, "Specified parameter Version is not valid.");
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!V1_COMMON.has(k)) params[k] = v;
  return {
    scheme: "rpc-v1",
    action: all.Action!,
    params,
    accessKeyId: acct.accessKeyId,
    ...(all.SecurityToken === undefined ? {} : { securityToken: all.SecurityToken }),
    format: (all.Format ?? "JSON").toUpperCase() === "XML" ? "XML" : "JSON",
  };
}
