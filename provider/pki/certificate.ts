import { loadX509 } from "./x509";

/** The facts about an issued certificate that a user reads. */
export interface CertificateInfo {
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  /** SHA-1, the fingerprint CAS lists (`Fingerprint`) and consoles show; same format as SHA-256. */
  fingerprintSha1: string;
  sans: string[];
  issuer: string;
  subject: string;
}

/** Splits a PEM bundle into its certificates (leaf first, as CAS returns them). */
export function splitPemCertificates(bundle: string): string[] {
  return (
    bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)?.map((p) => `${p}\n`) ?? []
  );
}

/** Reads serial, validity, SHA-256 and SHA-1 fingerprints and DNS SANs of a PEM certificate. */
export async function describeCertificate(pem: string): Promise<CertificateInfo> {
  const x509 = loadX509();
  const cert = new x509.X509Certificate(pem);
  const thumb = Buffer.from(await cert.getThumbprint("SHA-256")).toString("hex");
  const sha1 = Buffer.from(await cert.getThumbprint("SHA-1")).toString("hex");
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    fingerprintSha256: thumb.match(/../g)!.join(":").toUpperCase(),
    fingerprintSha1: sha1.match(/../g)!.join(":").toUpperCase(),
    sans: (san?.names.items ?? [])
      .filter((n) => n.type === "dns")
      .map((n) => n.value.toLowerCase())
      .sort(),
    issuer: cert.issuer,
    subject: cert.subject,
  };
}
