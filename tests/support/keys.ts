import { webcrypto } from "node:crypto";
import { loadX509 } from "../../provider/pki/x509";

const x509 = loadX509();

/** A subjectAltName entry: a DNS name, or another kind of name. */
type San = string | { type: "dns" | "ip" | "email" | "url"; value: string };

/** Makes a real key pair and PKCS#10 request for tests (EC P-256 by default: fast). */
export async function makeCsr(
  commonName: string | null,
  sans: San[] = [],
  key: { kind: "EC"; curve?: "P-256" | "P-384" | "P-521" } | { kind: "RSA"; bits: number } = { kind: "EC" },
): Promise<{ pem: string; keys: webcrypto.CryptoKeyPair }> {
  const alg =
    key.kind === "EC"
      ? { name: "ECDSA", namedCurve: key.curve ?? "P-256", hash: "SHA-256" }
      : {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: key.bits,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        };
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: commonName ? `CN=${commonName}, O=Example` : "O=Example",
    keys,
    signingAlgorithm: alg,
    extensions: sans.length
      ? [
          new x509.SubjectAlternativeNameExtension(
            sans.map((san) => (typeof san === "string" ? { type: "dns" as const, value: san } : san)),
          ),
        ]
      : [],
  });
  return { pem: csr.toString("pem"), keys };
}

/**
 * The same CSR as another tool might write it: wrapped at `width`, with `eol` line ends, the
 * header indented by `indent`, and a blank line after.
 */
export function rewrapCsr(pem: string, width: number, { eol = "\n", indent = "" } = {}): string {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const lines = body.match(new RegExp(`.{1,${width}}`, "g"))!.join(eol);
  return `${indent}-----BEGIN CERTIFICATE REQUEST-----${eol}${lines}${eol}-----END CERTIFICATE REQUEST-----${eol}${eol}`;
}
