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
  /** How many CN attributes the subject has (CAS binds one). */
  commonNameCount: number;
  /** subjectAltName entries that are not DNS names (`ip:10.0.0.1`, `email:…`, `url:…`), as found. */
  otherNames: string[];
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
   * @param containsSecret the value may hold a secret (a private key, or anything that is not a bare
   *   CSR): the caller must not name the property in a check failure, because the engine prints a
   *   named property's value next to the reason. Only a value that is exactly one CSR (public) or empty
   *   is safe to show, so this defaults to true.
   */
  constructor(
    reason: string,
    readonly containsSecret = true,
  ) {
    super(reason);
    this.name = "CsrError";
  }
}

const PEM_RE = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/;
const BARE_PEM_RE = new RegExp(`^${PEM_RE.source}$`);

/** True when the text is exactly one CSR PEM block (surrounding white space aside), nothing else. */
export function isBareCsrPem(text: string): boolean {
  return BARE_PEM_RE.test(text.trim());
}

/**
 * Signs of private key material in any common form, matched case-insensitively: PEM (PKCS#8, PKCS#1,
 * SEC1, OpenSSH, encrypted), PuTTY key files, and JWK private keys (`"d"` member). A key in DER/base64
 * without a header cannot be recognized here; such values fail as "not a CSR" without being shown.
 */
const KEY_MATERIAL_RES = [
  /PRIVATE[ _-]?KEY/i,
  /PuTTY-User-Key-File/i,
  /Private-Lines\s*:/i,
  /"d"\s*:\s*"/,
  /'d'\s*:\s*'/,
];

/** True when the text holds something that looks like a private key, in any form we can recognize. */
export function containsKeyMaterial(text: string): boolean {
  return KEY_MATERIAL_RES.some((re) => re.test(text));
}

const PASS_THE_CSR =
  'pass the text of the certificate signing request file, e.g. readFileSync("app.csr", "utf8"), which starts with -----BEGIN CERTIFICATE REQUEST-----';

/**
 * Re-wraps a CSR PEM canonically; throws {@link CsrError} when it is not a CSR PEM at all. Key
 * material is looked for first, and every failure of a value that is not exactly one CSR is marked
 * as not to be shown.
 */
export function canonicalCsrPem(text: string): string {
  if (text.trim() === "") throw new CsrError(`the value is empty; ${PASS_THE_CSR}`, false);
  if (containsKeyMaterial(text))
    throw new CsrError(
      "this contains a private key (was the .key file read instead of the .csr?); pass only the certificate signing request and keep the key to yourself. The value is not shown",
    );
  const m = PEM_RE.exec(text);
  if (!m) {
    const what = /-----BEGIN CERTIFICATE-----/i.test(text)
      ? "a certificate, not a certificate signing request"
      : /-----BEGIN /i.test(text)
        ? "a PEM block that is not a certificate signing request"
        : "not a PEM certificate signing request (no -----BEGIN CERTIFICATE REQUEST----- header)";
    throw new CsrError(`this is ${what}; ${PASS_THE_CSR}. The value is not shown, in case it holds a key`);
  }
  const body = m[2]!.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body))
    throw new CsrError(
      `the CSR's PEM body is not valid base64; ${PASS_THE_CSR}. The value is not shown, in case it holds a key`,
    );
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * ASCII letters in lower case, no trailing dot. Only ASCII is lower-cased: `toLowerCase` folds the
 * Kelvin sign (U+212A) into `k` and `İ` into `i̇`, so a look-alike would silently become another name;
 * left as they are, the caller's ASCII rule refuses them.
 */
export function normalizeDomain(name: string): string {
  return name
    .trim()
    .replace(/[A-Z]+/g, (c) => c.toLowerCase())
    .replace(/\.$/, "");
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
    throw new CsrError(
      `the CSR's DER structure cannot be parsed (${(e as Error).message}); ${PASS_THE_CSR}. The value is not shown, in case it holds a key`,
    );
  }
  // From here the value is a CSR (public): it may be shown if nothing else surrounds it.
  const hide = !isBareCsrPem(text);
  const key = publicKeyInfo(csr, hide);
  const signatureOk = await csr.verify().catch(() => false);
  if (!signatureOk)
    throw new CsrError(
      "the CSR's signature does not verify against its own public key (corrupted or tampered)",
      hide,
    );

  const commonName = commonNameOf(csr);
  const sanExt = csr.extensions.find(
    (e): e is X509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension,
  );
  const sanItems = sanExt?.names.items ?? [];
  const sans = [
    ...new Set(sanItems.filter((n) => n.type === "dns").map((n) => normalizeDomain(n.value))),
  ].sort();
  const otherNames = sanItems.filter((n) => n.type !== "dns").map((n) => `${n.type}:${n.value}`);
  const names = [...new Set([...(commonName ? [commonName] : []), ...sans])].sort();
  const subject = splitOutsideQuotes(csr.subjectName.toString())
    .map((s) => s.trim())
    .sort()
    .join(", ");
  return {
    pem,
    commonName,
    sans,
    names,
    commonNameCount: csr.subjectName.getField("CN").length,
    otherNames,
    ...key,
    publicKeySha256: createHash("sha256").update(new Uint8Array(csr.publicKey.rawData)).digest("hex"),
    subject,
  };
}

/**
 * Splits at each comma followed by an even number of `"` (outside a quoted value), in one pass from
 * the end: the look-ahead regex that did this rescanned the rest of the text at every comma.
 */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let end = text.length;
  let quotes = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === '"') quotes++;
    else if (text[i] === "," && quotes % 2 === 0) {
      parts.push(text.slice(i + 1, end));
      end = i;
    }
  }
  parts.push(text.slice(0, end));
  return parts.reverse();
}

/** The name CAS binds from a CSR: its subject's (first) CN, normalized; `null` without one. */
function commonNameOf(csr: X509.Pkcs10CertificateRequest): string | null {
  const cn = csr.subjectName.getField("CN")[0];
  return cn === undefined ? null : normalizeDomain(cn);
}

/**
 * The CN of a CSR without checking its key or signature (what a program can know at preview, so
 * `validationRecords` has its key); `null` when there is none or the text is not a CSR, which
 * {@link parseCsr} then reports in `check`.
 */
export function csrCommonName(text: string): string | null {
  try {
    return commonNameOf(new (loadX509().Pkcs10CertificateRequest)(canonicalCsrPem(text)));
  } catch {
    return null;
  }
}

function publicKeyInfo(
  csr: X509.Pkcs10CertificateRequest,
  hide: boolean,
): Pick<CsrInfo, "keyAlgorithm" | "keyBits" | "curve"> {
  let algorithm: { name?: string; modulusLength?: number; namedCurve?: string };
  try {
    algorithm = csr.publicKey.algorithm as typeof algorithm;
  } catch {
    throw new CsrError("unsupported key type (use RSA of at least 2048 bits, or EC P-256/P-384)", hide);
  }
  if (algorithm.name === "RSA-PSS" || algorithm.name === "RSA-OAEP")
    throw new CsrError(
      `${algorithm.name} keys are not accepted (CAS takes plain RSA keys, rsaEncryption); make the CSR with an RSA key of at least 2048 bits`,
      hide,
    );
  if (algorithm.name === "RSASSA-PKCS1-v1_5") {
    const bits = algorithm.modulusLength;
    if (!bits)
      throw new CsrError(
        "the RSA key's size cannot be read; make the CSR with an RSA key of at least 2048 bits",
        hide,
      );
    if (bits < 2048)
      throw new CsrError(`RSA key of ${bits} bits is too small (CAS needs at least 2048)`, hide);
    return { keyAlgorithm: "RSA", keyBits: bits, curve: null };
  }
  if (algorithm.name === "ECDSA" || algorithm.name === "ECDH") {
    const curve = algorithm.namedCurve ?? "";
    // The API documents ECC keys as P-256 or P-384 only.
    const bits = { "P-256": 256, "P-384": 384 }[curve];
    if (!bits)
      throw new CsrError(
        `EC curve ${curve || "(unknown)"} is not supported (CAS accepts P-256 or P-384)`,
        hide,
      );
    return { keyAlgorithm: "EC", keyBits: bits, curve };
  }
  throw new CsrError(
    `unsupported key type ${algorithm.name ?? "(unknown)"} (use RSA of at least 2048 bits, or EC P-256/P-384)`,
    hide,
  );
}
