// One client of the bench's client rows, in a process of its own (bench/client-rows.ts spawns one
// per client): the CPU it reports is this process's alone, neither the emulator's nor another
// client's, and no client inherits another's garbage, connection pool or JIT state.
// argv: kind (ours | sdk | floor), endpoint, access key id, secret. Each stdin line
// `{"calls":N,"concurrency":C}` runs one batch and answers one stdout line `{"rps":…,"cpuUs":…}`.
// Under callgrind (bench/client-rows.ts, instruction counts) the timed calls are bracketed by two
// system calls nothing else in the worker makes: `os.getPriority()` (uv_os_getpriority, where
// callgrind zeroes its counters) before and `process.ppid` (uv_os_getppid, where it dumps them)
// after, so that each dump holds one batch's instructions, neither start-up nor warm-up.
import { getPriority } from "node:os";
import { createInterface } from "node:readline";

/** The clients the rows compare. */
export const CLIENT_KINDS = ["ours", "sdk", "floor"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** One batch's request and answer on the worker's stdin and stdout. */
export interface Batch {
  calls: number;
  concurrency: number;
}
export interface BatchResult {
  /** Calls per second of wall-clock time. */
  rps: number;
  /** This process's CPU (user + system, every thread) per call, µs. */
  cpuUs: number;
}

/** The client's one call; each worker loads its own client's modules only. */
async function caller(
  kind: ClientKind,
  endpoint: string,
  id: string,
  secret: string,
): Promise<() => Promise<unknown>> {
  if (kind === "ours") {
    const { CasClient } = await import("../provider/cas/client.js");
    const ours = new CasClient({
      endpoint,
      accessKeyId: id,
      accessKeySecret: secret,
      env: {},
      rateLimits: false,
    });
    return () => ours.call("DescribePackageState", {});
  }
  if (kind === "sdk") {
    const { officialClient } = await import("../tests/support/official-sdk.js");
    const sdk = officialClient(endpoint, id, secret);
    return () => sdk.call("DescribePackageState", {});
  }
  const { request } = await import("undici");
  return () => request(`${endpoint}/`, { method: "POST", body: "" }).then((r) => r.body.text());
}

/** `calls` calls with `concurrency` workers, after an untimed warm-up at the same concurrency. */
async function run(one: () => Promise<unknown>, { calls, concurrency }: Batch): Promise<BatchResult> {
  const drive = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await one();
      }),
    );
  };
  await drive(Math.max(50, concurrency * 4)); // connections for this concurrency, JIT
  getPriority(); // callgrind: zero the counters
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drive(calls);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  void process.ppid; // callgrind: dump the counters
  return { rps: calls / seconds, cpuUs: (used.user + used.system) / calls };
}

async function main(): Promise<void> {
  const [kind, endpoint, id, secret] = process.argv.slice(2);
  if (!CLIENT_KINDS.includes(kind as ClientKind) || !endpoint || !id || !secret)
    throw new Error(`usage: client-worker <${CLIENT_KINDS.join("|")}> <endpoint> <accessKeyId> <secret>`);
  const one = await caller(kind as ClientKind, endpoint, id, secret);
  process.stdout.write("ready\n");
  // One batch at a time: the parent waits for each answer before it sends the next line.
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const result = await run(one, JSON.parse(line) as Batch);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  process.exit(0);
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
