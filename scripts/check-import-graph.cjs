#!/usr/bin/env node
// The import-graph check `npm run lint` runs: every import of every source file (type imports,
// `import()` types, `export … from` and `require()` included), resolved as TypeScript resolves it,
// against the layer table (scripts/layers.cjs), and no cycle among the files. Exits 1 naming each
// upward import and each cycle.
//
//   node scripts/check-import-graph.cjs [--root DIR] [--json]   check DIR (default: the repository)
//   node scripts/check-import-graph.cjs --table                 print the table for docs/architecture.md
const { existsSync, readdirSync, readFileSync, realpathSync } = require("node:fs");
const { dirname, join, relative, resolve, sep } = require("node:path");
const ts = require("typescript");
const { LAYERS, LATE_LOADS, layerOf, mayImport, renderTable } = require("./layers.cjs");

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
/** Never part of the graph: dependencies, build output, and inputs of tests (a planted cycle lives there). */
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".demo"]);
const SKIP_PATHS = ["tests/fixtures/"];

const posix = (p) => p.split(sep).join("/");

/** Every source file under the layers' folders (and their files), relative to `root`. */
function sourceFiles(root) {
  const found = new Set();
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !SKIP_PATHS.includes(`${rel}/`)) walk(rel);
      } else if (SOURCE.test(e.name)) found.add(rel);
    }
  };
  for (const layer of LAYERS)
    for (const p of layer.paths)
      if (p.endsWith("/")) walk(p.slice(0, -1));
      else if (existsSync(join(root, p))) found.add(p);
  return [...found].sort();
}

/** The source file a built path (`./dist/x/y.js`, `./dist/x/y.d.ts`) comes from, if it exists. */
function sourceOfBuilt(root, target) {
  const rel = posix(target)
    .replace(/^\.\//, "")
    .replace(/^dist\//, "");
  const base = rel.replace(/\.d\.ts$|\.[cm]?js$/, "");
  for (const ext of [".ts", ".cts", ".mts", ".js", ".cjs"])
    if (existsSync(join(root, base + ext))) return base + ext;
  return undefined;
}

/** What the package's own name or a `#` import names, through package.json `exports` / `imports`. */
function selfReference(root, pkg, specifier) {
  const pick = (entry) =>
    typeof entry === "string"
      ? entry
      : entry && typeof entry === "object"
        ? (entry.default ?? entry.require)
        : undefined;
  if (specifier.startsWith("#")) {
    const target = pick(pkg.imports?.[specifier]);
    return target === undefined ? undefined : sourceOfBuilt(root, target);
  }
  if (!pkg.name || (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`))) return undefined;
  const sub = `.${specifier.slice(pkg.name.length)}`;
  const target = pick(pkg.exports?.[sub]) ?? (sub === "." ? pkg.main : undefined);
  return target === undefined ? undefined : sourceOfBuilt(root, target);
}

/**
 * The imports of every file: `{ from, specifier, to, self }`, `to` a file relative to root (or, for
 * a relative specifier that resolves to no source, the path it names), `self` when the package
 * loads itself by name (then no edge of the cycle graph: it loads the installed package).
 */
function importsOf(root, files) {
  const pkgPath = join(root, "package.json");
  const pkg = existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, "utf8")) : {};
  const options = {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    allowJs: true,
  };
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const realRoot = realpathSync(root);
  const inTree = (abs) => {
    const rel = posix(relative(realRoot, abs));
    if (rel.startsWith("..") || rel.split("/").some((part) => SKIP_DIRS.has(part))) return undefined;
    return rel;
  };
  const edges = [];
  for (const from of files) {
    const abs = join(realRoot, from);
    const text = readFileSync(abs, "utf8");
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (specifier.startsWith("node:")) continue;
      if (specifier.startsWith("#") || specifier === pkg.name || specifier.startsWith(`${pkg.name}/`)) {
        const to = selfReference(realRoot, pkg, specifier);
        edges.push({ from, specifier, to, self: true });
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, abs, options, ts.sys, cache).resolvedModule;
      let to =
        resolved && !resolved.isExternalLibraryImport
          ? inTree(realpathSync(resolved.resolvedFileName))
          : undefined;
      if (to === undefined && specifier.startsWith(".")) {
        // A relative path to no source (a build artifact, a file not there yet) still names a layer.
        const named = posix(relative(realRoot, resolve(dirname(abs), specifier)));
        if (!named.startsWith(".."))
          edges.push({ from, specifier, to: named, self: false, unresolved: true });
        continue;
      }
      if (to !== undefined) edges.push({ from, specifier, to, self: false });
    }
  }
  return edges;
}

/** Imports that a layer may not make. */
function upwardImports(edges) {
  const late = new Set(LATE_LOADS.map((l) => `${l.from}\u0000${l.specifier}`));
  const found = [];
  for (const e of edges) {
    if (late.has(`${e.from}\u0000${e.specifier}`)) continue;
    const from = layerOf(e.from);
    if (!from) continue;
    const to = e.to === undefined ? undefined : layerOf(e.to);
    if (e.to === undefined && e.specifier.startsWith("#"))
      found.push({ ...e, fromLayer: from.name, toLayer: "(an undeclared private import)" });
    else if (to && !mayImport(from, to)) found.push({ ...e, fromLayer: from.name, toLayer: to.name });
  }
  return found;
}

/** Every cycle (strongly connected component of more than one file, or a file importing itself). */
function cycles(edges) {
  const next = new Map();
  for (const e of edges) {
    if (e.self || e.unresolved || e.to === undefined) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from).add(e.to);
  }
  // Tarjan's algorithm, iterative (deep chains must not overflow the stack).
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  for (const start of [...next.keys()].sort()) {
    if (idx.has(start)) continue;
    const work = [[start, [...(next.get(start) ?? [])], 0]];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, succ] = frame;
      if (frame[2] < succ.length) {
        const w = succ[frame[2]++];
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push([w, [...(next.get(w) ?? [])], 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === idx.get(v)) {
        const scc = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || next.get(v)?.has(v)) found.push(scc.sort());
      }
    }
  }
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The whole check of the tree at `root`. */
function checkImportGraph(root) {
  const files = sourceFiles(root);
  const edges = importsOf(root, files);
  return { files: files.length, edges: edges.length, upward: upwardImports(edges), cycles: cycles(edges) };
}

module.exports = { checkImportGraph };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes("--table")) {
    process.stdout.write(`${renderTable()}\n`);
    process.exit(0);
  }
  const at = args.indexOf("--root");
  const root = resolve(at >= 0 ? args[at + 1] : join(__dirname, ".."));
  const result = checkImportGraph(root);
  if (args.includes("--json")) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const u of result.upward)
      console.error(`upward import: ${u.from} (${u.fromLayer}) imports "${u.specifier}" (${u.toLayer})`);
    for (const c of result.cycles) console.error(`import cycle among ${c.length} files: ${c.join(", ")}`);
    const ok = !result.upward.length && !result.cycles.length;
    console.log(
      `import graph: ${result.files} files, ${result.edges} imports; ` +
        (ok
          ? "no upward import, no cycle"
          : `${result.upward.length} upward imports, ${result.cycles.length} cycles`),
    );
  }
  process.exitCode = result.upward.length || result.cycles.length ? 1 : 0;
}
