// `npm run bench`: every row is a ratio of ours against a peer measured in the same run on this
// machine (ratio > 1: ours wins). Writes bench/results.json and docs/benchmarks.md. Not a test.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { closeTransports } from "../provider/cas/client-runtime";
import { certificateOrderStub } from "../sdk/stubs";
import { startEmulatorProcess, type EmulatorProcess } from "../tests/support/emulator-process";
import { emulatorStack } from "../tests/support/engine";
import { findOrBuildPulumiCli } from "../offline/pulumi-cli";
import { apiCallRows, apiCallsPerPhase, instanceApiCallRows, instanceApiCallsPerPhase } from "./api-calls";
import { clientRows, instructionRows } from "./client-rows";
import { CASES, coldStart, type ColdStart } from "./cold-start";

const ROOT = resolve(__dirname, "..", "..");
interface Row {
  name: string;
  ours: number;
  peer: number;
  unit: string;
  ratio: number;
  /** How far the rounds of a row measured in rounds spread (client rows). */
  spread?: string | undefined;
  note?: string | undefined;
}
const rows: Row[] = [];
const COLD_START_ROW = "provider cold start, quotaCheck off: host spawn → first check answered";
/** Rows whose name changed: a run of their section replaces the row of the old name in place. */
const RENAMED: Record<string, string> = {
  "provider cold start: host spawn → first check answered (median of 3)": COLD_START_ROW,
};
const add = (
  name: string,
  ours: number,
  peer: number,
  unit: string,
  higherIsBetter: boolean,
  note?: string,
) => {
  // 0 against 0 (no call where none is needed) is a tie, not 0/0.
  const ratio = ours === peer ? 1 : higherIsBetter ? ours / peer : peer / ours;
  rows.push({ name, ours: round(ours), peer: round(peer), unit, ratio: round(ratio), note });
  console.log(
    `${name.padEnd(58)} ours ${String(round(ours)).padStart(10)} ${unit.padEnd(8)} peer ${String(round(peer)).padStart(10)}   ×${round(ratio)}${note ? `   (${note})` : ""}`,
  );
};
const round = (n: number) => Math.round(n * 100) / 100;
/** A row whose ratio and spread come from its rounds (bench/client-rows.ts). */
const addMeasured = (r: Required<Row>) => {
  rows.push({ ...r, ours: round(r.ours), peer: round(r.peer), ratio: round(r.ratio) });
  console.log(
    `${r.name.padEnd(58)} ours ${String(round(r.ours)).padStart(10)} ${r.unit.padEnd(8)} peer ${String(round(r.peer)).padStart(10)}   ×${round(r.ratio)}   [${r.spread}]   (${r.note})`,
  );
};

async function batchRow(): Promise<void> {
  const L = 20;
  const emu = await startEmulatorProcess([
    "--qps",
    String(L),
    "--plan-size",
    "500",
    "--validation",
    "manual",
  ]);
  process.env.ALIBABA_CLOUD_ENDPOINT_CAS = emu.endpoint;
  // The provider exactly as the host loads it: by package name.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const provider = require("pulumi-alicloud-cas/provider").order;
  const config: Record<string, string> = {
    "alicloud:accessKey": emu.accessKeyId,
    "alicloud:secretKey": emu.accessKeySecret,
    "alicloud-cas:qps": String(L),
  };
  await provider.configure({ config: { get: (k: string) => config[k] } });
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, async (_, i) => {
      const { inputs, failures } = await provider.check(
        {},
        {
          domain: `b${i}.example.com`,
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
          quotaCheck: "off",
        },
      );
      if (failures.length) throw new Error(JSON.stringify(failures));
      return provider.create(inputs);
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const errors = results.filter((r) => r.status === "rejected").length;
  const orders = (await emu.control("GET", "orders")) as Array<{ domains: string[] }>;
  const duplicates = orders.length - new Set(orders.map((o) => o.domains[0])).size;
  const throttled = ((await emu.control("GET", "requests")) as Array<{ outcome: string }>).filter(
    (r) => r.outcome === "Throttling.User",
  ).length;
  add(
    `batch: 200 orders through the provider, API limit ${L}/s: bound 200/L vs wall`,
    wall,
    200 / L,
    "s",
    false,
    `user-visible errors ${errors}, duplicates ${duplicates}, throttling answers absorbed ${throttled}`,
  );
  delete process.env.ALIBABA_CLOUD_ENDPOINT_CAS;
  await emu.stop();
}

/** One stack process (tests/support/stack-process.ts), started and configured, waiting for "go". */
async function startStack(emu: EmulatorProcess, prefix: string, orders: number, qps: number) {
  const script = resolve(__dirname, "..", "tests", "support", "stack-process.js");
  const child = spawn(
    process.execPath,
    [
      script,
      emu.endpoint,
      emu.accessKeyId,
      emu.accessKeySecret,
      prefix,
      String(orders),
      "10",
      String(qps),
      "wait",
    ],
    { stdio: ["pipe", "pipe", "ignore"] },
  );
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((ok, fail) => {
    const poll = setInterval(() => out.includes("ready\n") && (clearInterval(poll), ok()), 20);
    child.once("exit", (code) => (clearInterval(poll), fail(new Error(`stack process exited with ${code}`))));
  });
  const done = new Promise<{ errors: string[]; ids: string[] }>((ok) =>
    child.once("exit", () => ok(JSON.parse(out.slice(out.indexOf("ready\n") + 6)))),
  );
  return { go: () => child.stdin.end("go\n"), done };
}

/**
 * S separate provider processes (stacks) on one account limited to L requests/s per action, each
 * creating N orders with 10 in flight and believing it has the whole limit. The bound is S·N/L:
 * the account cannot take the creates any faster.
 */
async function stacksRows(): Promise<void> {
  const L = 10;
  const N = 20;
  for (const S of [2, 4, 10]) {
    const emu = await startEmulatorProcess([
      "--qps",
      String(L),
      "--plan-size",
      "1000",
      "--validation",
      "manual",
    ]);
    const stacks = await Promise.all(Array.from({ length: S }, (_, s) => startStack(emu, `s${s}-`, N, L)));
    const started = performance.now();
    for (const stack of stacks) stack.go();
    const results = await Promise.all(stacks.map((stack) => stack.done));
    const wall = (performance.now() - started) / 1000;
    const errors = results.reduce((n, r) => n + r.errors.length, 0);
    const orders = (await emu.control("GET", "orders")) as Array<{ domains: string[] }>;
    const duplicates = orders.length - new Set(orders.map((o) => o.domains[0])).size;
    const throttled = ((await emu.control("GET", "requests")) as Array<{ outcome: string }>).filter(
      (r) => r.outcome === "Throttling.User",
    ).length;
    add(
      `many stacks: ${S} provider processes × ${N} orders, one account at ${L}/s per action: bound S·N/L vs wall`,
      wall,
      (S * N) / L,
      "s",
      false,
      `user-visible errors ${errors}, duplicates ${duplicates}, orders ${orders.length}, throttling answers absorbed ${throttled}`,
    );
    await emu.stop();
  }
}

async function serializationRows(): Promise<void> {
  const time = async (make: () => object) => {
    const t0 = performance.now();
    let text = "";
    for (let i = 0; i < 20; i++) {
      const provider = make();
      text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    }
    return { bytes: Buffer.byteLength(text), ms: (performance.now() - t0) / 20 };
  };
  await time(() => ({ warmUp: () => 1 })); // the first serialization in a process loads the inspector
  const ours = await time(() => ({ ...certificateOrderStub }));
  // The pattern Pulumi's docs recommend: require the implementation inside each method by its
  // subpath and export name.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const peer = await time(() => ({
    configure: (...a: unknown[]) =>
      require("pulumi-alicloud-cas/provider").certificateOrderProvider.configure(...a),
    check: (...a: unknown[]) => require("pulumi-alicloud-cas/provider").certificateOrderProvider.check(...a),
    diff: (...a: unknown[]) => require("pulumi-alicloud-cas/provider").certificateOrderProvider.diff(...a),
    create: (...a: unknown[]) =>
      require("pulumi-alicloud-cas/provider").certificateOrderProvider.create(...a),
    read: (...a: unknown[]) => require("pulumi-alicloud-cas/provider").certificateOrderProvider.read(...a),
    update: (...a: unknown[]) =>
      require("pulumi-alicloud-cas/provider").certificateOrderProvider.update(...a),
    delete: (...a: unknown[]) =>
      require("pulumi-alicloud-cas/provider").certificateOrderProvider.delete(...a),
  }));
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Methods that close over the imported implementation do not serialize at all.
  const impl = (await import("../provider/hosted.js")).order;
  let capturing = "serializes";
  try {
    await time(() => ({ create: (i: unknown) => impl.create(i as never) }));
  } catch (e) {
    capturing = `fails: ${(e as Error).message.split("\n")[0]}`;
  }
  const note = `peer: require inside each method by subpath; closing over the implementation instead ${capturing}`;
  add("__provider size per resource (stored twice)", ours.bytes, peer.bytes, "bytes", false, note);
  add("__provider serialization time (uncached, mean of 20)", ours.ms, peer.ms, "ms", false);
}

/**
 * Cold start of the provider host, ours against the no-op dynamic provider: rounds alternate the
 * three so that load on the shared machine falls on all of them alike; each row is the medians'
 * ratio, with every sample's range in the note. The CPU rows count the host's main thread only,
 * which the machine's load hardly moves.
 */
async function coldStartRows(emu: EmulatorProcess): Promise<void> {
  const rounds = 15;
  const names = ["quotaOff", "defaults", "noop"] as const;
  const runs = Object.fromEntries(names.map((n) => [n, [] as ColdStart[]])) as Record<
    (typeof names)[number],
    ColdStart[]
  >;
  for (let round = 0; round < rounds; round++)
    for (const name of names) runs[name].push(await coldStart(emu, CASES[name]));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} ms`;
  const cases = [
    [COLD_START_ROW, "quotaOff", "quotaCheck off: no API call"],
    [
      "provider cold start, default inputs: host spawn → first check answered",
      "defaults",
      "quotaCheck warn: one plan look-up (DescribePackageState) against the emulator",
    ],
  ] as const;
  for (const measure of ["checked", "cpu"] as const) {
    const peer = runs.noop.map((r) => r[measure]);
    if (peer.some(Number.isNaN)) continue; // no /proc: no CPU rows
    for (const [row, name, what] of cases) {
      const ours = runs[name].map((r) => r[measure]);
      add(
        measure === "checked"
          ? row
          : row.replace("host spawn → first check answered", "host main-thread CPU until then"),
        median(ours),
        median(peer),
        "ms",
        false,
        `peer: a no-op dynamic provider; ${what}; median of ${rounds} alternating, ours ${spread(ours)}, peer ${spread(peer)}`,
      );
    }
  }
}

/** The Pulumi CLI the engine rows run (found, or built once into the cache). */
async function engineBin(): Promise<string> {
  const cli = await findOrBuildPulumiCli({
    log: (line) => console.error(`[pulumi-cli] ${line}`),
    toolOutput: (line) => console.error(`  ${line}`),
    rerun: "`npm run bench`",
  });
  return cli.bin;
}

async function engineRow(emu: EmulatorProcess): Promise<void> {
  process.env.PULUMI_CAS_ENGINE_BIN = await engineBin();
  const { CertificateOrder } = await import("pulumi-alicloud-cas");
  class Noop extends pulumi.dynamic.Resource {
    constructor(name: string) {
      super({ create: async () => ({ id: name }) }, name, {}, {}, "bench", "Noop");
    }
  }
  const previewMs = async (project: string, program: () => void) => {
    const s = await emulatorStack(project, async () => program(), emu);
    const t0 = performance.now();
    await s.stack.preview();
    const ms = performance.now() - t0;
    await s.dispose();
    return ms;
  };
  const ours = await previewMs("bench-orders", () => {
    for (let i = 0; i < 200; i++)
      new CertificateOrder(`o${i}`, {
        domain: `p${i}.example.com`,
        username: "u",
        phone: "13800001111",
        email: "a@example.com",
      });
  });
  const peer = await previewMs("bench-noop", () => {
    for (let i = 0; i < 200; i++) new Noop(`n${i}`);
  });
  add(
    "engine: pulumi preview of 200 resources",
    ours / 1000,
    peer / 1000,
    "s",
    false,
    "peer: 200 no-op dynamic resources",
  );
}

/**
 * API calls per order for preview, up (to issued) and two refreshes of 200 orders with validations,
 * against CAS answering `CertId` in `DescribeCertificateState`, then the list calls of the same run
 * against CAS answering without it (`--omit-cert-id`, as before 2025-07).
 */
async function apiCallsRows(): Promise<void> {
  process.env.PULUMI_CAS_ENGINE_BIN ??= await engineBin();
  const run = async (extra: string[], project: string) => {
    const emu = await startEmulatorProcess([
      "--validate-after",
      "100",
      "--issue-after",
      "100",
      "--plan-size",
      "1000",
      ...extra,
    ]);
    try {
      return await apiCallsPerPhase(emu, 200, true, project);
    } finally {
      await emu.stop();
    }
  };
  const withCertId = await run([], "bench-calls");
  const withoutCertId = await run(["--omit-cert-id"], "bench-calls-no-cert-id");
  for (const r of apiCallRows(withCertId, 200, withoutCertId))
    add(r.name, r.ours, r.minimum, "calls", false, `peer: the minimum; ${r.note}`);
}

/** API calls per certificate for preview, up (to issued) and two refreshes of 20 InstanceCertificates from the TEST pool, with validations. */
async function instanceApiCallsRows(): Promise<void> {
  process.env.PULUMI_CAS_ENGINE_BIN ??= await engineBin();
  const count = 20;
  const emu = await startEmulatorProcess([
    "--validate-after",
    "100",
    "--issue-after",
    "100",
    "--test-instances",
    String(count),
  ]);
  try {
    const phases = await instanceApiCallsPerPhase(emu, count, "bench-instance-calls");
    for (const r of instanceApiCallRows(phases, count))
      add(r.name, r.ours, r.minimum, "calls", false, `peer: the minimum; ${r.note}`);
  } finally {
    await emu.stop();
  }
}

async function main(): Promise<void> {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "?",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    /** Load averages (1, 5, 15 min) at the start and at the end of the run: the machine is shared. */
    load: { start: loadavg().map(round), end: [] as number[] },
  };
  console.log(`machine: ${JSON.stringify(machine)}\n`);
  // `npm run bench -- stacks batch` (sections: client instructions serialization coldstart batch stacks engine api-calls instance-api-calls) runs only those sections and keeps the other rows of the last run.
  const only = new Set(process.argv.slice(2));
  const wanted = (name: string) => only.size === 0 || only.has(name);
  const emu = await startEmulatorProcess();
  if (wanted("client")) await clientRows(emu, addMeasured);
  if (wanted("instructions")) await instructionRows(emu, addMeasured);
  if (wanted("serialization")) await serializationRows();
  if (wanted("coldstart")) await coldStartRows(emu);
  if (wanted("batch")) await batchRow();
  if (wanted("stacks")) await stacksRows();
  if (wanted("engine")) await engineRow(emu);
  if (wanted("api-calls")) await apiCallsRows();
  if (wanted("instance-api-calls")) await instanceApiCallsRows();
  await emu.stop();
  await closeTransports();
  machine.load.end = loadavg().map(round);
  console.log(
    `\nload average (1/5/15 min): start ${machine.load.start.join(" ")}, end ${machine.load.end.join(" ")}`,
  );
  const file = resolve(ROOT, "bench", "results.json");
  if (only.size > 0 && existsSync(file)) {
    // Rows of sections not run this time stay as measured last time, in their place.
    const previous = (JSON.parse(readFileSync(file, "utf8")) as { rows: Row[] }).rows;
    const fresh = new Map(rows.map((r) => [r.name, r]));
    const merged = previous.map((r) => fresh.get(RENAMED[r.name] ?? r.name) ?? r);
    // A new row goes after the row measured just before it in this run.
    rows.forEach((r, i) => {
      if (merged.includes(r)) return;
      const after = i > 0 ? merged.indexOf(rows[i - 1]!) : -1;
      merged.splice(after >= 0 ? after + 1 : merged.length, 0, r);
    });
    rows.splice(0, rows.length, ...merged);
  }
  writeFileSync(file, JSON.stringify({ machine, rows }, null, 2) + "\n");
  const table = rows
    .map(
      (r) =>
        `| ${r.name} | ${r.ours} ${r.unit} | ${r.peer} ${r.unit} | ×${r.ratio} | ${r.spread ?? ""} | ${r.note ?? ""} |`,
    )
    .join("\n");
  // Sections below the table (from its first "## " heading on) are written by hand and kept.
  const docs = resolve(ROOT, "docs", "benchmarks.md");
  const kept = existsSync(docs) ? (/\n## [\s\S]*$/.exec(readFileSync(docs, "utf8"))?.[0] ?? "") : "";
  writeFileSync(
    docs,
    `# Benchmarks\n\nWritten by \`npm run bench${only.size ? ` -- ${[...only].join(" ")}` : ""}\` (${machine.date}${only.size ? "; the other rows are from the previous run" : ""}) on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average (1/5/15 min) ${machine.load.start.join(" / ")} at the start, ${machine.load.end.join(" / ")} at the end.\nEvery row is measured against its peer in the same run, against the CAS emulator on loopback (a separate process). Ratio > 1: ours is better. Spread: the client rows' interquartile range over their rounds (ours, peer, and the per-round ratio), or for instruction counts the full range. Instruction counts (callgrind on the client process's main thread) are the figures for comparing the clients: the machine's load does not move them. CPU per call is measured in the client's process only, but a loaded machine still inflates it; throughput rows (calls/s, req/s) are load-sensitive context, not targets. The machine is shared; rows measured once move by ±20 %. How far two runs back to back agree: [below](#two-runs-back-to-back). Where the provider's cold start goes, and how to profile it: [cold-start.md](cold-start.md).\n\n| row | ours | peer | ratio | spread | note |\n| --- | --- | --- | --- | --- | --- |\n${table}\n${kept}`,
  );
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
