import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { makeCsr, rewrapCsr } from "../support/keys";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

const GOLDEN_DIR = resolve(__dirname, "..", "..", "..", "tests", "e2e", "golden");
const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

interface Order {
  orderId: string;
  state: string;
  domains: string[];
  productCode: string;
}

/** Preview text as a PR reviewer reads it, without run-specific noise. */
function normalizePreview(text: string): string {
  const lines = text
    .split("\n")
    .filter(
      (l) => !/^(Previewing update|View in Browser|Resources:|\s+\d+ (unchanged|to )|Duration|\s*$)/.test(l),
    )
    .map((l) =>
      l
        .replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"')
        .replace(/\/\/127\.0\.0\.1:\d+/g, "//127.0.0.1:<port>")
        .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, "<sha256>")
        .replace(/([0-9A-F]{2}:){19}[0-9A-F]{2}/g, "<sha1>")
        .replace(/\d{8}[0-9a-z]{48}/g, "<record>")
        .replace(/"[0-9a-f]{16,}"/g, '"<serial>"')
        .replace(/\d{6,}/g, "<id>")
        .replace(/^(\s*[-+] )[A-Za-z0-9+/=]{16,}$/, "$1<base64>")
        .replace(/(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{20,}={0,2}(\\n)?/g, "<base64>")
        .replace(/\s+$/, ""),
    );
  // Two random keys may share a PEM line by chance, and key sizes move line counts: unchanged
  // base64 lines go, and consecutive changed ones fold into one.
  return lines
    .filter((l) => !/^\s+<base64>$/.test(l))
    .filter((l, i, all) => !(l.endsWith("<base64>") && all[i - 1] === l))
    .join("\n");
}

/** A fresh emulator process and a stack on its own backend, for one test or one describe. */
async function emulatorAndStack(
  args: string[],
  project: string,
  program: () => Promise<Record<string, unknown>>,
) {
  const emu = await startEmulatorProcess(args);
  const env = await emulatorStack(project, program, emu);
  return {
    emu,
    env,
    orders: async () => (await emu.control("GET", "orders")) as Order[],
    dispose: async () => {
      await env.dispose();
      await emu.stop();
    },
  };
}
type Setup = Awaited<ReturnType<typeof emulatorAndStack>>;

// One up places three orders; the orders are then issued, the stack refreshed and brought up to
// date. Each test below reads what that left (or runs a preview or an up that changes nothing), so
// any one runs alone.
describe("the real Pulumi engine drives CertificateOrder: three orders, issued and refreshed", function () {
  this.timeout(600_000);
  let t: Setup;
  let csrPem = "";
  const program = { csr: "" };
  let placed: Awaited<ReturnType<EngineStack["stack"]["up"]>>;
  let placedOrders: Order[];
  let refreshed: Awaited<ReturnType<EngineStack["stack"]["refresh"]>>;

  before(async () => {
    csrPem = (await makeCsr("www.example.com", ["www.example.com"])).pem;
    program.csr = csrPem;
    t = await emulatorAndStack(["--validation", "manual", "--seed", "7"], "cas-e2e", async () => {
      const www = new CertificateOrder("www", { csr: program.csr, ...contact, onDelete: "revoke" });
      const api = new CertificateOrder("api", { domain: "API.example.com.", ...contact, onDelete: "revoke" });
      const wild = new CertificateOrder("wild", {
        domain: "*.example.com",
        productCode: "geotrust-dv-w-starter",
        ...contact,
        onDelete: "revoke",
      });
      return {
        wwwOrderId: www.orderId,
        wwwStatus: www.status,
        wwwRecord: www.validationRecords["www.example.com"]!.value,
        wwwRr: www.validationRecords["www.example.com"]!.rr,
        wwwCert: www.certificatePem,
        apiOrderId: api.orderId,
        apiDomains: api.domains,
        apiKey: api.privateKeyPem,
        wildOrderId: wild.orderId,
        wildRr: wild.validationRecords["*.example.com"]!.fqdn,
      };
    });
    placed = await t.env.stack.up();
    placedOrders = await t.orders();
    for (const o of placedOrders) await t.emu.control("POST", `orders/${o.orderId}/issue`);
    refreshed = await t.env.stack.refresh();
    // An up after the refresh, as a user runs next: the stack outputs then hold what was refreshed,
    // whether or not a test below runs an up of its own.
    await t.env.stack.up();
  });

  after(async () => {
    await t?.dispose();
  });

  it("up places several orders (own CSR, by domain, wildcard) with documented outputs", () => {
    assert.equal(placed.summary.result, "succeeded");
    const o = placed.outputs;
    assert.match(String(o.wwwOrderId!.value), /^\d+$/);
    assert.equal(o.wwwStatus!.value, "pending_validation");
    assert.match(String(o.wwwRecord!.value), /^\d{8}[0-9a-z]{48}$/);
    assert.equal(o.wwwRr!.value, "_dnsauth.www");
    assert.equal(o.wwwCert!.value, null);
    assert.deepEqual(o.apiDomains!.value, ["api.example.com"]);
    assert.equal(o.wildRr!.value, "_dnsauth.example.com");
    assert.deepEqual(placedOrders.map((x) => x.domains.join()).sort(), [
      "*.example.com",
      "api.example.com",
      "www.example.com",
    ]);
  });

  it("refresh after issuance shows the certificate outputs", async () => {
    // The engine may call the order "unchanged"; read's log line says what moved.
    assert.match(
      refreshed.stdout,
      /\[alicloud-cas\] order \d+ refreshed: status pending_validation → issued, serial none → [0-9a-f]+, expiry none → \d{4}-/,
    );
    const state = await t.env.stack.exportStack();
    const www = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::www"));
    assert.equal(www.outputs.status, "issued");
    assert.match(www.outputs.certificatePem, /^-----BEGIN CERTIFICATE-----/);
    assert.match(www.outputs.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.deepEqual(www.outputs.sans, ["www.example.com"]);
  });

  it("a second up and a preview report no changes", async () => {
    const up = await t.env.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { same: 4 });
    const preview = await t.env.stack.preview();
    assert.deepEqual(preview.changeSummary, { same: 4 });
    assert.equal((await t.orders()).length, 3);
  });

  it("preview --diff: a re-wrapped CSR is no change; a new key replaces, naming csr", async () => {
    try {
      program.csr = rewrapCsr(csrPem, 76, { eol: "\r\n" });
      const same = await t.env.stack.preview({ diff: true });
      assert.deepEqual(same.changeSummary, { same: 4 });

      program.csr = (await makeCsr("www.example.com", ["www.example.com"])).pem;
      const changed = await t.env.stack.preview({ diff: true });
      assert.deepEqual(changed.changeSummary, { replace: 1, same: 3 });
      assert.match(
        changed.stdout,
        /\+-pulumi-nodejs:dynamic\/alicloud-cas:CertificateOrder: \(replace\)\n.*\n.*::www\]/,
      );
      assert.match(changed.stdout, /~ csr +:/);
      assert.doesNotMatch(changed.stdout, /~ (domain|productCode|validateType|email)/);
      const text = normalizePreview(changed.stdout);
      const golden = join(GOLDEN_DIR, "preview-new-key.txt");
      // Written only when asked (UPDATE_GOLDEN=1, then review the diff): a missing file fails.
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(golden, text + "\n");
      }
      assert.ok(existsSync(golden), `${golden} is missing: run this test with UPDATE_GOLDEN=1 to write it`);
      assert.equal(text + "\n", readFileSync(golden, "utf8"));
    } finally {
      program.csr = csrPem;
    }
  });

  it("the exported state holds no secret key, CAS private keys only as ciphertext, and a small __provider", () => {
    const text = t.env.exportRaw();
    assert.ok(!text.includes(t.emu.accessKeySecret), "access-key secret in state");
    assert.ok(!text.includes("PRIVATE KEY"), "a private key in clear in state");
    const state = JSON.parse(text);
    const api = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::api"));
    assert.ok(api.outputs.privateKeyPem?.ciphertext, "privateKeyPem is stored as a secret");
    for (const r of state.deployment.resources.filter((x: { type: string }) =>
      x.type.startsWith("pulumi-nodejs:dynamic"),
    )) {
      assert.ok(
        Buffer.byteLength(r.inputs.__provider) <= 2048,
        `__provider of ${r.urn} is ${r.inputs.__provider.length} bytes`,
      );
    }
  });
});

describe("the real Pulumi engine: one stack per test", function () {
  this.timeout(600_000);
  let t: Setup | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("an ambiguous create stops with the candidate list; adoptOrderId takes it; exactly one order", async () => {
    const adopt: Record<string, string> = {};
    t = await emulatorAndStack(["--validation", "manual", "--seed", "7"], "cas-e2e-ambiguous", async () => {
      const api = new CertificateOrder("api", {
        domain: "API.example.com.",
        ...contact,
        onDelete: "revoke",
        adoptOrderId: adopt.api,
      });
      const wild = new CertificateOrder("wild", {
        domain: "*.example.com",
        productCode: "geotrust-dv-w-starter",
        ...contact,
        onDelete: "revoke",
        adoptOrderId: adopt.wild,
      });
      return { apiOrderId: api.orderId, wildOrderId: wild.orderId };
    });
    const { emu, env } = t;
    await emu.control("POST", "faults", {
      rules: [{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }],
    });
    const failed = await env.stack.up().then(
      () => assert.fail("the up adopted an order it cannot prove is its own"),
      (e: Error) => e.message,
    );
    // Whichever of api and wild drew the lost answer stopped; the other was created.
    const names = { api: "api.example.com", wild: "*.example.com" } as const;
    const live = () => t!.orders().then((all) => all.filter((o) => o.state !== "revoked"));
    const stopped = (Object.keys(names) as Array<keyof typeof names>).filter((k) =>
      failed.includes(`CreateCertificateRequest for ${names[k]} got no answer`),
    );
    assert.equal(stopped.length, 1, failed);
    const name = stopped[0]!;
    const stray = (await live()).filter((o) => o.domains.join() === names[name]);
    assert.equal(stray.length, 1);
    const id = stray[0]!.orderId;
    assert.ok(
      failed.includes(`OrderId ${id} (bought `) && failed.includes(`(server time), ${names[name]}, `),
      failed,
    );
    assert.match(failed, new RegExp(`adoptOrderId: "${id}"`));
    assert.equal((await env.stack.outputs())[`${name}OrderId`], undefined, `nothing in state for ${name}`);
    adopt[name] = id;
    const res = await env.stack.up();
    assert.equal(res.summary.result, "succeeded");
    for (const [k, n] of Object.entries(names)) {
      const mine = (await live()).filter((o) => o.domains.join() === n);
      assert.equal(mine.length, 1, `exactly one order for ${n}`);
      assert.equal(String(res.outputs[`${k}OrderId`]!.value), mine[0]!.orderId);
    }
    assert.equal(String(res.outputs[`${name}OrderId`]!.value), id);
    const requests = (await emu.control("GET", "requests")) as Array<{ action: string; outcome: string }>;
    assert.ok(requests.some((r) => r.action === "CreateCertificateRequest" && r.outcome === "ambiguous"));
  });

  it("CertificateOrderValidation waits for issuance and exports the certificate", async () => {
    t = await emulatorAndStack(["--validation", "manual", "--seed", "7"], "cas-e2e-wait", async () => {
      const api = new CertificateOrder("api", { domain: "api.example.com", ...contact, onDelete: "revoke" });
      const v = new CertificateOrderValidation("api", {
        orderId: api.orderId,
        timeoutMinutes: 1,
        pollIntervalSeconds: 1,
      });
      return { issuedSerial: v.serialNumber };
    });
    const { emu, env } = t;
    // Issue once the validation says it waits (a fixed delay raced the engine on a busy machine).
    let issued = false;
    const res = await env.stack.up({
      onOutput: (text) => {
        const m = /order (\d+): waiting for domain validation/.exec(text);
        if (issued || !m) return;
        issued = true;
        void emu.control("POST", `orders/${m[1]}/issue`);
      },
    });
    assert.match(String(res.outputs.issuedSerial!.value), /^[0-9a-f]+$/);
    // The record to publish, in the create line and the waiter's first line.
    assert.match(
      res.stdout,
      /order \d+ placed with CreateCertificateRequest for api\.example\.com: pending_validation; publish TXT _dnsauth\.api\.example\.com = "[^"]+"/,
    );
    assert.match(
      res.stdout,
      /order \d+: waiting for domain validation; publish TXT _dnsauth\.api\.example\.com = "[^"]+"/,
    );
    assert.match(res.stdout, /order \d+: issued/);
  });

  it("a failing order surfaces a clear error in the CLI output", async () => {
    t = await emulatorAndStack(["--validation", "manual", "--seed", "7"], "cas-e2e-failing", async () => {
      const bad = new CertificateOrder("bad", { domain: "bad.example.com", ...contact });
      new CertificateOrderValidation("bad", {
        orderId: bad.orderId,
        timeoutMinutes: 1,
        pollIntervalSeconds: 1,
      });
      return {};
    });
    const { emu, env } = t;
    let failedOne = false;
    await assert.rejects(
      env.stack.up({
        onOutput: (text) => {
          const m = /order (\d+): waiting for domain validation/.exec(text);
          if (failedOne || !m) return;
          failedOne = true;
          void emu.control("POST", `orders/${m[1]}/fail`);
        },
      }),
      (e: Error) =>
        /review failed \(verify_fail\)/.test(e.message) && /pulumi up --replace <urn>/.test(e.message),
    );
  });

  it("destroy leaves no orders behind and gives the quota back", async () => {
    t = await emulatorAndStack(["--validation", "manual", "--seed", "7"], "cas-e2e-destroy", async () => {
      const www = new CertificateOrder("www", { domain: "www.example.com", ...contact, onDelete: "revoke" });
      const wild = new CertificateOrder("wild", {
        domain: "*.example.com",
        productCode: "geotrust-dv-w-starter",
        ...contact,
        onDelete: "revoke",
      });
      return { www: www.orderId, wild: wild.orderId };
    });
    const { emu, env } = t;
    const up = await env.stack.up();
    // One issued order (revoked within 30 days) and one pending (withdrawn and deleted).
    await emu.control("POST", `orders/${String(up.outputs.www!.value)}/issue`);
    await env.stack.destroy();
    const left = (await t.orders()).filter((o) => o.state !== "revoked");
    assert.deepEqual(left, []);
    assert.equal((await t.orders()).length, 1, "the issued order is revoked, the pending one deleted");
    for (const code of ["digicert-free-1-free", "geotrust-dv-w-starter"]) {
      assert.deepEqual(await emu.control("GET", `plans/${code}`), { total: 100, used: 0, issued: 0 }, code);
    }
  });
});

/**
 * The flow from order to issued certificate under each form CAS may give `RecordDomain` in: a full
 * name (the default, as the console FAQ says), the full name of a `www.` name's parent (DigiCert's
 * check), relative to the zone, or a bare `_dnsauth`. The emulator (in `dns` mode) issues only once
 * the records it expects are published (the one it names, proving the names of the order in the
 * first name's zone, and `_dnsauth.<name>` for a name in another zone); the program publishes
 * exactly what the provider's outputs name, as an AlidnsRecord would, so a wrong record name or
 * zone never issues.
 */
const FORMS = [
  { form: "fqdn", args: ["--record-domain-style", "fqdn"], parent: false },
  { form: "fqdn, www parent", args: ["--record-domain-style", "fqdn", "--www-parent"], parent: true },
  { form: "zone", args: ["--record-domain-style", "zone", "--zone", "example.co.uk"], parent: false },
  { form: "name", args: ["--record-domain-style", "name"], parent: false },
] as const;

for (const { form, args, parent } of FORMS) {
  describe(`the engine, with CAS returning RecordDomain in the "${form}" form`, function () {
    this.timeout(600_000);
    let emu: EmulatorProcess;
    let env: EngineStack;
    const program = { validate: false };

    before(async () => {
      emu = await startEmulatorProcess([
        "--validation",
        "dns",
        "--issue-after",
        "0",
        ...args,
        "--seed",
        "11",
      ]);
      env = await emulatorStack(
        `cas-e2e-${form.replace(/\W+/g, "-")}`,
        async () => {
          const orders = {
            multi: new CertificateOrder("multi", {
              domains: ["www.example.com", "example.com", "a.b.example.com"],
              onDelete: "revoke",
            }),
            wild: new CertificateOrder("wild", {
              domain: "*.shop.example.com",
              productCode: "geotrust-dv-w-starter",
              ...contact,
              onDelete: "revoke",
            }),
            // Under a public suffix of two labels: zone example.co.uk, not co.uk.
            uk: new CertificateOrder("uk", {
              domains: ["www.example.co.uk", "shop.example.co.uk"],
              onDelete: "revoke",
            }),
            // Names under two registrable domains: the second gets its own record.
            two: new CertificateOrder("two", {
              domains: ["www.example.net", "www.example.org"],
              onDelete: "revoke",
            }),
          };
          const at = (o: CertificateOrder, d: string) => {
            const r = o.validationRecords[d]!;
            return pulumi.all([r.rr, r.zone]).apply(([rr, zone]) => `${rr} in ${zone}`);
          };
          const exports: Record<string, unknown> = {
            placed: [
              at(orders.multi, "www.example.com"),
              at(orders.multi, "example.com"),
              at(orders.multi, "a.b.example.com"),
              at(orders.wild, "*.shop.example.com"),
              at(orders.uk, "www.example.co.uk"),
              at(orders.uk, "shop.example.co.uk"),
              at(orders.two, "www.example.net"),
              at(orders.two, "www.example.org"),
            ],
            records: Object.values(orders).map((o) => o.allValidationRecords),
          };
          if (program.validate) {
            for (const [name, order] of Object.entries(orders))
              exports[`${name}Serial`] = new CertificateOrderValidation(name, {
                orderId: order.orderId,
                timeoutMinutes: 1,
                pollIntervalSeconds: 1,
              }).serialNumber;
          }
          return exports;
        },
        emu,
      );
    });

    after(async () => {
      await env?.stack.destroy().catch(() => undefined);
      await env?.dispose();
      await emu?.stop();
    });

    it("places each record in the registrable domain's zone, and publishing exactly those issues", async () => {
      const up = await env.stack.up();
      // One record per registrable domain of an order; a www name's parent when CAS names it.
      const main = parent ? "_dnsauth" : "_dnsauth.www";
      assert.deepEqual(up.outputs.placed!.value, [
        `${main} in example.com`,
        `${main} in example.com`,
        `${main} in example.com`,
        "_dnsauth.shop in example.com",
        `${main} in example.co.uk`,
        `${main} in example.co.uk`,
        `${main} in example.net`,
        "_dnsauth.www in example.org",
      ]);
      // Publish what the outputs say (an AlidnsRecord per distinct record), nothing else.
      const records = (
        up.outputs.records!.value as Array<Record<string, { fqdn: string; type: string; value: string }>>
      ).flatMap((m) => Object.values(m));
      const distinct = [...new Map(records.map((r) => [`${r.fqdn}|${r.value}`, r])).values()];
      assert.equal(distinct.length, 5, JSON.stringify(distinct.map((r) => r.fqdn)));
      for (const r of distinct)
        await emu.control("POST", "dns-records", { name: r.fqdn, type: r.type, value: r.value });
      program.validate = true;
      const issued = await env.stack.up();
      for (const name of ["multi", "wild", "uk", "two"])
        assert.match(String(issued.outputs[`${name}Serial`]!.value), /^[0-9a-f]+$/, name);
    });
  });
}
