// The bench's client rows: our client against the official @alicloud/cas20200407 SDK and a raw
// unsigned undici request (the floor), each in its own process (bench/client-worker.ts) against the
// emulator in another. Rounds alternate the clients, rotating which goes first, and the emulator is
// reset before every batch, so that load on the shared machine and the emulator's request log fall
// on every client alike. Each row's ratio is the median of its per-round ratios (two clients measured
// back to back share the machine's load of the moment), with the interquartile range of each
// client and of the per-round ratios beside it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { EmulatorProcess } from "../tests/support/emulator-process";
import { CLIENT_KINDS, type Batch, type BatchResult, type ClientKind } from "./client-worker";

/** A row as bench/run.ts records it. */
export type AddRow = (row: {
  name: string;
  ours: number;
  peer: number;
  unit: string;
  ratio: number;
  spread: string;
  note: string;
}) => void;

/** Rounds per setting: odd, so that the median is a measured round. */
const ROUNDS = 11;
/** The concurrencies measured. */
const CONCURRENCIES = [1, 16, 64] as const;
/**
 * How long one batch should take. The calls per batch are set for each concurrency from a first,
 * unrecorded batch of our client, and are the same for every client and round: enough that a batch
 * is not dominated by its start and end, few enough that a run on a loaded machine still ends.
 */
const BATCH_SECONDS = 1.2;
const MIN_CALLS = 1000;

interface Worker {
  run(batch: Batch): Promise<BatchResult>;
  /** Under callgrind: the main thread's instructions over the last batch's timed calls. */
  instructions(): number;
  stop(): Promise<void>;
}

/**
 * One worker process; with `callgrindOut`, run under `valgrind --tool=callgrind`, which zeroes its
 * counters where the worker starts a batch's timed calls and writes them to `callgrindOut.N` (the
 * N-th batch; `callgrindOut.N-01` for the main thread) where it ends them (bench/client-worker.ts).
 */
async function startWorker(kind: ClientKind, emu: EmulatorProcess, callgrindOut?: string): Promise<Worker> {
  const worker = [
    resolve(__dirname, "client-worker.js"),
    kind,
    emu.endpoint,
    emu.accessKeyId,
    emu.accessKeySecret,
  ];
  const child = callgrindOut
    ? spawn(
        "valgrind",
        [
          "-q",
          "--tool=callgrind",
          `--callgrind-out-file=${callgrindOut}`,
          "--zero-before=uv_os_getpriority",
          "--dump-before=uv_os_getppid",
          "--separate-threads=yes",
          process.execPath,
          ...worker,
        ],
        { stdio: ["pipe", "pipe", "inherit"] },
      )
    : spawn(process.execPath, worker, { stdio: ["pipe", "pipe", "inherit"] });
  let batches = 0;
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, fail) =>
    child.once("exit", (code) => fail(new Error(`client worker ${kind} exited with ${code}`))),
  );
  exited.catch(() => undefined); // observed by the next read, if any
  const next = async () => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done) throw new Error(`client worker ${kind} closed its output`);
    return line.value;
  };
  if ((await next()) !== "ready") throw new Error(`client worker ${kind} did not start`);
  return {
    async run(batch) {
      child.stdin.write(`${JSON.stringify(batch)}\n`);
      const result = JSON.parse(await next()) as BatchResult;
      batches++;
      return result;
    },
    instructions() {
      // Thread 1, the main thread, where the client's JavaScript runs. The other threads (V8's
      // background compilers and garbage-collector helpers) do work whose amount follows timing:
      // under callgrind it moved their share of a batch by ±30 % from round to round.
      const file = `${callgrindOut}.${batches}-01`;
      const total = /^summary:\s*(\d+)/m.exec(readFileSync(file, "utf8"));
      if (!total) throw new Error(`no instruction total in callgrind's dump ${file}`);
      return Number(total[1]);
    },
    async stop() {
      const gone = new Promise((ok) => child.once("exit", ok));
      child.stdin.end();
      await gone;
    },
  };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1]!;
/** Interquartile range, by the nearest measured rounds. */
const iqr = (xs: number[]) => {
  const s = sorted(xs);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.ceil(((s.length - 1) * 3) / 4)]!] as const;
};
const fmt = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));
const range = ([lo, hi]: readonly [number, number]) => `${fmt(lo)}–${fmt(hi)}`;

/** Measures every setting and adds its rows (throughput, CPU per call, floor, and at 64 the emulator's rate). */
export async function clientRows(emu: EmulatorProcess, add: AddRow): Promise<void> {
  const workers = {} as Record<ClientKind, Worker>;
  for (const kind of CLIENT_KINDS) workers[kind] = await startWorker(kind, emu);
  try {
    for (const concurrency of CONCURRENCIES) {
      let probe!: BatchResult;
      for (let i = 0; i < 2; i++) {
        // The second probe, after the first has warmed up the JIT at this concurrency.
        await emu.control("POST", "reset");
        probe = await workers.ours.run({ calls: MIN_CALLS, concurrency });
      }
      const calls = Math.max(MIN_CALLS, Math.round((probe.rps * BATCH_SECONDS) / 100) * 100);
      const runs = Object.fromEntries(CLIENT_KINDS.map((k) => [k, [] as BatchResult[]])) as Record<
        ClientKind,
        BatchResult[]
      >;
      for (let round = 0; round < ROUNDS; round++)
        for (let i = 0; i < CLIENT_KINDS.length; i++) {
          const kind = CLIENT_KINDS[(round + i) % CLIENT_KINDS.length]!;
          await emu.control("POST", "reset");
          runs[kind].push(await workers[kind].run({ calls, concurrency }));
        }
      const row = (
        name: string,
        field: keyof BatchResult,
        peerKind: ClientKind,
        unit: string,
        higherIsBetter: boolean,
        note: string,
      ) => {
        const ours = runs.ours.map((r) => r[field]);
        const peer = runs[peerKind].map((r) => r[field]);
        const ratio = (o: number, p: number) => (higherIsBetter ? o / p : p / o);
        const ratios = ours.map((o, i) => ratio(o, peer[i]!));
        const [lo, hi] = iqr(ratios);
        add({
          name,
          ours: median(ours),
          peer: median(peer),
          unit,
          ratio: median(ratios),
          spread: `IQR ours ${range(iqr(ours))}, peer ${range(iqr(peer))}, per-round ratio ×${lo.toFixed(2)}–${hi.toFixed(2)}`,
          note: `${note}; medians of ${ROUNDS} alternating rounds of ${calls} calls; ratio: the median of the per-round ratios`,
        });
      };
      row(
        `client throughput, concurrency ${concurrency}: ours vs official SDK`,
        "rps",
        "sdk",
        "calls/s",
        true,
        "each client in its own process; wall-clock rate, load-sensitive: context, not a target",
      );
      row(
        `client CPU per call, concurrency ${concurrency}: ours vs official SDK`,
        "cpuUs",
        "sdk",
        "µs",
        false,
        "CPU (user + system, every thread) of the client's process only; a loaded machine inflates it",
      );
      row(
        `client throughput, concurrency ${concurrency}: ours vs raw unsigned undici (floor)`,
        "rps",
        "floor",
        "calls/s",
        true,
        "≤ 1 by construction; wall-clock rate, load-sensitive: context, not a target",
      );
      if (concurrency === 64) {
        const ours = runs.ours.map((r) => r.rps);
        add({
          name: "emulator: signed requests/s (goal ≥ 2,000)",
          ours: median(ours),
          peer: 2000,
          unit: "req/s",
          ratio: median(ours) / 2000,
          spread: `IQR ours ${range(iqr(ours))}`,
          note: "peer = the goal; our client at concurrency 64; wall-clock rate on a shared machine, load-sensitive",
        });
      }
    }
  } finally {
    for (const kind of CLIENT_KINDS) await workers[kind].stop();
  }
}

/**
 * Instruction counts: rounds and calls per batch. Callgrind runs the worker some 50 times slower,
 * and a count hardly moves from one batch to the next, so a few short batches do.
 */
const COUNTED_ROUNDS = 3;
const COUNTED_CALLS = 100;
/**
 * The warm-up batch before the counted rounds: under callgrind the main thread's count per call
 * kept falling over the first few hundred calls (optimized code arriving, the young generation
 * growing), by a fifth between calls 150–300 and 450–600.
 */
const COUNTED_WARM_UP = 600;
/** Concurrency 1 only: on a loaded 2-core machine one setting already takes minutes. */
const COUNTED_CONCURRENCIES = [1] as const;
/** The clients counted: ours and its peer, the official SDK. */
const COUNTED_KINDS = ["ours", "sdk"] as const;

/**
 * Client instructions per call, ours against the official SDK: callgrind counts the instructions of
 * the client process's main thread (the client's JavaScript: building, signing, sending and parsing
 * each call, and the garbage collection done there) over a batch's timed calls, a figure the
 * machine's load does not move, unlike CPU time, which a loaded machine inflates through shared
 * caches and preemption. Skipped, saying so, where valgrind is absent.
 */
export async function instructionRows(emu: EmulatorProcess, add: AddRow): Promise<void> {
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    console.log("client instructions per call: skipped (no valgrind on PATH)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "cas-bench-callgrind-"));
  const workers: Partial<Record<(typeof COUNTED_KINDS)[number], Worker>> = {};
  try {
    // Started side by side: each start-up under callgrind takes minutes on a loaded machine.
    await Promise.all(
      COUNTED_KINDS.map(async (kind) => (workers[kind] = await startWorker(kind, emu, join(dir, kind)))),
    );
    for (const concurrency of COUNTED_CONCURRENCIES) {
      const counts = { ours: [] as number[], sdk: [] as number[] };
      // Round -1 warms each worker up at this concurrency (JIT tiers, heap, connections), not kept.
      for (let round = -1; round < COUNTED_ROUNDS; round++)
        for (let i = 0; i < COUNTED_KINDS.length; i++) {
          const kind = COUNTED_KINDS[(round + 1 + i) % COUNTED_KINDS.length]!;
          await emu.control("POST", "reset");
          const worker = workers[kind];
          if (!worker) throw new Error(`the ${kind} client process did not start`);
          await worker.run({ calls: round < 0 ? COUNTED_WARM_UP : COUNTED_CALLS, concurrency });
          if (round >= 0) counts[kind].push(worker.instructions() / COUNTED_CALLS / 1000);
        }
      const ratios = counts.ours.map((o, i) => counts.sdk[i]! / o);
      const span = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
      add({
        name: `client instructions per call, concurrency ${concurrency}: ours vs official SDK`,
        ours: median(counts.ours),
        peer: median(counts.sdk),
        unit: "k instr",
        ratio: median(ratios),
        spread: `range ours ${span(counts.ours)}, peer ${span(counts.sdk)}, per-round ratio ×${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
        note: `callgrind on the client process's main thread (V8's background threads left out), a count the machine's load does not move; medians of ${COUNTED_ROUNDS} alternating rounds of ${COUNTED_CALLS} calls after a warm-up batch of ${COUNTED_WARM_UP}; ratio: the median of the per-round ratios`,
      });
    }
  } finally {
    for (const kind of COUNTED_KINDS) await workers[kind]?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
