import { createHash, createPublicKey } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { x509 } from "./x509";

/** What CAS reads from a `Csr` parameter: the CN (the bound name) and the public key. */
export interface CsrFacts {
  pem: string;
  /** Lower-cased CN, or `null` when the subject has none. */
  commonName: string | null;
  /** DER SubjectPublicKeyInfo. */
  publicKeySpki: ArrayBuffer;
}

/** Why a `Csr` was refused; the model turns it into an `InvalidParameter` answer naming `Csr`. */
export class CsrRefused extends Error {}

const CSR_PEM =
  /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;

/**
 * Reads a CSR the way the `Csr` remarks describe it: PEM, RSA (≥ 2048 bits) or ECC key, a CN field
 * ("the CN field in the CSR file specifies the domain name that is bound to the certificate").
 */
export async function readCsr(text: string): Promise<CsrFacts> {
  const m = CSR_PEM.exec(text);
  if (!m) throw new CsrRefused("not a PEM certificate signing request");
  const body = m[1]!.replace(/\s+/g, "");
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${(body.match(/.{1,64}/g) ?? []).join("\n")}\n-----END CERTIFICATE REQUEST-----\n`;
  const lib = x509();
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new lib.Pkcs10CertificateRequest(pem);
  } catch (e) {
    throw new CsrRefused(`the CSR cannot be parsed (${(e as Error).message})`);
  }
  if (!(await csr.verify().catch(() => false))) throw new CsrRefused("the CSR's signature does not verify");
  const spki = new Uint8Array(csr.publicKey.rawData);
  const key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  const type = key.asymmetricKeyType;
  if (type === "rsa" || type === "rsa-pss") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new CsrRefused(`the RSA key has ${bits} bits; at least 2048 are required`);
  } else if (type !== "ec") {
    throw new CsrRefused(`the key algorithm must be RSA or ECC, not ${type ?? "unknown"}`);
  }
  const cn = csr.subjectName.getField("CN")[0];
  return {
    pem,
    commonName: cn ? cn.trim().toLowerCase().replace(/\.$/, "") : null,
    publicKeySpki: spki.buffer.slice(spki.byteOffset, spki.byteOffset + spki.byteLength),
  };
}

/** The facts list items and details report about an issued certificate. */
export interface CertificateFacts {
  /** Lower-case hex, as the SDK examples show it. */
  serialNo: string;
  notBefore: number;
  notAfter: number;
  /** SHA-1 of the DER, upper-case hex without separators (SDK example `CC6B3696…`). */
  fingerprint: string;
  /** SHA-256 of the DER, upper-case hex without separators (SDK example `56B4DED2…`). */
  sha2: string;
  /** `RSA` or `ECC`: the key algorithm of the certificate. */
  algorithm: string;
  commonName: string;
  issuerCommonName: string;
}

/** Reads one PEM certificate. */
export function certificateFacts(pem: string): CertificateFacts {
  const lib = x509();
  const cert = new lib.X509Certificate(pem);
  const der = Buffer.from(cert.rawData);
  const key = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: "der", type: "spki" });
  return {
    serialNo: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
    fingerprint: createHash("sha1").update(der).digest("hex").toUpperCase(),
    sha2: createHash("sha256").update(der).digest("hex").toUpperCase(),
    algorithm: key.asymmetricKeyType === "ec" ? "ECC" : "RSA",
    commonName: cert.subjectName.getField("CN")[0] ?? "",
    issuerCommonName: cert.issuerName.getField("CN")[0] ?? "",
  };
}

/** The SubjectPublicKeyInfo (DER) of a PEM certificate (the first one of a bundle). */
export function certificatePublicKey(pem: string): ArrayBuffer {
  const raw = new Uint8Array(new (x509().X509Certificate)(pem).publicKey.rawData);
  return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
}

/** The PEM certificates of a bundle, leaf first. */
export function splitPem(bundle: string): string[] {
  return (
    bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)?.map((p) => `${p}\n`) ?? []
  );
}

/** `RSA` or `ECC`: the key algorithm of a CSR the model already accepted. */
export function csrAlgorithm(pem: string): string {
  const csr = new (x509().Pkcs10CertificateRequest)(pem);
  const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
  return key.asymmetricKeyType === "ec" ? "ECC" : "RSA";
}

/** The SubjectPublicKeyInfo (DER) of a CSR the model already accepted. */
export function csrPublicKey(pem: string): ArrayBuffer {
  const raw = new Uint8Array(new (x509().Pkcs10CertificateRequest)(pem).publicKey.rawData);
  return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
}
