// Runs before every build: tsc never deletes the output of a source file that was renamed or
// removed. Mocha's spec glob would still run a stale test (twice-run tests share process-wide
// state), and `npm pack` would ship a stale module.
//
// `node scripts/clean-dist.cjs` (npm run build) empties dist/, so tsc compiles everything.
// `node scripts/clean-dist.cjs --stale` (npm run build:changed, which every test script runs) keeps
// what tsc can build on: it deletes only the outputs whose source is gone, and tsc -b --incremental
// then compiles what changed since dist/tsconfig.tsbuildinfo. tsc trusts that file and never looks
// at its outputs, so when it is missing, or when a source has no output (part of dist/ deleted by
// hand), dist/ is emptied as a plain build does.
const { existsSync, readFileSync, readdirSync, rmSync } = require("node:fs");
const { join, relative } = require("node:path");

const root = join(__dirname, "..");
const dist = join(root, "dist");
/** Written by tsc -b --incremental; sources older than it, tsc does not compile again. */
const BUILD_INFO = join(dist, "tsconfig.tsbuildinfo");
/** Written by scripts/bundle-provider.cjs, from provider/hosted.ts (whose own output is hosted.js). */
const BUNDLE = join(dist, "provider", "hosted.bundle.js");
/** tsconfig.json's `include`: folders compiled whole, and `folder/*.ts` patterns. */
const INCLUDE = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).include;

function* files(dir, deep = true) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) yield* files(path);
    } else yield path;
  }
}

/** The sources tsc emits, relative to the root, without `.ts`. */
function sources() {
  const found = new Set();
  const add = (path) => {
    if (path.endsWith(".ts") && !path.endsWith(".d.ts")) found.add(relative(root, path).slice(0, -3));
  };
  for (const entry of INCLUDE) {
    const shallow = entry.endsWith("/*.ts");
    for (const path of files(join(root, shallow ? entry.slice(0, -"/*.ts".length) : entry), !shallow))
      add(path);
  }
  return found;
}

const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function clean() {
  rmSync(dist, { recursive: true, force: true });
}

function pruneStale() {
  if (!existsSync(BUILD_INFO)) return clean();
  // A pattern this script does not read (anything but a folder or `folder/*.ts`): it cannot tell
  // stale outputs from live ones, so it builds everything.
  if (INCLUDE.some((entry) => entry.replace(/\/\*\.ts$/, "").includes("*"))) return clean();
  const live = sources();
  for (const source of live)
    if (!existsSync(join(dist, `${source}.js`))) {
      console.error(`clean-dist: dist/${source}.js is missing: building everything`);
      return clean();
    }
  for (const path of files(dist)) {
    if (path === BUILD_INFO || path === BUNDLE || !OUTPUT.test(path)) continue;
    if (!live.has(relative(dist, path).replace(OUTPUT, ""))) rmSync(path);
  }
}

if (process.argv.includes("--stale")) pruneStale();
else clean();
