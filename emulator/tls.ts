import { randomBytes, type webcrypto } from "node:crypto";
import { isIP } from "node:net";
import { x509 as loadX509 } from "./x509";

const SIGNING = { name: "ECDSA", hash: "SHA-256", namedCurve: "P-256" } as const;

/** What an HTTPS server needs, and the CA a client must trust to reach it. */
export interface TlsMaterial {
  /** The private CA that signed `certificatePem` (give it to clients: NODE_EXTRA_CA_CERTS). */
  caPem: string;
  /** The serving certificate (leaf only). */
  certificatePem: string;
  /** PKCS#8 PEM of the serving key. Emulator-only: never a real secret. */
  privateKeyPem: string;
}

export interface TlsMaterialOptions {
  /** Names and addresses the certificate is for (default `127.0.0.1`, `::1`, `localhost`). */
  hosts?: string[];
  /** Validity (default: from an hour ago for ten years). */
  notBefore?: Date;
  notAfter?: Date;
  /** A serving certificate signed by its own key (no CA), as a quick self-made one is. */
  selfSigned?: boolean;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return await crypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]);
}

/**
 * A private CA and a serving certificate it signed, for the emulator's `--tls` and for tests: a
 * client trusts the emulator by trusting `caPem` (e.g. `NODE_EXTRA_CA_CERTS`), as it would a
 * company's private CA.
 */
export async function generateTlsMaterial(options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const x509 = loadX509();
  const hosts = options.hosts ?? ["127.0.0.1", "::1", "localhost"];
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 10 * 365 * 86400_000);
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString("hex")}`,
    name: "CN=CAS Emulator TLS CA, O=pulumi-alicloud-cas emulator",
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 10 * 365 * 86400_000),
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await keyPair();
  const leafExtensions = [
    new x509.SubjectAlternativeNameExtension(
      hosts.map((value) => ({ type: isIP(value) ? ("ip" as const) : ("dns" as const), value })),
    ),
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
  ];
  const leaf = options.selfSigned
    ? await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: `01${randomBytes(8).toString("hex")}`,
        name: `CN=${hosts[0] ?? "localhost"}`,
        notBefore,
        notAfter,
        keys: leafKeys,
        signingAlgorithm: SIGNING,
        extensions: leafExtensions,
      })
    : await x509.X509CertificateGenerator.create({
        serialNumber: `01${randomBytes(8).toString("hex")}`,
        subject: `CN=${hosts[0] ?? "localhost"}`,
        issuer: ca.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: SIGNING,
        extensions: [...leafExtensions, await x509.AuthorityKeyIdentifierExtension.create(ca)],
      });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey);
  return {
    caPem: ca.toString("pem") + "\n",
    certificatePem: leaf.toString("pem") + "\n",
    privateKeyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  };
}
