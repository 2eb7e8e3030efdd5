// Runs before every build: tsc never deletes the output of a source file that was renamed or
// removed. Mocha's spec glob would still run a stale test (twice-run tests share process-wide
// state), and `npm pack` would ship a stale module.
//
// `node scripts/clean-dist.cjs` (npm run build) empties dist/, so tsc compiles everything.
// `node scripts/clean-dist.cjs --stale` (npm run build:changed, which every test script runs) keeps
// what tsc can build on: it deletes only the outputs whose source is gone, and tsc -b then compiles
// what changed since the build info of each project (dist/tsconfig.source.tsbuildinfo for the
// shipped source, dist/tsconfig.tooling.tsbuildinfo for tests, benchmarks, examples and scripts).
// tsc trusts those files and never looks at its outputs, so when one is missing, or when a source
// has no output (part of dist/ deleted by hand), dist/ is emptied as a plain build does.
const { existsSync, readFileSync, readdirSync, rmSync } = require("node:fs");
const { join, relative } = require("node:path");

const root = join(__dirname, "..");
const dist = join(root, "dist");
/** The projects tsconfig.json references; each one's `include` is compiled into dist/. */
const PROJECTS = ["tsconfig.source.json", "tsconfig.tooling.json"];
/** Written by tsc -b for each project; sources older than it, tsc does not compile again. */
const BUILD_INFO = PROJECTS.map((p) => join(dist, p.replace(/\.json$/, ".tsbuildinfo")));
/** Written by scripts/bundle-provider.cjs, from provider/hosted.ts (whose own output is hosted.js). */
const BUNDLE = join(dist, "provider", "hosted.bundle.js");
/** The projects' `include`: folders compiled whole, and `folder/*.ts` patterns. */
const INCLUDE = PROJECTS.flatMap((p) => JSON.parse(readFileSync(join(root, p), "utf8")).include);

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
  if (!BUILD_INFO.every((path) => existsSync(path))) return clean();
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
    if (BUILD_INFO.includes(path) || path === BUNDLE || !OUTPUT.test(path)) continue;
    if (!live.has(relative(dist, path).replace(OUTPUT, ""))) rmSync(path);
  }
}

if (process.argv.includes("--stale")) pruneStale();
else clean();
