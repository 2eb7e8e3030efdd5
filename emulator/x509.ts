// The X.509 library, kept out of every other module's declarations: a type of @peculiar/x509 in the
// emulator's public .d.ts would make users' `skipLibCheck: false` builds check that package's types,
// which fail in CommonJS projects.
import type * as X509 from "@peculiar/x509";

let loaded: typeof X509 | undefined;

/** @peculiar/x509, loaded on first use (its algorithm registry needs the Reflect metadata polyfill first). */
export function x509(): typeof X509 {
  if (!loaded) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    require("reflect-metadata");
    loaded = require("@peculiar/x509") as typeof X509;
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded.cryptoProvider.set(globalThis.crypto);
  }
  return loaded;
}
