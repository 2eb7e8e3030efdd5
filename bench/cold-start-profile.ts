// `npm run profile:coldstart [-- --runs N --cpu]`: where the provider's cold start goes. Spawns
// Pulumi's dynamic-provider host as bench/run.ts's cold-start rows do (CertificateOrder with
// quotaCheck off, with default inputs, the no-op dynamic provider, alternating), with bench/load-timing.cjs preloaded to
// time every require(), and with --cpu a CPU profile of each host process too. Prints medians over
// the runs. Not a test; the numbers move with the machine's load.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulatorProcess } from "../tests/support/emulator-process";
import { CASES, coldStart, type ColdStartCase } from "./cold-start";

const ROOT = resolve(__dirname, "..", "..");
const HOOK = resolve(ROOT, "bench", "load-timing.cjs");

interface Loaded {
  file: string;
  root: string;
  ms: number;
  self: number;
  cpu: number;
  cpuSelf: number;
  at: number;
}

/** Where a file belongs: an npm package, a folder of this project, or Node's internals. */
function owner(file: string): string {
  const path = file.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const parts = path.slice(nm + "/node_modules/".length).split("/");
    const pkg = parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
    // The project itself, reached through its own package name.
    if (pkg !== "pulumi-alicloud-cas") return pkg;
  }
  if (path.startsWith(ROOT)) return `(ours) ${relative(ROOT, path).split("/").slice(0, -1).join("/")}`;
  if (path.startsWith("node:")) return "(node internals)";
  return path === "" ? "(no script)" : path;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[(s.length - 1) >> 1]!;
};

/** Sums `value` per key in each run, then takes each key's median over the runs (absent = 0). */
function medianPerKey<T>(runs: T[][], key: (t: T) => string, value: (t: T) => number): Map<string, number> {
  const sums = runs.map((items) => {
    const m = new Map<string, number>();
    for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + value(i));
    return m;
  });
  const keys = new Set(sums.flatMap((m) => [...m.keys()]));
  return new Map([...keys].map((k) => [k, median(sums.map((m) => m.get(k) ?? 0))]));
}

/** Prints `rows` (first column, sorted by it) with `wall` beside, the `top` largest, and a total line. */
function table(
  title: string,
  rows: Map<string, number>,
  top: number,
  total?: number,
  wall?: { rows: Map<string, number>; total?: number },
): void {
  console.log(`\n${title}`);
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  const w = (ms: number | undefined) => (wall ? `  ${(ms ?? 0).toFixed(1).padStart(7)} ms` : "");
  for (const [k, ms] of sorted) console.log(`  ${ms.toFixed(1).padStart(7)} ms${w(wall?.rows.get(k))}  ${k}`);
  if (total !== undefined) console.log(`  ${total.toFixed(1).padStart(7)} ms${w(wall?.total)}  total`);
}

/** Self time per file of a V8 CPU profile, idle time left out. */
function cpuSelfTime(profileFile: string): Array<{ url: string; ms: number }> {
  const p = JSON.parse(readFileSync(profileFile, "utf8")) as {
    nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const out: Array<{ url: string; ms: number }> = [];
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!;
    if (f.functionName === "(idle)") return;
    out.push({ url: f.url || f.functionName, ms: (p.timeDeltas[i + 1] ?? 0) / 1000 });
  });
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 5;
  const cpu = args.includes("--cpu");
  const dir = mkdtempSync(join(tmpdir(), "cas-coldstart-"));
  const emu = await startEmulatorProcess();
  const cases: Array<[string, ColdStartCase]> = [
    ["CertificateOrder, quotaCheck off", CASES.quotaOff],
    ["CertificateOrder, default inputs (plan look-up)", CASES.defaults],
    ["no-op dynamic provider", CASES.noop],
  ];
  const results = cases.map(() => ({
    configured: [] as number[],
    checked: [] as number[],
    cpu: [] as number[],
    loads: [] as Loaded[][],
    profiles: [] as Array<Array<{ url: string; ms: number }>>,
  }));
  try {
    for (let run = 0; run < runs; run++)
      for (const [i, [, c]] of cases.entries()) {
        const loads = join(dir, `loads-${run}-${i}.json`);
        const profile = join(dir, `cpu-${run}-${i}.cpuprofile`);
        const t = await coldStart(emu, c, {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${HOOK}`.trim(),
          LOAD_TIMING_FILE: loads,
          ...(cpu ? { CPU_PROFILE_FILE: profile } : {}),
        });
        const r = results[i]!;
        r.configured.push(t.configured);
        r.checked.push(t.checked);
        r.cpu.push(t.cpu);
        r.loads.push(JSON.parse(readFileSync(loads, "utf8")) as Loaded[]);
        if (cpu) {
          for (let wait = 0; !existsSync(profile) && wait < 100; wait++) await sleep(50);
          await sleep(100); // written in one call, but let it finish
          r.profiles.push(cpuSelfTime(profile));
        }
      }
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${runs} runs each, medians; ms from spawning the host`);
  for (const [i, [name]] of cases.entries()) {
    const r = results[i]!;
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    console.log(
      `  ${name}: configured ${median(r.configured).toFixed(0)} ms, first check answered ${median(r.checked).toFixed(0)} ms (${spread(r.checked)}); main-thread CPU ${median(r.cpu).toFixed(0)} ms (${spread(r.cpu)})`,
    );
  }
  for (const [i, [name]] of cases.entries()) {
    const r = results[i]!;
    // Everything the host's own start-up did not load: what configure and the first check loaded.
    const later = r.loads.map((run) => {
      const hostMain = run.reduce((a, b) => (a.at <= b.at ? a : b)).root;
      return run.filter((l) => l.root !== hostMain);
    });
    const sum = (f: (l: Loaded) => number) => median(later.map((run) => run.reduce((s, l) => s + f(l), 0)));
    const files = median(later.map((run) => run.length));
    const byPackage = (f: (l: Loaded) => number) => medianPerKey(later, (l) => owner(l.file), f);
    const byFile = (f: (l: Loaded) => number) => medianPerKey(later, (l) => relative(ROOT, l.file), f);
    table(
      `${name}: require() after the host started (configure, first check), ${files} files; self ms by package, CPU then wall-clock`,
      byPackage((l) => l.cpuSelf),
      15,
      sum((l) => l.cpuSelf),
      { rows: byPackage((l) => l.self), total: sum((l) => l.self) },
    );
    table(
      `${name}: the costliest of those files, self ms, CPU then wall-clock`,
      byFile((l) => l.cpuSelf),
      12,
      undefined,
      { rows: byFile((l) => l.self) },
    );
    if (cpu) {
      const all = median(r.profiles.map((run) => run.reduce((s, x) => s + x.ms, 0)));
      table(
        `${name}: CPU profile of the whole host process, self ms by package (idle left out)`,
        medianPerKey(
          r.profiles,
          (x) => owner(x.url),
          (x) => x.ms,
        ),
        15,
        all,
      );
    }
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
