import { webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/**
 * Makes (once) an EC P-256 key and a CSR for `domain` under `dir`, and returns the CSR. The key
 * never leaves this machine; keeping it on disk keeps the CSR stable, so later `pulumi up`s see
 * no change.
 */
export async function localCsr(dir: string, domain: string): Promise<{ csrPem: string; keyPath: string }> {
  const keyPath = join(dir, `${domain}.key.pem`);
  const csrPath = join(dir, `${domain}.csr.pem`);
  if (existsSync(keyPath) && existsSync(csrPath)) return { csrPem: readFileSync(csrPath, "utf8"), keyPath };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  x509.cryptoProvider.set(webcrypto as never);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${domain}`,
    keys: keys as never,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: domain }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  writeFileSync(keyPath, x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n", { mode: 0o600 });
  writeFileSync(csrPath, csr.toString("pem") + "\n");
  return { csrPem: csr.toString("pem") + "\n", keyPath };
}
