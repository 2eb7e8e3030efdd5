import { execFileSync } from "node:child_process";

/** The `go` on PATH: a test of how a Pulumi CLI gets built needs Go's own behaviour, so a real one. */
export function goOnThisMachine(): string {
  try {
    return execFileSync("bash", ["-c", "command -v go"]).toString().trim();
  } catch {
    throw new Error("no Go toolchain on PATH to run this test with (the Pulumi CLI is built with it)");
  }
}
