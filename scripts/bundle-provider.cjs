// Runs after tsc in every build: bundles what Pulumi's provider host loads through the package
// root (provider/hosted.ts, the `o` and `v` the serialized stubs use) into one file,
// dist/provider/hosted.bundle.js. One file instead of ~150 cuts the provider's cold start: no
// module resolution per file, and zod is tree-shaken to the parts the schemas use (the package
// loads its locales, JSON-schema code and the rest otherwise). Dependencies loaded only for some
// calls stay outside and are required when first needed: undici (the first API call),
// @peculiar/x509 and reflect-metadata (the first CSR or certificate), tldts (the first record name). The other entry points
// (the SDK, `/provider`, `/client`, `/emulator`) stay tsc's output.
const { buildSync } = require("esbuild");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const zod = JSON.parse(readFileSync(join(root, "node_modules", "zod", "package.json"), "utf8"));

buildSync({
  entryPoints: [join(root, "provider", "hosted.ts")],
  outfile: join(root, "dist", "provider", "hosted.bundle.js"),
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  // Not minified: stack traces read as the sources, and minifying saved no measurable time.
  external: ["undici", "@peculiar/x509", "reflect-metadata", "tldts"],
  banner: {
    js:
      "// pulumi-alicloud-cas provider host bundle (scripts/bundle-provider.cjs); sources in provider/.\n" +
      `// Includes zod ${zod.version} (MIT License, Copyright (c) 2025 Colin McDonnell).`,
  },
  logLevel: "warning",
});
