import type * as X509 from "@peculiar/x509";

let loaded: typeof X509 | undefined;

/**
 * @peculiar/x509, loaded on first use: it is the heaviest dependency and orders by domain never
 * need it until a certificate is issued. Its algorithm registry (tsyringe) needs the Reflect
 * metadata polyfill loaded first.
 */
export function loadX509(): typeof X509 {
  if (!loaded) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    require("reflect-metadata");
    loaded = require("@peculiar/x509") as typeof X509;
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded.cryptoProvider.set(globalThis.crypto);
  }
  return loaded;
}
