import { generateKeyPair, randomBytes, type KeyObject, type webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { x509 as loadX509 } from "./x509";

const x509 = loadX509();

const SIGNING = { name: "ECDSA", hash: "SHA-256", namedCurve: "P-256" } as const;

/** The emulator's certificate authority: a self-signed EC P-256 root that signs every order. */
export interface CaMaterial {
  certificatePem: string;
  /** PKCS#8 PEM of the root key. Emulator-only: never a real secret. */
  privateKeyPem: string;
}

export class EmulatorCa {
  private constructor(
    readonly material: CaMaterial,
    private readonly cert: X509.X509Certificate,
    private readonly key: webcrypto.CryptoKey,
  ) {}

  /** Loads persisted material, or makes a new root. */
  static async create(material?: CaMaterial): Promise<EmulatorCa> {
    if (material) {
      const der = x509.PemConverter.decodeFirst(material.privateKeyPem);
      const key = await crypto.subtle.importKey("pkcs8", der, SIGNING, false, ["sign"]);
      return new EmulatorCa(material, new x509.X509Certificate(material.certificatePem), key);
    }
    const keys = await crypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString("hex"),
      name: "CN=CAS Emulator Root CA, O=pulumi-alicloud-cas emulator",
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 10 * 365 * 86400_000),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
    const made = {
      certificatePem: cert.toString("pem") + "\n",
      privateKeyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
    };
    return new EmulatorCa(made, cert, keys.privateKey);
  }

  /** Signs a leaf for `names` over a public key (DER SubjectPublicKeyInfo); a new serial unless one is given. */
  async issue(
    publicKeySpki: ArrayBuffer,
    names: string[],
    notBefore: Date,
    days: number,
    serialNumber?: string,
  ): Promise<string> {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber:
        serialNumber ??
        randomBytes(16)
          .toString("hex")
          .replace(/^[89a-f]/, "1"),
      subject: `CN=${names[0]}`,
      issuer: this.cert.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + days * 86400_000),
      publicKey: new x509.PublicKey(publicKeySpki),
      signingKey: this.key,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns" as const, value }))),
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    return cert.toString("pem") + "\n";
  }
}

/**
 * A key CAS "generates" for `CreateCertificateRequest` (RSA 2048) or for an instance's application
 * of `keyAlgorithm`: RSA in PKCS#1 PEM as the API returns it; ECC_256 (P-256) and SM2 (the SM2
 * curve) in SEC 1 PEM (`EC PRIVATE KEY`, what OpenSSL writes; UNCONFIRMED: no source shows a
 * CAS-made EC key). Generated off the event loop (~0.1 s of CPU for RSA 2048): the emulator keeps
 * answering meanwhile.
 */
export function generateOrderKey(
  keyAlgorithm = "RSA_2048",
): Promise<{ privateKeyPem: string; publicKeySpki: ArrayBuffer }> {
  const done =
    (
      resolve: (k: { privateKeyPem: string; publicKeySpki: ArrayBuffer }) => void,
      reject: (e: Error) => void,
    ) =>
    (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => {
      if (error) return reject(error);
      const spki = publicKey.export({ type: "spki", format: "der" });
      resolve({
        privateKeyPem: privateKey
          .export({ type: privateKey.asymmetricKeyType === "ec" ? "sec1" : "pkcs1", format: "pem" })
          .toString(),
        publicKeySpki: spki.buffer.slice(spki.byteOffset, spki.byteOffset + spki.byteLength),
      });
    };
  return new Promise((resolve, reject) => {
    const rsa = /^RSA_(\d+)$/.exec(keyAlgorithm);
    if (rsa) generateKeyPair("rsa", { modulusLength: Number(rsa[1]) }, done(resolve, reject));
    else if (keyAlgorithm === "ECC_256" || keyAlgorithm === "SM2")
      generateKeyPair(
        "ec",
        { namedCurve: keyAlgorithm === "SM2" ? "SM2" : "prime256v1" },
        done(resolve, reject),
      );
    else reject(new Error(`no key algorithm ${keyAlgorithm}`));
  });
}
