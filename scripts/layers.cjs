// The one table of the package's layers: which folder (or file) belongs to which layer, and which
// layers each one may import. eslint.config.mjs turns it into `no-restricted-imports` rules per
// folder, scripts/check-import-graph.cjs checks every resolved import (type imports, `import()`
// types and `require()` included) against it and finds cycles, and docs/architecture.md shows it
// (`node scripts/check-import-graph.cjs --table` prints that section; a test keeps them equal).

const fs = require("node:fs");
const path = require("node:path");

/** The package's own name: importing it from inside a layer bypasses the table. */
const PACKAGE_NAME = "pulumi-alicloud-cas";

/**
 * @typedef {object} Layer
 * @property {string} name
 * @property {string[]} paths folders (ending in `/`) or files, relative to the repository root; a
 *   file belongs to the layer with the longest matching path
 * @property {string[] | "*"} may the layers its files may import besides their own ("*": any)
 * @property {string} what one line for the architecture page
 */

/** @type {Layer[]} Lower layers first. */
const LAYERS = [
  {
    name: "protocol",
    paths: ["protocol/"],
    may: [],
    what: "signers, percent-encoding, lossless JSON: shared by client and emulator",
  },
  {
    name: "runtime",
    paths: ["runtime/"],
    may: [],
    what: "the Node-version guard, imported first by every entry point, and the clock (`Clock`, `systemClock`)",
  },
  {
    name: "emulator",
    paths: ["emulator/"],
    may: ["protocol", "runtime"],
    what: "the local CAS: its own tables and rules, never the provider's",
  },
  {
    name: "client",
    paths: ["provider/cas/"],
    may: ["protocol", "runtime"],
    what: "`pulumi-alicloud-cas/client`: signing, transport, retries, credentials, response schemas",
  },
  {
    name: "pki",
    paths: ["provider/pki/"],
    may: ["runtime"],
    what: "CSR and X.509 parsing",
  },
  {
    name: "rules",
    paths: [
      "provider/order/input-values.ts",
      "provider/order/object-keys.ts",
      "provider/order/output-names.ts",
      "provider/order/record-name.ts",
    ],
    may: ["pki", "runtime"],
    what: "pure rules the SDK and the controllers share: accepted input values, output names, record names",
  },
  {
    name: "components",
    paths: ["provider/components/"],
    may: ["rules", "pki", "runtime"],
    what: "the composition of ManagedCertificate, shared by the SDK's component and the plugin's `construct`: each passes how to make its parts",
  },
  {
    name: "provider",
    paths: ["provider/"],
    may: ["rules", "pki", "client", "protocol", "runtime"],
    what: "composition root and CRUD controllers, with their domain modules",
  },
  {
    name: "plugin",
    paths: ["provider/plugin/"],
    may: ["provider", "components", "rules", "pki", "client", "protocol", "runtime"],
    what: "`pulumi-resource-alicloudcas`: the same controllers served as a Pulumi provider plugin (a front door beside provider/hosted.ts)",
  },
  {
    name: "sdk",
    paths: ["sdk/"],
    may: ["components", "rules", "pki", "runtime"],
    what: "the resources programs import; never a controller or the client",
  },
  {
    name: "offline",
    paths: ["offline/"],
    may: ["emulator", "runtime"],
    what: "`cas-offline`: a program against the emulator under the real engine",
  },
  {
    name: "tooling",
    paths: ["tests/", "bench/", "examples/", "scripts/"],
    may: "*",
    what: "tests, benchmarks, examples, scripts: may import anything",
  },
];

/**
 * Loads that cross layers on purpose, each with why. They are resolved at run time to a build
 * artifact, so they are no edge of the source graph; any other crossing fails.
 * @type {Array<{ from: string; specifier: string; why: string }>}
 */
const LATE_LOADS = [
  {
    from: "sdk/index.ts",
    specifier: "#provider-host",
    why:
      "the package root's `o`, `v`, `i`, which the serialized stubs call, load the provider host bundle " +
      "(dist/provider/hosted.bundle.js) by the package's private import name, inside the provider process only",
  },
];

/** The layer of `file` (a path relative to the root, `/`-separated), or undefined outside every layer. */
function layerOf(file) {
  let best;
  for (const layer of LAYERS)
    for (const p of layer.paths) {
      const hit = p.endsWith("/") ? file.startsWith(p) : file === p;
      if (hit && (!best || p.length > best.path.length)) best = { layer, path: p };
    }
  return best?.layer;
}

/** Whether a file of layer `from` may import a file of layer `to`. */
function mayImport(from, to) {
  return from.name === to.name || from.may === "*" || from.may.includes(to.name);
}

/** The table as the architecture page shows it (Markdown). */
function renderTable() {
  const rows = LAYERS.map(
    (l) =>
      `| ${l.name} | ${l.paths.map((p) => `\`${p}\``).join(", ")} | ${
        l.may === "*" ? "anything" : l.may.length ? l.may.join(", ") : "nothing of ours"
      } | ${l.what} |`,
  );
  const late = LATE_LOADS.map((l) => `- \`${l.from}\` → \`${l.specifier}\`: ${l.why}.`);
  return [
    "| layer | files | may import | what it holds |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    "Loads across layers on purpose (resolved at run time to a build artifact, never a source module):",
    "",
    ...late,
  ].join("\n");
}

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** `a/b` relative to folder `from` (both relative to the root), `/`-separated, without a trailing `/`. */
const relativePath = (from, to) => path.posix.relative(from || ".", to.replace(/\/$/, "")) || ".";
/** A regex alternative for a layer path as seen from inside a folder (`sub/` or `sub/file.ts`). */
const pathAlternative = (rel, isFolder) =>
  isFolder ? `${escapeRegex(rel)}(?:/|$)` : `${escapeRegex(rel.replace(/\.ts$/, ""))}(?:\\.[cm]?[jt]s)?$`;

/**
 * The `no-restricted-imports` patterns for files directly in folder `dir` of layer `layer`: one
 * regex per layer path it may not reach, matching the specifiers that resolve there (`../x`,
 * `./x`), minus the paths of other layers nested inside it.
 */
function restrictedPatterns(dir, layer) {
  const own = (l) => l.name === layer.name || mayImport(layer, l);
  const patterns = [];
  for (const target of LAYERS) {
    if (own(target)) continue;
    for (const t of target.paths) {
      const isFolder = t.endsWith("/");
      const base = t.replace(/\/$/, "");
      const message = `${layer.name} (${dir}/) may not import ${target.name} (${t}): the layer table in scripts/layers.cjs, shown in docs/architecture.md`;
      if (!isFolder) {
        patterns.push({ regex: `^(?:\\./)?${pathAlternative(relativePath(dir, t), false)}`, message });
        continue;
      }
      // Paths inside the target that belong to other layers: allowed ones stay open, and forbidden
      // ones have their own pattern (one message per crossing).
      const carveOuts = LAYERS.flatMap((l) =>
        l.paths
          .filter((p) => p !== t && p.startsWith(`${base}/`))
          .map((p) => ({ p, isFolder: p.endsWith("/") })),
      );
      const inside = dir === base || dir.startsWith(`${base}/`);
      if (inside && carveOuts.some((c) => c.isFolder && (dir === c.p.slice(0, -1) || dir.startsWith(c.p)))) {
        // `dir` lies in an allowed folder inside the target: only going up out of it can reach the target.
        const up = relativePath(dir, base); // "..", "../.."
        const excl = carveOuts.map((c) =>
          pathAlternative(path.posix.relative(base, c.p.replace(/\/$/, "")), c.isFolder),
        );
        patterns.push({
          regex: `^(?:\\./)?${escapeRegex(up)}(?:$|/(?!\\.\\.(?:/|$))${excl.length ? `(?!${excl.join("|")})` : ""})`,
          message,
        });
        continue;
      }
      if (inside) {
        // `dir` itself is the target's (a file of a file-level layer): siblings and the folders above reach it.
        const excl = carveOuts
          .filter((c) => c.p.startsWith(`${dir}/`))
          .map((c) => pathAlternative(path.posix.relative(dir, c.p.replace(/\/$/, "")), c.isFolder));
        patterns.push({ regex: `^\\./${excl.length ? `(?!${excl.join("|")})` : ""}`, message });
        const up = relativePath(dir, base);
        const exclUp = carveOuts.map((c) =>
          pathAlternative(path.posix.relative(base, c.p.replace(/\/$/, "")), c.isFolder),
        );
        if (up !== ".")
          patterns.push({
            regex: `^${escapeRegex(up)}(?:$|/(?!\\.\\.(?:/|$))${exclUp.length ? `(?!${exclUp.join("|")})` : ""})`,
            message,
          });
        continue;
      }
      const rel = relativePath(dir, base);
      const excl = carveOuts.map((c) =>
        pathAlternative(path.posix.relative(base, c.p.replace(/\/$/, "")), c.isFolder),
      );
      patterns.push({
        regex: `^(?:\\./)?${escapeRegex(rel)}(?:$|/${excl.length ? `(?!${excl.join("|")})` : ""})`,
        message,
      });
    }
  }
  if (layer.may !== "*")
    patterns.push({
      regex: `^(?:${escapeRegex(PACKAGE_NAME)}(?:/|$)|#)`,
      message: `${layer.name} (${dir}/) imports this package's own modules by path, within the layer table (scripts/layers.cjs)`,
    });
  return patterns;
}

/**
 * ESLint config blocks: `@typescript-eslint/no-restricted-imports` for the files of every folder of
 * every layer (and of every file-level layer path, which come last so that they win), generated
 * from {@link LAYERS}. `root` is the repository, whose folders are walked.
 */
function eslintLayerBlocks(root) {
  const blocks = [];
  const rule = (files, dir, layer) => ({
    files,
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: restrictedPatterns(dir, layer) }],
    },
  });
  const dirs = new Set();
  const walk = (dir) => {
    dirs.add(dir);
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true }))
      if (e.isDirectory() && e.name !== "node_modules" && e.name !== "dist") walk(`${dir}/${e.name}`);
  };
  for (const layer of LAYERS)
    for (const p of layer.paths)
      if (p.endsWith("/") && fs.existsSync(path.join(root, p))) walk(p.slice(0, -1));
  for (const dir of [...dirs].sort()) {
    const layer = layerOf(`${dir}/x.ts`);
    if (layer && layer.may !== "*") blocks.push(rule([`${dir}/*.{ts,cts,mts,js,cjs,mjs}`], dir, layer));
  }
  for (const layer of LAYERS)
    for (const p of layer.paths)
      if (!p.endsWith("/") && layer.may !== "*") blocks.push(rule([p], path.posix.dirname(p), layer));
  return blocks;
}

module.exports = {
  LAYERS,
  LATE_LOADS,
  layerOf,
  mayImport,
  renderTable,
  eslintLayerBlocks,
  restrictedPatterns,
};
