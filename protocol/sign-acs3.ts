import { createHash, createHmac } from "node:crypto";
import { canonicalQuery, compareCodePoints } from "./percent-encode";

/** The algorithm name that prefixes both the string to sign and the `Authorization` header. */
const ACS3_ALGORITHM = "ACS3-HMAC-SHA256";

/** Hex SHA-256 of a request body; `e3b0c442…b855` for an empty one. */
export function sha256Hex(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

/** What an ACS3 signature covers. Header names are matched case-insensitively. */
export interface Acs3Request {
  method: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  /** Lower-case header names to sign; sorted here. */
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body (the `x-acs-content-sha256` header). */
  payloadHash: string;
}

/** The canonical request of the ACS3-HMAC-SHA256 scheme (path is always `/` for RPC APIs). */
function acs3CanonicalRequest(req: Acs3Request): string {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) lower[k.toLowerCase()] = v;
  const names = [...req.signedHeaders].map((h) => h.toLowerCase()).sort(compareCodePoints);
  const canonicalHeaders = names.map((n) => `${n}:${(lower[n] ?? "").trim()}\n`).join("");
  return [
    req.method.toUpperCase(),
    "/",
    canonicalQuery(req.query),
    canonicalHeaders,
    names.join(";"),
    req.payloadHash,
  ].join("\n");
}

/** Hex HMAC-SHA256 (raw secret as key) over `ACS3-HMAC-SHA256\n` + hex(sha256(canonical request)). */
export function signAcs3(req: Acs3Request, secret: string): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(acs3CanonicalRequest(req))}`;
  return createHmac("sha256", secret).update(stringToSign, "utf8").digest("hex");
}

/** The `Authorization` header value for an ACS3 request. */
export function acs3Authorization(req: Acs3Request, accessKeyId: string, secret: string): string {
  const names = [...req.signedHeaders].map((h) => h.toLowerCase()).sort(compareCodePoints);
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${names.join(";")},Signature=${signAcs3(req, secret)}`;
}

/** Parses an ACS3 `Authorization` header; `undefined` when it is not one. */
export function parseAcs3Authorization(
  value: string,
): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  if (!value.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields: Record<string, string> = {};
  for (const part of value.slice(ACS3_ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential, SignedHeaders, Signature } = fields;
  if (!Credential || !SignedHeaders || !Signature) return undefined;
  return { accessKeyId: Credential, signedHeaders: SignedHeaders.split(";"), signature: Signature };
}
