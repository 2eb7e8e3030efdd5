import { createHash } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { loadX509 } from "./x509";

/** What a PKCS#10 request says, in normalized form. */
export interface CsrInfo {
  /** Canonical PEM: one header, base64 wrapped at 64 columns, `\n` line ends, trailing newline. */
  pem: string;
  commonName: string | null;
  /** DNS names of the subjectAltName extension, normalized and sorted. */
  sans: string[];
  /** CN and SANs together, normalized, de-duplicated and sorted. */
  names: string[];
  /** `RSA` or `EC`; anything else is rejected by {@link parseCsr}. */
  keyAlgorithm: "RSA" | "EC";
  /** RSA modulus bits, or EC curve bits (256, 384). */
  keyBits: number;
  curve: string | null;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo: identifies the key. */
  publicKeySha256: string;
  /** The subject as an RFC 4514 string with attributes sorted (order-insensitive comparison). */
  subject: string;
}

/** A CSR that cannot be used, with a reason a person can act on. */
export class CsrError extends Error {
  /**
   * @param containsSecret the text holds a private key: the caller must not name the property in a
   *   check failure, because the engine prints a named property's value next to the reason.
   */
  constructor(
    reason: string,
    readonly containsSecret = false,
  ) {
    super(reason);
    this.name = "CsrError";
  }
}

const PEM_RE = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/;

/** Re-wraps a CSR PEM canonically; throws {@link CsrError} when it is not a CSR PEM at all. */
export function canonicalCsrPem(text: string): string {
  if (/-----BEGIN CERTIFICATE-----/.test(text) && !PEM_RE.test(text))
    throw new CsrError(
      "this is a certificate, not a certificate signing request (expected -----BEGIN CERTIFICATE REQUEST-----)",
    );
  if (/PRIVATE KEY-----/.test(text))
    throw new CsrError(
      "this contains a private key (was the .key file read instead of the .csr?); pass only the certificate signing request and keep the key to yourself. The value is not shown",
      true,
    );
  const m = PEM_RE.exec(text);
  if (!m)
    throw new CsrError(
      "not a PEM certificate signing request (expected -----BEGIN CERTIFICATE REQUEST-----)",
    );
  const body = m[2]!.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new CsrError("the PEM body is not valid base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** Lower case, no trailing dot, IDN-safe ASCII only (look-alikes are rejected by the caller's rules). */
export function normalizeDomain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Parses and checks a CSR: PEM shape, DER structure, self-signature, key type and size (RSA ≥ 2048
 * or EC P-256/P-384). Throws {@link CsrError} with the reason.
 */
export async function parseCsr(text: string): Promise<CsrInfo> {
  const pem = canonicalCsrPem(text);
  const x509 = loadX509();
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (e) {
    throw new CsrError(`the CSR's DER structure cannot be parsed (${(e as Error).message})`);
  }
  const key = publicKeyInfo(csr);
  const signatureOk = await csr.verify().catch(() => false);
  if (!signatureOk)
    throw new CsrError(
      "the CSR's signature does not verify against its own public key (corrupted or tampered)",
    );

  const cnValues = csr.subjectName.getField("CN");
  const commonName = cnValues.length > 0 ? normalizeDomain(cnValues[0]!) : null;
  const sanExt = csr.extensions.find(
    (e): e is X509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension,
  );
  const sans = [
    ...new Set(
      (sanExt?.names.items ?? []).filter((n) => n.type === "dns").map((n) => normalizeDomain(n.value)),
    ),
  ].sort();
  const names = [...new Set([...(commonName ? [commonName] : []), ...sans])].sort();
  const subject = csr.subjectName
    .toString()
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((s) => s.trim())
    .sort()
    .join(", ");
  return {
    pem,
    commonName,
    sans,
    names,
    ...key,
    publicKeySha256: createHash("sha256").update(new Uint8Array(csr.publicKey.rawData)).digest("hex"),
    subject,
  };
}

function publicKeyInfo(
  csr: X509.Pkcs10CertificateRequest,
): Pick<CsrInfo, "keyAlgorithm" | "keyBits" | "curve"> {
  let algorithm: { name?: string; modulusLength?: number; namedCurve?: string };
  try {
    algorithm = csr.publicKey.algorithm as typeof algorithm;
  } catch {
    throw new CsrError("unsupported key type (use RSA of at least 2048 bits, or EC P-256/P-384)");
  }
  if (algorithm.name === "RSA-PSS" || algorithm.name === "RSA-OAEP")
    throw new CsrError(
      `${algorithm.name} keys are not accepted (CAS takes plain RSA keys, rsaEncryption); make the CSR with an RSA key of at least 2048 bits`,
    );
  if (algorithm.name === "RSASSA-PKCS1-v1_5") {
    const bits = algorithm.modulusLength;
    if (!bits)
      throw new CsrError(
        "the RSA key's size cannot be read; make the CSR with an RSA key of at least 2048 bits",
      );
    if (bits < 2048) throw new CsrError(`RSA key of ${bits} bits is too small (CAS needs at least 2048)`);
    return { keyAlgorithm: "RSA", keyBits: bits, curve: null };
  }
  if (algorithm.name === "ECDSA" || algorithm.name === "ECDH") {
    const curve = algorithm.namedCurve ?? "";
    // The API documents ECC keys as P-256 or P-384 only.
    const bits = { "P-256": 256, "P-384": 384 }[curve];
    if (!bits)
      throw new CsrError(`EC curve ${curve || "(unknown)"} is not supported (CAS accepts P-256 or P-384)`);
    return { keyAlgorithm: "EC", keyBits: bits, curve };
  }
  throw new CsrError(
    `unsupported key type ${algorithm.name ?? "(unknown)"} (use RSA of at least 2048 bits, or EC P-256/P-384)`,
  );
}
