// The SDKs of the provider plugin (Python, Go, .NET, Node.js) in plugin-sdk/, generated from its
// schema (provider/plugin/schema.json) by Pulumi's own code generators, which two small Go programs
// call: scripts/sdkgen (pkg/v3 v3.274.1, the Pulumi CLI's release: Python, Go, Node.js) and
// scripts/sdkgen/dotnet (pkg/v3 v3.228.0, the last release holding the .NET generator).
//
//   node scripts/plugin-sdk.cjs generate [--schema FILE]   rewrites plugin-sdk/<language>/ (npm run sdk:generate)
//   node scripts/plugin-sdk.cjs check [--schema FILE]      regenerates into a temporary folder and lists
//                                                          every file that differs from plugin-sdk/ (exit 1)
//
// Settings the schema leaves unset (package names, the Go import path, packing) come from
// plugin-sdk/schema-defaults.json, and the version from package.json; the schema's own always win. The generators are built once per
// version of their sources into ${PULUMI_CAS_CACHE:-~/.cache/pulumi-alicloud-cas}/sdkgen-<hash>
// (Go and its module proxy: a few minutes cold on 2 cores, nothing afterwards).
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const SDK_DIR = path.join(ROOT, "plugin-sdk");
const DEFAULTS = path.join(SDK_DIR, "schema-defaults.json");
const SCHEMA = path.join(ROOT, "provider", "plugin", "schema.json");
const LANGUAGES = ["python", "go", "nodejs", "dotnet"];
/** The SDKs' version where the schema gives none: the package's own. */
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;

/** Each generator: its Go module's folder, the languages it writes, the source folders its hash covers. */
const GENERATORS = [
  { name: "sdkgen", dir: path.join(ROOT, "scripts", "sdkgen"), languages: ["python", "go", "nodejs"] },
  { name: "sdkgen-dotnet", dir: path.join(ROOT, "scripts", "sdkgen", "dotnet"), languages: ["dotnet"] },
];
const SHARED_SOURCES = path.join(ROOT, "scripts", "sdkgen", "files");

function cacheDir(env = process.env) {
  return (
    env.PULUMI_CAS_CACHE ||
    path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"), "pulumi-alicloud-cas")
  );
}

/** The files of one folder (not its sub-modules), sorted, for the build's hash. */
function moduleFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.(go|mod|sum)$/.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

function sourceHash(generator) {
  const hash = createHash("sha256");
  for (const file of [...moduleFiles(generator.dir), ...moduleFiles(SHARED_SOURCES)]) {
    hash.update(path.relative(ROOT, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(
      `\`${cmd} ${args.join(" ")}\` exited with ${r.status ?? r.signal}:\n${(r.stderr || r.stdout || "").trim()}`,
    );
  return r;
}

/** The generator's executable, built into the cache when this version of its sources has none. */
function generatorBinary(generator, log) {
  const bin = path.join(cacheDir(), `${generator.name}-${sourceHash(generator)}`, generator.name);
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.error || go.status !== 0)
    throw new Error(
      `no Go toolchain on PATH to build ${generator.name} (scripts/sdkgen): install Go >= 1.25 (its modules come from the Go module proxy)`,
    );
  log(`building ${generator.name} into ${path.dirname(bin)} (first run for these sources: minutes)`);
  const started = Date.now();
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  // -mod=readonly: go.mod and go.sum are committed and never rewritten by a build.
  run("go", ["build", "-mod=readonly", "-trimpath", "-o", tmp, "."], { cwd: generator.dir });
  fs.renameSync(tmp, bin);
  log(`built ${generator.name} in ${Math.round((Date.now() - started) / 1000)}s`);
  return bin;
}

/**
 * Writes every language's SDK for `schema` under `out` (`out/<language>`, each emptied first).
 * Returns how long building the generators and generating took, in milliseconds.
 */
function generatePluginSdks({ schema = SCHEMA, out = SDK_DIR, log = () => {} } = {}) {
  if (!fs.existsSync(schema))
    throw new Error(`no schema at ${schema}: the provider plugin's \`npm run schema\` writes it`);
  const t0 = Date.now();
  const bins = GENERATORS.map((g) => [g, generatorBinary(g, log)]);
  const t1 = Date.now();
  for (const [generator, bin] of bins) {
    const r = run(
      bin,
      ["-schema", schema, "-defaults", DEFAULTS, "-version", VERSION, "-out", out, ...generator.languages],
      { cwd: ROOT },
    );
    for (const line of r.stderr.trim().split("\n")) if (line) log(line);
  }
  return { buildMs: t1 - t0, generateMs: Date.now() - t1 };
}

/** Every file under `dir`, as paths relative to it with forward slashes, sorted. */
function listFiles(dir) {
  const files = [];
  const walk = (sub) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  if (fs.existsSync(dir)) walk("");
  return files.sort();
}

/** How the committed SDKs differ from what the schema generates: files missing, extra, or changed. */
function compareWithCommitted({ schema = SCHEMA, log = () => {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-sdk-"));
  try {
    const timing = generatePluginSdks({ schema, out: tmp, log });
    const differences = [];
    for (const language of LANGUAGES) {
      const fresh = listFiles(path.join(tmp, language));
      const committed = listFiles(path.join(SDK_DIR, language));
      const all = [...new Set([...fresh, ...committed])].sort();
      for (const rel of all) {
        const name = `plugin-sdk/${language}/${rel}`;
        if (!committed.includes(rel)) differences.push(`${name}: generated, not committed`);
        else if (!fresh.includes(rel)) differences.push(`${name}: committed, no longer generated`);
        else if (
          !fs
            .readFileSync(path.join(tmp, language, rel))
            .equals(fs.readFileSync(path.join(SDK_DIR, language, rel)))
        )
          differences.push(`${name}: differs from what the schema generates`);
      }
    }
    return { differences, ...timing };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { generatePluginSdks, compareWithCommitted, listFiles, LANGUAGES, SDK_DIR, SCHEMA };

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  const at = rest.indexOf("--schema");
  const schema = at >= 0 ? path.resolve(rest[at + 1] ?? "") : SCHEMA;
  const log = (line) => console.error(`[plugin-sdk] ${line}`);
  try {
    if (command === "generate") {
      generatePluginSdks({ schema, log });
      log(`wrote ${LANGUAGES.map((l) => `plugin-sdk/${l}`).join(", ")} from ${path.relative(ROOT, schema)}`);
    } else if (command === "check") {
      const { differences } = compareWithCommitted({ schema, log });
      if (differences.length) {
        for (const d of differences) console.error(d);
        log(`${differences.length} file(s) differ: run \`npm run sdk:generate\` and commit plugin-sdk/`);
        process.exit(1);
      }
      log(`plugin-sdk/ matches ${path.relative(ROOT, schema)}`);
    } else {
      console.error("usage: node scripts/plugin-sdk.cjs generate|check [--schema FILE]");
      process.exit(2);
    }
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
