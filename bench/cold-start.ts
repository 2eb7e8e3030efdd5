// What the cold-start rows (bench/run.ts) and the cold-start profile (bench/cold-start-profile.ts)
// measure: Pulumi's dynamic-provider host spawned afresh, configured, and asked for one check.
import { readFileSync } from "node:fs";
import { certificateOrderStub } from "../sdk/stubs";
import type { EmulatorProcess } from "../tests/support/emulator-process";
import { startProviderHost, type ProviderHost } from "../tests/support/provider-host";

/** A CertificateOrder's inputs as a program passes them, with the default `quotaCheck` ("warn"). */
const ORDER_INPUTS: Record<string, unknown> = {
  domain: "cold.example.com",
  username: "u",
  phone: "13800001111",
  email: "a@example.com",
};

/** The peer: a dynamic provider that does nothing. */
const noopStub = {
  check: async (_o: unknown, n: unknown) => ({ inputs: n }),
  create: async () => ({ id: "x", outs: {} }),
};

/** One provider the cold start is measured for: its stub and the inputs of its first check. */
export interface ColdStartCase {
  stub: object;
  inputs: Record<string, unknown>;
}

export const CASES = {
  /** The first check does no API call. */
  quotaOff: { stub: certificateOrderStub, inputs: { ...ORDER_INPUTS, quotaCheck: "off" } },
  /** Default inputs: the first check looks the plan up (DescribePackageState) against the emulator. */
  defaults: { stub: certificateOrderStub, inputs: ORDER_INPUTS },
  noop: { stub: noopStub, inputs: { a: 1 } },
} satisfies Record<string, ColdStartCase>;

/** Timings of one cold start, ms from spawning the host. */
export interface ColdStart {
  /** The host answered configure (the provider's configure ran). */
  configured: number;
  /** The first check was answered. */
  checked: number;
  /**
   * CPU time of the host's main thread until then (Linux: /proc/PID/schedstat; NaN elsewhere):
   * unlike the wall-clock times, it hardly moves with the load of a shared machine.
   */
  cpu: number;
}

/** CPU ms the main thread of process `pid` has run so far (Linux), else NaN. */
function mainThreadCpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * Spawns the host with `c.stub` serialized as Pulumi would, configures it with the emulator's
 * credentials and endpoint and times its first check from the spawn (the stub's serialization in
 * this process is not counted); `env` is added to the host's environment.
 */
export async function coldStart(
  emu: EmulatorProcess,
  c: ColdStartCase,
  env: Record<string, string> = {},
): Promise<ColdStart> {
  let host: ProviderHost | undefined;
  try {
    host = await startProviderHost(
      c.stub,
      { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, ...env },
    );
    const configured = performance.now() - host.spawnedAt;
    const { failures } = await host.check(c.inputs);
    const checked = performance.now() - host.spawnedAt;
    const cpu = mainThreadCpuMs(host.pid);
    if (failures.length > 0) throw new Error(`cold-start check failed: ${JSON.stringify(failures)}`);
    return { configured, checked, cpu };
  } finally {
    host?.stop();
  }
}
