import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
// @pulumi/pulumi's own YAML parser (a dependency of it): enough to read a workflow file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): unknown };
import * as pulumi from "@pulumi/pulumi";
import { outputValue } from "../support/output-value";

// The alidns example needs the alicloud resource plugin, which cannot be installed offline: its
// program runs here under Pulumi's mocks, which check the wiring (what each resource receives).
describe("examples/alidns under pulumi.runtime.setMocks", () => {
  const created: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
  const record = {
    domain: "www.example.com",
    fqdn: "_dnsauth.www.example.com",
    rr: "_dnsauth.www",
    zone: "example.com",
    type: "TXT",
    value: "20261125abc",
  };

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":CertificateOrder"))
            return {
              id: "12000001",
              state: {
                ...args.inputs,
                orderId: "12000001",
                status: "pending_validation",
                validationRecords: { "www.example.com": record },
              },
            };
          if (args.type.endsWith(":CertificateOrderValidation"))
            return {
              id: "12000001-validation",
              state: { ...args.inputs, certificatePem: "-----BEGIN CERTIFICATE-----" },
            };
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "cas-alidns",
      "test",
      false,
    );
  });

  it("feeds the order's validation record into an AlidnsRecord and waits on it", async () => {
    const { alidns } = await import("../../examples/alidns/program.js");
    const out = alidns() as Record<string, pulumi.Output<unknown>>;
    assert.equal(await outputValue(out.certificatePem!), "-----BEGIN CERTIFICATE-----");
    assert.equal(await outputValue(out.recordId!), "www-validation-id");
    const dns = created.find((r) => r.type === "alicloud:dns/alidnsRecord:AlidnsRecord")!;
    assert.deepEqual(dns.inputs, {
      domainName: "example.com",
      rr: "_dnsauth.www",
      type: "TXT",
      value: "20261125abc",
      ttl: 600,
    });
    const order = created.find((r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder")!;
    assert.equal(order.inputs.domain, "www.example.com");
    assert.ok(typeof order.inputs.__provider === "string" && order.inputs.__provider.length <= 2048);
    const waiter = created.find(
      (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation",
    )!;
    assert.deepEqual(
      [waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["12000001", ["_dnsauth.www.example.com"]],
    );
  });

  it("finds the record for a domain given in mixed case with a trailing dot (the order normalizes it)", async () => {
    created.length = 0;
    pulumi.runtime.setConfig("cas-alidns:domain", "WWW.Example.com.");
    try {
      const { alidns } = await import("../../examples/alidns/program.js");
      const out = alidns() as Record<string, pulumi.Output<unknown>>;
      assert.equal(await outputValue(out.recordId!), "www-validation-id");
      const dns = created.find((r) => r.type === "alicloud:dns/alidnsRecord:AlidnsRecord")!;
      assert.deepEqual([dns.inputs.domainName, dns.inputs.rr], ["example.com", "_dnsauth.www"]);
    } finally {
      pulumi.runtime.setConfig("cas-alidns:domain", "www.example.com");
    }
  });
});

describe("examples' package.json", () => {
  const root = resolve(__dirname, "..", "..", "..");
  const read = (p: string) =>
    JSON.parse(readFileSync(join(root, p), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
  const pkg = read("package.json");
  const runtime = (d: string) => {
    const file = join(root, "examples", d, "Pulumi.yaml");
    if (!existsSync(file)) return undefined;
    const r = (yaml.load(readFileSync(file, "utf8")) as { runtime: string | { name: string } }).runtime;
    return typeof r === "string" ? r : r.name;
  };
  const examples = readdirSync(join(root, "examples")).filter((d) => runtime(d) === "nodejs");
  const pythonExamples = readdirSync(join(root, "examples")).filter((d) => runtime(d) === "python");

  it("every example folder except the workflow is a Pulumi project (TypeScript, or Python on the plugin)", () => {
    assert.deepEqual(
      readdirSync(join(root, "examples")).filter((d) => !examples.includes(d) && !pythonExamples.includes(d)),
      ["github-actions"],
    );
    assert.deepEqual(pythonExamples, ["python"]);
  });

  for (const name of pythonExamples)
    it(`${name} is a Python project on the generated SDK, its program importable by the tests`, () => {
      for (const file of [".gitignore", "requirements.txt", "__main__.py", "program.py"])
        assert.ok(existsSync(join(root, "examples", name, file)), `${name}/${file}`);
      assert.match(
        readFileSync(join(root, "examples", name, "program.py"), "utf8"),
        /^import pulumi_alicloudcas as cas$/m,
      );
    });

  for (const name of examples)
    it(`${name} names the published package at this version, and the versions this repository tests`, () => {
      const ex = read(`examples/${name}/package.json`);
      assert.equal(ex.dependencies["pulumi-alicloud-cas"], `^${pkg.version}`);
      for (const [dep, version] of Object.entries({ ...ex.dependencies, ...ex.devDependencies }))
        if (dep !== "pulumi-alicloud-cas")
          assert.equal(version, pkg.dependencies[dep] ?? pkg.devDependencies[dep], dep);
      for (const file of [".gitignore", "tsconfig.json", "index.ts", "program.ts"])
        assert.ok(existsSync(join(root, "examples", name, file)), `${name}/${file}`);
    });
});

describe("examples/github-actions/pulumi-preview.yml", () => {
  const wf = yaml.load(
    readFileSync(
      resolve(__dirname, "..", "..", "..", "examples", "github-actions", "pulumi-preview.yml"),
      "utf8",
    ),
  ) as {
    on: Record<string, unknown> & { schedule?: Array<{ cron: string }> };
    jobs: {
      pulumi: {
        permissions?: Record<string, string>;
        env?: Record<string, string>;
        steps: Array<{ if?: string; run?: string; with?: { command?: string; refresh?: boolean } }>;
      };
    };
  };
  const commandFor = (event: string) =>
    wf.jobs.pulumi.steps
      .filter((s) => s.with?.command)
      .filter((s) => !s.if || evalCondition(s.if, event))
      .map((s) => `${s.with!.command}${s.with!.refresh ? " --refresh" : ""}`);

  // A plain `up`: the diff reads an order stored before issuance from CAS, so a due renewal is seen
  // without --refresh (tests/e2e/renewal.test.ts).
  it("renews without a merge: a daily schedule runs a plain `pulumi up`; pull requests only preview", () => {
    assert.match(wf.on.schedule?.[0]?.cron ?? "", /^\d+ \d+ \* \* \*$/, "daily");
    assert.deepEqual(commandFor("schedule"), ["up"]);
    assert.deepEqual(commandFor("push"), ["up"]);
    assert.deepEqual(commandFor("pull_request"), ["preview"]);
  });
});

describe("examples/github-actions/pulumi-preview.yml: credentials", () => {
  const text = readFileSync(
    resolve(__dirname, "..", "..", "..", "examples", "github-actions", "pulumi-preview.yml"),
    "utf8",
  );
  const job = (
    yaml.load(text) as {
      jobs: {
        pulumi: {
          permissions?: Record<string, string>;
          env?: Record<string, string>;
          steps: Array<{ run?: string; uses?: string }>;
        };
      };
    }
  ).jobs.pulumi;

  it("stores no Alibaba Cloud key: an OIDC token from GitHub, written where alicloud:assumeRoleWithOidc reads it, before pulumi runs", () => {
    assert.equal(job.permissions?.["id-token"], "write");
    assert.deepEqual(
      Object.keys(job.env ?? {}).filter((k) => /ALIBABA|ALICLOUD/.test(k)),
      [],
      "no key in the environment",
    );
    assert.doesNotMatch(text, /secrets\.(ALIBABA|ALICLOUD)/);
    const tokenStep = job.steps.findIndex((s) => s.run?.includes("ACTIONS_ID_TOKEN_REQUEST_URL"));
    const firstPulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions"));
    assert.ok(tokenStep >= 0 && tokenStep < firstPulumi, "the token is fetched before pulumi runs");
    assert.match(job.steps[tokenStep]!.run!, /audience=sts\.aliyuncs\.com/);
    // The stack config the comment shows reads the same file the step writes.
    const file = job.env?.OIDC_TOKEN_FILE;
    assert.ok(file);
    assert.match(text, new RegExp(`#\\s+alicloud:assumeRoleWithOidc:[\\s\\S]*#\\s+oidcTokenFile: ${file}\n`));
  });
});

/** Evaluates the workflow's `github.event_name == '…'` / `!= '…'` conditions for one event. */
function evalCondition(condition: string, event: string): boolean {
  const m = /^github\.event_name\s*(==|!=)\s*'([^']+)'$/.exec(condition.trim());
  if (!m) throw new Error(`unexpected condition ${condition}`);
  return m[1] === "==" ? event === m[2] : event !== m[2];
}
