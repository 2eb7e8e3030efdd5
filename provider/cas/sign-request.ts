import { randomBytes, randomUUID } from "node:crypto";
import { canonicalQuery } from "../../protocol/percent-encode";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import { API_VERSION } from "./actions";
import type { Credentials } from "./credentials";

/**
 * What the client puts on the wire: `acs3` is the official SDK's shape (ACS3-HMAC-SHA256, POST,
 * business parameters in the query, empty body); `acs3-form` signs the same way with the
 * parameters in a form body; `rpc-v1` is HMAC-SHA1 with common parameters in the query and
 * business parameters in a form body, as Terraform and the Pulumi alicloud provider send.
 */
export type SignatureScheme = "acs3" | "acs3-form" | "rpc-v1";

/** One call to sign: the action, its flattened parameters, who signs, where it goes, and when. */
export interface UnsignedCall {
  action: string;
  wire: Record<string, string>;
  credentials: Credentials;
  endpoint: URL;
  userAgent: string;
  now: number;
}

/** A signed POST, ready for the transport. */
export interface SignedRequest {
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Signs `call` in the wire shape `scheme`. */
export function signRequest(scheme: SignatureScheme, call: UnsignedCall): SignedRequest {
  return scheme === "rpc-v1" ? signRpcV1Call(call) : signAcs3Call(call, scheme === "acs3");
}

function baseHeaders(call: UnsignedCall): Record<string, string> {
  return { "user-agent": call.userAgent, accept: "application/json", host: call.endpoint.host };
}

/** The SDK's shape: parameters in the (signed) query, empty body; or all of them in a form body. */
function signAcs3Call(call: UnsignedCall, inQuery: boolean): SignedRequest {
  const { wire, credentials: creds } = call;
  const body = inQuery ? "" : canonicalQuery(wire);
  const headers: Record<string, string> = {
    ...baseHeaders(call),
    ...(inQuery ? {} : { "content-type": "application/x-www-form-urlencoded" }),
    "x-acs-action": call.action,
    "x-acs-version": API_VERSION,
    "x-acs-date": isoSeconds(call.now),
    "x-acs-signature-nonce": randomBytes(16).toString("hex"),
    "x-acs-content-sha256": sha256Hex(body),
  };
  if (creds.securityToken) {
    // As openapi-core sends STS requests: the key id and the token, both signed.
    headers["x-acs-accesskey-id"] = creds.accessKeyId;
    headers["x-acs-security-token"] = creds.securityToken;
  }
  const signedHeaders = Object.keys(headers).filter(
    (h) => h === "host" || h === "content-type" || h.startsWith("x-acs-"),
  );
  const query = inQuery ? wire : {};
  headers.authorization = acs3Authorization(
    { method: "POST", query, headers, signedHeaders, payloadHash: headers["x-acs-content-sha256"]! },
    creds.accessKeyId,
    creds.accessKeySecret,
  );
  const search = inQuery && Object.keys(wire).length > 0 ? `?${canonicalQuery(wire)}` : "";
  return { url: new URL(`/${search}`, call.endpoint), headers, body: inQuery ? undefined : body };
}

/** HMAC-SHA1: common parameters (and the signature) in the query, business parameters in a form body. */
function signRpcV1Call(call: UnsignedCall): SignedRequest {
  const { wire, credentials: creds } = call;
  const common: Record<string, string> = {
    Action: call.action,
    Version: API_VERSION,
    Format: "JSON",
    AccessKeyId: creds.accessKeyId,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    SignatureNonce: randomUUID(),
    Timestamp: isoSeconds(call.now),
  };
  if (creds.securityToken) common.SecurityToken = creds.securityToken;
  common.Signature = signRpcV1("POST", { ...common, ...wire }, creds.accessKeySecret);
  return {
    url: new URL(`/?${canonicalQuery(common)}`, call.endpoint),
    headers: { ...baseHeaders(call), "content-type": "application/x-www-form-urlencoded" },
    body: canonicalQuery(wire),
  };
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the timestamp form both schemes use. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
