/* eslint-disable @typescript-eslint/no-require-imports */
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

// The served plugin driven as the engine drives it: a real gRPC client of the plugin's process.
const grpc = require("@grpc/grpc-js");
const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

type Obj = Record<string, unknown>;

/** The answers' messages, as far as the tests read them. */
interface Reply {
  getVersion(): string;
  getInputs(): { toJavaScript(): Obj };
  getFailuresList(): Array<{ getProperty(): string; getReason(): string }>;
  getChanges(): number;
  getDiffsList(): string[];
  getReplacesList(): string[];
}
type Callback = (error: { code: number; details: string } | null, response: Reply) => void;
const ROOT = resolve(__dirname, "..", "..", "..");
const PLUGIN = resolve(ROOT, "dist", "provider", "plugin", "main.js");
const SIG = "4dabf18193072939515e22adb298388d";
const VERSION = (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

/** A served plugin: `node <script> <args>`, and a gRPC client of the port it prints. */
async function served(script: string, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) ok(m[1]!);
    });
    child.on("exit", (code) => fail(new Error(`the plugin exited with ${code} before serving: ${stderr}`)));
  });
  const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  /** One unary call, answered within 10 s (a call the plugin never answers fails the test, not hangs it). */
  const call = (method: string, request: unknown) =>
    new Promise<{ error?: { code: number; details: string }; response: Reply }>((ok) =>
      (client as Record<string, (r: unknown, o: unknown, c: Callback) => void>)[method]!(
        request,
        { deadline: Date.now() + 10_000 },
        (error, response) => ok({ ...(error ? { error } : {}), response }),
      ),
    );
  return {
    call,
    stop() {
      client.close();
      child.kill();
    },
  };
}

function checkRequest(news: Obj) {
  const req = new pb.CheckRequest();
  req.setUrn("urn:pulumi:e2e::p::pulumi:providers:alicloudcas::default");
  req.setOlds(Struct.fromJavaScript({}));
  req.setNews(Struct.fromJavaScript(news));
  return req;
}

function diffRequest(olds: Obj, news: Obj, ignoreChanges: string[] = []) {
  const req = new pb.DiffRequest();
  req.setUrn("urn:pulumi:e2e::p::pulumi:providers:alicloudcas::default");
  req.setId("id");
  req.setOldInputs(Struct.fromJavaScript(olds));
  req.setOlds(Struct.fromJavaScript(olds));
  req.setNews(Struct.fromJavaScript(news));
  req.setIgnorechangesList(ignoreChanges);
  return req;
}

const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
    execFile(process.execPath, [PLUGIN, ...args], (e, stdout, stderr) =>
      ok({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
    ),
  );

describe("the plugin process (provider/plugin/main.ts, serve.ts)", function () {
  this.timeout(60_000);

  it("answers --version and --help and exits; refuses an unknown flag in one line (exit 2)", async () => {
    assert.deepEqual(await run(["--version"]), { code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: pulumi-resource-alicloudcas /);
    const bad = await run(["--bogus", "127.0.0.1:1"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, "");
    assert.equal(
      bad.stderr,
      'pulumi-resource-alicloudcas: unknown argument "--bogus"; the Pulumi engine starts this plugin (--help for its usage)\n',
    );
  });

  it("serves with the arguments the engine passes (--logtostderr, -v=N, --tracing <endpoint>, its address)", async () => {
    const plugin = await served(PLUGIN, ["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:1"]);
    try {
      const info = await plugin.call(
        "getPluginInfo",
        new (require("google-protobuf/google/protobuf/empty_pb").Empty)(),
      );
      assert.equal(info.error, undefined);
      assert.equal(info.response.getVersion(), VERSION);
    } finally {
      plugin.stop();
    }
  });

  it("CheckConfig marks every value that can carry credentials secret, and refuses unknown keys and bad values naming the alicloudcas: key", async () => {
    const plugin = await served(PLUGIN);
    try {
      const news = {
        proxy: "http://user:pr0xy-pass@127.0.0.1:3128",
        assumeRoleWithOidc: JSON.stringify({
          roleArn: "acs:ram::1234567890123456:role/ci",
          oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/ci",
          oidcToken: "inline-oidc-token",
        }),
        credentialsUri: "http://127.0.0.1:9/creds?token=uri-token",
        assumeRole: { roleArn: "acs:ram::1234567890123456:role/deploy", externalId: "ext-id" },
        accessKey: "LTAIexample",
        region: "cn-hangzhou",
        qps: "3",
      };
      const ok = await plugin.call("checkConfig", checkRequest(news));
      assert.equal(ok.error, undefined);
      assert.deepEqual(ok.response.getFailuresList(), []);
      const inputs = ok.response.getInputs().toJavaScript();
      for (const key of ["proxy", "assumeRoleWithOidc", "credentialsUri", "accessKey"])
        assert.deepEqual(
          inputs[key],
          { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: news[key as keyof typeof news] },
          key,
        );
      // An object field by field (the engine stores an object marked secret as a whole in plain text).
      assert.deepEqual(inputs.assumeRole, {
        roleArn: {
          [SIG]: "1b47061264138c4ac30d75fd1eb44270",
          value: "acs:ram::1234567890123456:role/deploy",
        },
        externalId: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "ext-id" },
      });
      assert.equal(inputs.region, "cn-hangzhou");
      assert.equal(inputs.qps, "3");

      const bad = await plugin.call("checkConfig", checkRequest({ regoin: "cn-hangzhou", qps: "fast" }));
      assert.equal(bad.error, undefined);
      const failures = (
        bad.response.getFailuresList() as Array<{ getProperty(): string; getReason(): string }>
      ).map((f): [string, string] => [f.getProperty(), f.getReason()]);
      assert.equal(failures.length, 2, JSON.stringify(failures));
      // No property named: the engine would print its value beside it, and a mistyped key may hold a secret.
      assert.equal(failures[0]![0], "");
      assert.match(
        failures[0]![1],
        /^alicloudcas:regoin is not a setting of the alicloudcas provider; did you mean alicloudcas:region\?/,
      );
      assert.match(
        failures[1]![1],
        /alicloudcas:qps: "fast" is not a positive number of requests per second/,
      );
    } finally {
      plugin.stop();
    }
  });

  it("DiffConfig lists the changed keys and never asks for a replacement", async () => {
    const plugin = await served(PLUGIN);
    try {
      const olds = { region: "cn-hangzhou", proxy: "http://u:p@127.0.0.1:3128", version: "0.1.0" };
      const changed = await plugin.call(
        "diffConfig",
        diffRequest(olds, {
          region: "ap-southeast-1",
          proxy: "http://u:p@127.0.0.1:3128",
          accessKey: "LTAI2",
          version: "0.2.0",
        }),
      );
      assert.equal(changed.error, undefined);
      assert.equal(changed.response.getChanges(), pb.DiffResponse.DiffChanges.DIFF_SOME);
      assert.deepEqual(changed.response.getDiffsList(), ["accessKey", "region"]);
      assert.deepEqual(changed.response.getReplacesList(), []);
      const same = await plugin.call(
        "diffConfig",
        diffRequest(olds, { ...olds, region: "ap-southeast-1" }, ["region"]),
      );
      assert.equal(same.response.getChanges(), pb.DiffResponse.DiffChanges.DIFF_NONE);
      assert.deepEqual(same.response.getDiffsList(), []);
    } finally {
      plugin.stop();
    }
  });

  it("a server method that fails before answering answers with a gRPC error carrying the message", async () => {
    const plugin = await served(resolve(ROOT, "dist", "tests", "support", "failing-plugin.js"));
    try {
      const check = new pb.CheckRequest();
      check.setUrn("urn:pulumi:e2e::p::alicloudcas:index:CertificateOrder::o");
      check.setOlds(Struct.fromJavaScript({}));
      check.setNews(Struct.fromJavaScript({ domain: "www.example.com" }));
      const failed = await plugin.call("check", check);
      assert.equal(failed.error?.code, grpc.status.UNKNOWN, String(failed.error?.details));
      assert.match(failed.error?.details ?? "", /^pulumi-resource-alicloudcas: check failed: /);
      const config = await plugin.call("checkConfig", checkRequest({}));
      assert.equal(config.error?.code, grpc.status.UNKNOWN);
      assert.equal(
        config.error?.details,
        "pulumi-resource-alicloudcas: checkConfig failed: planted CheckConfig failure",
      );
    } finally {
      plugin.stop();
    }
  });
});
