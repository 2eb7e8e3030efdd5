import { createHmac } from "node:crypto";
import { canonicalQuery, percentEncode } from "./percent-encode";

/**
 * The classic RPC string to sign (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`; Alibaba's
 * docs now call it "signature V2"): `METHOD&%2F&` + the percent-encoded canonical query of every
 * parameter except `Signature`.
 */
export function rpcV1StringToSign(method: string, params: Readonly<Record<string, string>>): string {
  const { Signature: _ignored, ...signed } = params;
  return `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalQuery(signed))}`;
}

/** Base64 HMAC-SHA1 of the string to sign, keyed with `secret + "&"`. Pure; no I/O. */
export function signRpcV1(method: string, params: Readonly<Record<string, string>>, secret: string): string {
  return createHmac("sha1", `${secret}&`).update(rpcV1StringToSign(method, params), "utf8").digest("base64");
}
