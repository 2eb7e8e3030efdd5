/* eslint-disable @typescript-eslint/no-require-imports */
// Drives Pulumi's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider) over gRPC, as the
// engine does: real deserialization of the stub, real Struct conversion, real error mapping.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";

const grpc = require("@grpc/grpc-js");
const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

type Obj = Record<string, unknown>;
const ROOT = resolve(__dirname, "..", "..", "..");

export interface ProviderHost {
  check(
    news: Obj,
    olds?: Obj,
  ): Promise<{ inputs: Obj; failures: Array<{ property: string; reason: string }> }>;
  diff(
    id: string,
    olds: Obj,
    news: Obj,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Obj): Promise<{ id: string; outs: Obj }>;
  read(id: string, props: Obj): Promise<{ id: string; props: Obj }>;
  update(id: string, olds: Obj, news: Obj): Promise<Obj>;
  delete(id: string, props: Obj): Promise<void>;
  /** The serialized stub text sent as `__provider`. */
  providerText: string;
  /** `performance.now()` when the host process was spawned (after the stub was serialized). */
  spawnedAt: number;
  /** The host process's id. */
  pid: number;
  /** Everything the host printed on stderr so far (provider log lines). */
  stderr(): string;
  /**
   * Resolves with stderr once it matches `pattern`. The host writes log lines from its own process,
   * so a line may arrive after the gRPC reply that caused it: never assert on `stderr()` directly.
   */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

const S = (o: Obj) => Struct.fromJavaScript(o);

/**
 * The environment that gives a host a fake clock (tests/support/fake-clock-preload.cjs): the
 * provider's waits take no real time. For tests whose CAS moves on only by control calls.
 */
export const FAKE_CLOCK: Record<string, string> = {
  NODE_OPTIONS:
    `${process.env.NODE_OPTIONS ?? ""} --require ${resolve(ROOT, "tests", "support", "fake-clock-preload.cjs")}`.trim(),
};

/** Starts the host with `stub` serialized as Pulumi would, and configures it with `config`. */
export async function startProviderHost(
  stub: object,
  config: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ProviderHost> {
  const providerText = (await pulumi.runtime.serializeFunction(() => stub, { allowSecrets: true })).text;
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:0"],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, PULUMI_NODEJS_PROJECT: "host-test" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  const waiters = new Set<() => void>();
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
    for (const w of waiters) w();
  });
  const port = await new Promise<string>((ok, fail) => {
    child.stdout!.once("data", (c: Buffer) => ok(c.toString().split("\n")[0]!.trim()));
    child.once("exit", (code) => fail(new Error(`provider host exited ${code}: ${err}`)));
  });
  const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((ok, fail) => client[method](req, (e: Error | null, res: T) => (e ? fail(e) : ok(res))));
  const urn = "urn:pulumi:test::host-test::pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder::r";
  const withProvider = (o: Obj) => ({ ...o, __provider: providerText });

  const cfg = new pb.ConfigureRequest();
  cfg.setArgs(S(config));
  await call("configure", cfg);

  return {
    providerText,
    spawnedAt,
    pid: child.pid!,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = 10_000) {
      return new Promise((ok, fail) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(test);
        };
        const test = () => {
          if (!pattern.test(err)) return;
          done();
          ok(err);
        };
        const timer = setTimeout(() => {
          done();
          fail(
            new Error(
              `provider host stderr did not match ${pattern} within ${timeoutMs} ms; it was:\n${err}`,
            ),
          );
        }, timeoutMs);
        waiters.add(test);
        test();
      });
    },
    stop: () => child.kill(),
    async check(news, olds = {}) {
      const req = new pb.CheckRequest();
      req.setUrn(urn);
      req.setOlds(S(olds));
      req.setNews(S(withProvider(news)));
      const res = await call<{
        getInputs(): { toJavaScript(): Obj };
        getFailuresList(): Array<{ getProperty(): string; getReason(): string }>;
      }>("check", req);
      return {
        inputs: res.getInputs()?.toJavaScript() ?? {},
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new pb.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(S(withProvider(olds)));
      req.setNews(S(withProvider(news)));
      const res = await call<{
        getChanges(): number;
        getReplacesList(): string[];
        getDeletebeforereplace(): boolean;
      }>("diff", req);
      return {
        changes: res.getChanges(),
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(inputs) {
      const req = new pb.CreateRequest();
      req.setUrn(urn);
      req.setProperties(S(withProvider(inputs)));
      const res = await call<{ getId(): string; getProperties(): { toJavaScript(): Obj } }>("create", req);
      return { id: res.getId(), outs: res.getProperties().toJavaScript() };
    },
    async read(id, props) {
      const req = new pb.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(S(withProvider(props)));
      const res = await call<{ getId(): string; getProperties(): { toJavaScript(): Obj } | undefined }>(
        "read",
        req,
      );
      return { id: res.getId(), props: res.getProperties()?.toJavaScript() ?? {} };
    },
    async update(id, olds, news) {
      const req = new pb.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(S(withProvider(olds)));
      req.setNews(S(withProvider(news)));
      const res = await call<{ getProperties(): { toJavaScript(): Obj } }>("update", req);
      return res.getProperties().toJavaScript();
    },
    async delete(id, props) {
      const req = new pb.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(S(withProvider(props)));
      await call("delete", req);
    },
  };
}
