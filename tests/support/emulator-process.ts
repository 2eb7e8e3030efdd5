import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

/** The emulator running as a separate process (what users and the demo run), with its control API. */
export interface EmulatorProcess {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  control(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, "..", "..", "..");

/** Starts `cas-emulator` on a free port and waits for its first line; `controlToken` is sent with control calls. */
export async function startEmulatorProcess(
  args: string[] = [],
  opts: { env?: NodeJS.ProcessEnv; controlToken?: string } = {},
): Promise<EmulatorProcess> {
  const accessKeyId = "LTAIe2etestkey";
  const accessKeySecret = "e2e-test-secret-value-0123";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolve(ROOT, "dist", "emulator", "cli.js"),
      "--port",
      "0",
      "--access-key-id",
      accessKeyId,
      "--access-key-secret",
      accessKeySecret,
      ...args,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: opts.env ?? process.env },
  );
  const endpoint = await new Promise<string>((ok, fail) => {
    let buffered = "";
    child.stdout!.on("data", (c: Buffer) => {
      buffered += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buffered);
      if (m) ok(m[1]!);
    });
    child.once("exit", (code) => fail(new Error(`cas-emulator exited with ${code} before listening`)));
  });
  return {
    endpoint,
    accessKeyId,
    accessKeySecret,
    async control(method, path, body) {
      const res = await fetch(`${endpoint}/_emulator/${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(opts.controlToken ? { authorization: `Bearer ${opts.controlToken}` } : {}),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`control ${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}
