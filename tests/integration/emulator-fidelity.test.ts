import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { startEmulator, type RunningEmulator, type EmulatorOptions } from "../../emulator/server";
import { makeCsr } from "../support/keys";
import { officialClient, type OfficialCaller } from "../support/official-sdk";

const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };
type Item = Record<string, unknown>;

/**
 * One ACS3 request with every business parameter in the query and an empty body (the official SDK's
 * default shape), built by hand so list parameters such as `Tags.N.Key` can be sent as they are.
 */
async function call(emu: RunningEmulator, action: string, params: Record<string, string>) {
  const headers: Record<string, string> = {
    host: new URL(emu.endpoint).host,
    "x-acs-action": action,
    "x-acs-version": "2020-04-07",
    "x-acs-date": new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    "x-acs-signature-nonce": `n-${Math.random()}`,
    "x-acs-content-sha256": sha256Hex(""),
  };
  headers.authorization = acs3Authorization(
    {
      method: "POST",
      query: params,
      headers,
      signedHeaders: Object.keys(headers),
      payloadHash: sha256Hex(""),
    },
    emu.accessKeyId,
    emu.accessKeySecret,
  );
  const qs = new URLSearchParams(params).toString().replace(/\+/g, "%20");
  const res = await request(`${emu.endpoint}/?${qs}`, { method: "POST", headers });
  return { status: res.statusCode, body: (await res.body.json()) as Item };
}

function certNames(pem: string): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? "";
  return san
    .split(", ")
    .map((s) => s.replace(/^DNS:/, ""))
    .sort();
}

describe("emulator: an independent model of the SDK's remarks", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: OfficialCaller;
  const start = async (opts: EmulatorOptions = {}) => {
    emu = await startEmulator({ lifecycle: { validation: "manual" }, ...opts });
    api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
  };
  afterEach(async () => {
    await (emu as RunningEmulator | undefined)?.close();
    emu = undefined as unknown as RunningEmulator;
  });

  it("CreateCertificateForPackageRequest binds a Domain list (≤ 5, no mixing); CreateCertificateRequest one name", async () => {
    await start();
    const { OrderId } = await api.call("CreateCertificateForPackageRequest", {
      Domain: "a.example.com,B.example.com",
      ValidateType: "DNS",
    });
    const id = String(OrderId);
    await emu.control.issue(id);
    const state = await api.call("DescribeCertificateState", { OrderId: id });
    assert.deepEqual(certNames(String(state.Certificate)), ["a.example.com", "b.example.com"]);
    const list = await api.call("ListUserCertificateOrder", { OrderType: "CPACK" });
    const row = (list.CertificateOrderList as Item[]).find((o) => String(o.OrderId) === id)!;
    assert.equal(row.Domain, "a.example.com,b.example.com");
    assert.equal(row.DomainCount, 2);
    assert.equal(row.DomainType, "MULTIPLE");

    const refuse = async (action: string, params: Record<string, unknown>, re: RegExp) =>
      assert.rejects(
        api.call(action, { ValidateType: "DNS", ...params }),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, "InvalidParameter");
          assert.match(String(e.message), re);
          return true;
        },
      );
    await refuse(
      "CreateCertificateForPackageRequest",
      { Domain: "a.example.com,*.example.com", ProductCode: "geotrust-dv-w-starter" },
      /Domain.*not both/,
    );
    await refuse(
      "CreateCertificateForPackageRequest",
      { Domain: ["a", "b", "c", "d", "e", "f"].map((x) => `${x}.example.com`).join(",") },
      /Domain.*at most 5/,
    );
    await refuse(
      "CreateCertificateRequest",
      { Domain: "a.example.com,b.example.com", ...contact },
      /only one/,
    );
  });

  it("with Csr the CSR's CN is the bound name: SANs beyond it are not bound, and Domain is ignored", async () => {
    await start();
    const { pem } = await makeCsr("c.example.com", ["c.example.com", "d.example.com"]);
    const alone = String((await api.call("CreateCertificateForPackageRequest", { Csr: pem })).OrderId);
    const both = String(
      (
        await api.call("CreateCertificateForPackageRequest", {
          Csr: pem,
          Domain: "x.example.com,y.example.com",
        })
      ).OrderId,
    );
    for (const id of [alone, both]) {
      await emu.control.issue(id);
      const cert = String((await api.call("DescribeCertificateState", { OrderId: id })).Certificate);
      assert.deepEqual(certNames(cert), ["c.example.com"]);
    }
    const list = await api.call("ListUserCertificateOrder", { OrderType: "CPACK", Keyword: "example.com" });
    assert.deepEqual(
      (list.CertificateOrderList as Item[]).map((o) => o.Domain),
      ["c.example.com", "c.example.com"],
    );
  });

  it("list items carry order fields on CPACK and certificate fields on CERT, as the remarks say", async () => {
    await start();
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "www.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    await emu.control.issue(id);
    const cpack = (
      (await api.call("ListUserCertificateOrder", { OrderType: "CPACK" })).CertificateOrderList as Item[]
    )[0]!;
    for (const f of [
      "OrderId",
      "Status",
      "BuyDate",
      "ProductCode",
      "Domain",
      "InstanceId",
      "CertStartTime",
      "CertEndTime",
    ])
      assert.ok(f in cpack, `CPACK item has ${f}`);
    for (const f of ["CertificateId", "SerialNo", "Fingerprint", "Sha2", "Sans", "CommonName", "Expired"])
      assert.ok(!(f in cpack), `CPACK item has no ${f}`);

    const cert = (
      (await api.call("ListUserCertificateOrder", { OrderType: "CERT" })).CertificateOrderList as Item[]
    )[0]!;
    for (const f of ["OrderId", "Status", "BuyDate", "ProductCode", "Domain"])
      assert.ok(!(f in cert), `CERT item has no ${f}`);
    const pem = String((await api.call("DescribeCertificateState", { OrderId: id })).Certificate);
    const x = new X509Certificate(pem);
    assert.equal(cert.Fingerprint, createHash("sha1").update(x.raw).digest("hex").toUpperCase());
    assert.match(String(cert.Fingerprint), /^[0-9A-F]{40}$/);
    assert.equal(cert.Sha2, createHash("sha256").update(x.raw).digest("hex").toUpperCase());
    assert.equal(cert.SerialNo, x.serialNumber.toLowerCase());
    assert.equal(cert.CommonName, "www.example.com");
    assert.equal(cert.Sans, "www.example.com");
    assert.equal(cert.StartDate, new Date(x.validFrom).toISOString().slice(0, 10));
    assert.equal(cert.EndDate, new Date(x.validTo).toISOString().slice(0, 10));
    assert.equal(cert.Expired, false);
    assert.match(String(cert.Name), /\S/);
    assert.match(String(cert.CertificateId), /^\d+$/);
  });

  it("Keyword matches a bound name or the InstanceId (fuzzy), never the OrderId", async () => {
    await start();
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "shop.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    const find = async (Keyword: string) =>
      (
        (await api.call("ListUserCertificateOrder", { OrderType: "CPACK", Keyword }))
          .CertificateOrderList as Item[]
      ).map((o) => String(o.OrderId));
    assert.deepEqual(await find("shop.exa"), [id]);
    const instance = String(
      (
        (await api.call("ListUserCertificateOrder", { OrderType: "CPACK" })).CertificateOrderList as Item[]
      )[0]!.InstanceId,
    );
    assert.ok(!instance.includes(id), "the InstanceId is not built from the OrderId");
    assert.deepEqual(await find(instance.toUpperCase()), [id]);
    assert.deepEqual(await find(id), []);
  });

  it("Status filters: all orders by default on CPACK, valid certificates by default on CERT, order-only values refused on CERT", async () => {
    await start({ lifecycle: { validation: "manual", certificateDays: 90 } });
    const mk = async (d: string) =>
      String(
        (await api.call("CreateCertificateRequest", { Domain: d, ValidateType: "DNS", ...contact })).OrderId,
      );
    const [a, b, c] = [await mk("a.example.com"), await mk("b.example.com"), await mk("c.example.com")];
    await emu.control.issue(a);
    await emu.control.issue(b);
    await emu.control.expire(b);
    await api.call("CancelOrderRequest", { OrderId: c });
    const ids = async (p: Record<string, unknown>) =>
      ((await api.call("ListUserCertificateOrder", p)).CertificateOrderList as Item[])
        .map((o) => String(o.OrderId ?? o.CertificateId))
        .sort();
    assert.deepEqual(await ids({ OrderType: "CPACK" }), [a, b, c].sort());
    assert.deepEqual(await ids({ OrderType: "CPACK", Status: "PAYED" }), [c]);
    assert.deepEqual(await ids({ OrderType: "CPACK", Status: "EXPIRED" }), [b]);
    const certs = (await api.call("ListUserCertificateOrder", { OrderType: "CERT" }))
      .CertificateOrderList as Item[];
    assert.deepEqual(
      certs.map((x) => x.CommonName),
      ["a.example.com"],
      "expired certificates are not listed without Status",
    );
    const expired = (await api.call("ListUserCertificateOrder", { OrderType: "CERT", Status: "EXPIRED" }))
      .CertificateOrderList as Item[];
    assert.deepEqual(
      expired.map((x) => [x.CommonName, x.Expired]),
      [["b.example.com", true]],
    );
    await assert.rejects(
      api.call("ListUserCertificateOrder", { OrderType: "CERT", Status: "PAYED" }),
      (e: { code?: string; message?: string }) =>
        e.code === "InvalidParameter" && /Status/.test(String(e.message)),
    );
  });

  it("GetUserCertificateDetail returns every documented field; CertIdentifier is {Id}-cn-hangzhou unless configured", async () => {
    await start({ lifecycle: { validation: "manual" } });
    const id = String(
      (
        await api.call("CreateCertificateForPackageRequest", {
          Domain: "ov.example.com",
          ProductCode: "geotrust-ov-1-personal",
          CompanyName: "Example Ltd",
        })
      ).OrderId,
    );
    await emu.control.issue(id);
    const certId = String(
      ((await api.call("ListUserCertificateOrder", { OrderType: "CERT" })).CertificateOrderList as Item[])[0]!
        .CertificateId,
    );
    const d = await api.call("GetUserCertificateDetail", { CertId: certId });
    for (const f of [
      "Id",
      "OrderId",
      "CertIdentifier",
      "CertChain",
      "Algorithm",
      "InstanceId",
      "ResourceGroupId",
      "OrgName",
      "NotBefore",
      "NotAfter",
      "Fingerprint",
      "Sha2",
      "SerialNo",
      "Cert",
      "Key",
      "Common",
      "Sans",
      "Issuer",
      "StartDate",
      "EndDate",
      "Expired",
      "Name",
      "BuyInAliyun",
    ])
      assert.ok(d[f] !== undefined, `detail has ${f}`);
    assert.equal(String(d.Id), certId);
    assert.equal(String(d.OrderId), id);
    assert.equal(d.CertIdentifier, `${certId}-cn-hangzhou`);
    assert.equal(d.OrgName, "Example Ltd");
    assert.equal(d.Algorithm, "RSA");
    const x = new X509Certificate(String(d.Cert));
    assert.equal(d.Fingerprint, createHash("sha1").update(x.raw).digest("hex").toUpperCase());
    assert.equal(d.NotAfter, Date.parse(x.validTo));
    const chain = d.CertChain as Item[];
    assert.equal(chain.length, 2);
    assert.equal(chain[0]!.CommonName, "ov.example.com");
    assert.equal(chain[0]!.IssuerCommonName, chain[1]!.CommonName);
    const filtered = await api.call("GetUserCertificateDetail", { CertId: certId, CertFilter: true });
    assert.equal(filtered.Cert, undefined);
    assert.equal(filtered.Key, undefined);

    emu.control.setLifecycle({ certIdentifierRegion: "ap-southeast-1" });
    assert.equal(
      (await api.call("GetUserCertificateDetail", { CertId: certId })).CertIdentifier,
      `${certId}-ap-southeast-1`,
    );
  });

  it("payed is pending application: CancelOrderRequest parks an order there, it never moves on, quota returns only on delete", async () => {
    await start({ lifecycle: { validation: "auto", validateAfterMs: 0, issueAfterMs: 0 } });
    const plan = async () => Number((await api.call("DescribePackageState", {})).UsedCount);
    // Manual first so the cancel happens before auto validation.
    emu.control.setLifecycle({ validation: "manual" });
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "p.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    await api.call("CancelOrderRequest", { OrderId: id });
    emu.control.setLifecycle({ validation: "auto" });
    assert.equal((await api.call("DescribeCertificateState", { OrderId: id })).Type, "payed");
    assert.equal((await api.call("DescribeCertificateState", { OrderId: id })).Type, "payed");
    assert.equal(await plan(), 1);
    await api.call("DeleteCertificateRequest", { OrderId: id });
    assert.equal(await plan(), 0);
  });

  it("RenewCertificateOrderForPackageRequest: only while expiring (expiringDays), and the new order is payed", async () => {
    await start({ lifecycle: { validation: "manual", certificateDays: 90, expiringDays: 30 } });
    const id = String(
      (
        await api.call("CreateCertificateForPackageRequest", {
          Domain: "r.example.com",
          ProductCode: "geotrust-dv-1-starter",
          ValidateType: "DNS",
        })
      ).OrderId,
    );
    await emu.control.issue(id);
    await assert.rejects(
      api.call("RenewCertificateOrderForPackageRequest", { OrderId: id }),
      (e: { code?: string; message?: string }) =>
        e.code === "OrderStateError" && /within 30 days/.test(String(e.message)),
    );
    emu.control.setLifecycle({ expiringDays: 100 });
    const used = async () =>
      Number((await api.call("DescribePackageState", { ProductCode: "geotrust-dv-1-starter" })).UsedCount);
    const usedBefore = await used();
    const renewal = String(
      (await api.call("RenewCertificateOrderForPackageRequest", { OrderId: id })).OrderId,
    );
    assert.notEqual(renewal, id);
    assert.equal((await api.call("DescribeCertificateState", { OrderId: renewal })).Type, "payed");
    assert.equal((await api.call("DescribeCertificateState", { OrderId: id })).Type, "certificate");
    assert.equal(await used(), usedBefore + 1);
    const row = (
      (await api.call("ListUserCertificateOrder", { Keyword: "r.example.com" }))
        .CertificateOrderList as Item[]
    ).find((o) => String(o.OrderId) === renewal)!;
    assert.equal(row.Status, "PAYED");
    assert.equal(row.Domain, "r.example.com");
    await emu.control.expire(id);
    await assert.rejects(
      api.call("RenewCertificateOrderForPackageRequest", { OrderId: id }),
      (e: { code?: string }) => e.code === "OrderStateError",
    );
  });

  it("RenewCertificateOrderForPackageRequest refuses free certificates, even while expiring, and places nothing", async () => {
    await start({ lifecycle: { validation: "manual", certificateDays: 90, expiringDays: 100 } });
    for (const code of ["digicert-free-1-free", "symantec-free-1-free"]) {
      const id = String(
        (
          await api.call("CreateCertificateForPackageRequest", {
            Domain: "free.example.com",
            ProductCode: code,
            ValidateType: "DNS",
          })
        ).OrderId,
      );
      await emu.control.issue(id);
      const used = Number((await api.call("DescribePackageState", { ProductCode: code })).UsedCount);
      await assert.rejects(
        api.call("RenewCertificateOrderForPackageRequest", { OrderId: id }),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, "OrderStateError");
          assert.match(String(e.message), new RegExp(`${code} is a free certificate, which is not renewed`));
          return true;
        },
      );
      assert.equal(Number((await api.call("DescribePackageState", { ProductCode: code })).UsedCount), used);
    }
    assert.equal((await emu.control.orders()).length, 2, "no renewal order was placed");
  });

  it("symantec-dv-1-starter takes single and wildcard names (the docs disagree); vtrus-dv-w-starter only through ForPackage", async () => {
    await start({ lifecycle: { validation: "manual" } });
    for (const Domain of ["one.example.com", "*.example.com"]) {
      const { OrderId } = await api.call("CreateCertificateRequest", {
        Domain,
        ProductCode: "symantec-dv-1-starter",
        ValidateType: "DNS",
        ...contact,
      });
      assert.match(String(OrderId), /^\d+$/);
    }
    const { OrderId } = await api.call("CreateCertificateForPackageRequest", {
      Domain: "*.vtrus.example.com",
      ProductCode: "vtrus-dv-w-starter",
      ValidateType: "DNS",
    });
    assert.match(String(OrderId), /^\d+$/);
    await assert.rejects(
      api.call("CreateCertificateRequest", {
        Domain: "*.vtrus.example.com",
        ProductCode: "vtrus-dv-w-starter",
        ValidateType: "DNS",
        ...contact,
      }),
      (e: { code?: string; message?: string }) =>
        e.code === "InvalidParameter" && /ProductCode/.test(String(e.message)),
    );
  });

  it("FILE validation answers Domain (the host to serve on), Uri and Content, and no DNS fields", async () => {
    await start();
    const id = String(
      (
        await api.call("CreateCertificateForPackageRequest", {
          Domain: "*.shop.example.com",
          ProductCode: "geotrust-dv-w-starter",
          ValidateType: "FILE",
        })
      ).OrderId,
    );
    const s = await api.call("DescribeCertificateState", { OrderId: id });
    assert.equal(s.Type, "domain_verify");
    assert.equal(s.ValidateType, "FILE");
    assert.equal(s.Domain, "shop.example.com");
    assert.equal(s.Uri, "/.well-known/pki-validation/fileauth.txt");
    assert.match(String(s.Content), /^\d{8}[0-9a-z]{48}$/);
    for (const f of ["RecordDomain", "RecordType", "RecordValue"]) assert.equal(s[f], undefined, f);
  });

  it("a failed order's note says the CA's review failed, not DNS", async () => {
    await start();
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "f.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    const o = await emu.control.fail(id);
    assert.equal(o.state, "verify_fail");
    assert.match(String(o.statusReason), /review .*failed/i);
    assert.doesNotMatch(String(o.statusReason), /DNS|record/i);
  });

  it("tags are checked per action with the documented limits", async () => {
    await start();
    const tags = (list: Array<[string, string]>) =>
      Object.fromEntries(
        list.flatMap(([k, v], i) => [
          [`Tags.${i + 1}.Key`, k],
          [`Tags.${i + 1}.Value`, v],
        ]),
      );
    const base = { Domain: "t.example.com", ValidateType: "DNS", ...contact };
    const create = (action: string, t: Array<[string, string]>) => call(emu, action, { ...base, ...tags(t) });
    const refused = async (action: string, t: Array<[string, string]>, name: RegExp) => {
      const r = await create(action, t);
      assert.equal(r.status, 400, JSON.stringify(t).slice(0, 80));
      assert.equal(r.body.Code, "InvalidParameter");
      assert.match(String(r.body.Message), name);
    };
    const ok = async (action: string, t: Array<[string, string]>) => {
      const r = await create(action, t);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return String(r.body.OrderId);
    };
    const cr = "CreateCertificateRequest";
    const id = await ok(cr, [
      ["env", ""],
      ["team.a_b-c", "x".repeat(128)],
    ]);
    assert.deepEqual((await emu.control.orders()).find((o) => o.orderId === id)!.tags, [
      { Key: "env", Value: "" },
      { Key: "team.a_b-c", Value: "x".repeat(128) },
    ]);
    await ok(
      cr,
      Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, "v"]),
    );
    await refused(
      cr,
      Array.from({ length: 21 }, (_, i): [string, string] => [`k${i}`, "v"]),
      /"Tags".*at most 20/,
    );
    await refused(cr, [["k".repeat(65), "v"]], /"Tags\.1\.Key".*64/);
    await refused(
      cr,
      [
        ["ok", "v"],
        ["aliyun-x", "v"],
      ],
      /"Tags\.2\.Key".*aliyun/,
    );
    await refused(cr, [["acs:rm:rgId", "v"]], /"Tags\.1\.Key"/);
    await refused(cr, [["a-https://x", "v"]], /"Tags\.1\.Key".*http/);
    await refused(cr, [["1abc", "v"]], /"Tags\.1\.Key".*letter/);
    await refused(cr, [["", "v"]], /"Tags\.1\.Key".*empty/);
    await refused(cr, [["k", "v".repeat(129)]], /"Tags\.1\.Value".*128/);

    const { pem } = await makeCsr("t.example.com", ["t.example.com"]);
    const withCsr = (t: Array<[string, string]>) =>
      call(emu, "CreateCertificateWithCsrRequest", { Csr: pem, ValidateType: "DNS", ...contact, ...tags(t) });
    assert.equal(
      (await withCsr([["1" + "k".repeat(127), "v"]])).status,
      200,
      "WithCsr: keys up to 128, any first character",
    );
    assert.equal((await withCsr([["k".repeat(129), "v"]])).status, 400);
    assert.equal((await withCsr([["acs:x", "v"]])).status, 400);
    // CreateCertificateForPackageRequest documents no limits.
    assert.equal(
      (await create("CreateCertificateForPackageRequest", [["1".repeat(200), "aliyun"]])).status,
      200,
    );
  });

  it("accepts the official SDK's default wire shape with an STS token (x-acs-accesskey-id, x-acs-security-token)", async () => {
    await start({ securityTokens: ["sts-1"] });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const Cas = require("@alicloud/cas20200407");
    const { $OpenApiUtil } = require("@alicloud/openapi-core");
    /* eslint-enable @typescript-eslint/no-require-imports */
    // A recording proxy in front of the emulator shows the wire shape the SDK uses.
    const seen: Array<{
      method: string;
      query: URLSearchParams;
      body: number;
      headers: Record<string, unknown>;
    }> = [];
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", "http://x");
        seen.push({
          method: req.method ?? "",
          query: url.searchParams,
          body: body.length,
          headers: { ...req.headers },
        });
        void request(`${emu.endpoint}${req.url}`, {
          method: req.method as "POST",
          headers: req.headers as Record<string, string>,
          body,
        }).then(async (r) => {
          res.writeHead(r.statusCode, { "content-type": String(r.headers["content-type"]) });
          res.end(Buffer.from(await r.body.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const client = new Cas.default(
        new $OpenApiUtil.Config({
          accessKeyId: emu.accessKeyId,
          accessKeySecret: emu.accessKeySecret,
          securityToken: "sts-1",
          endpoint: `127.0.0.1:${port}`,
          protocol: "http",
          regionId: "cn-hangzhou",
        }),
      );
      const res = await client.describePackageState(
        new Cas.DescribePackageStateRequest({ productCode: "digicert-free-1-free" }),
      );
      assert.equal(res.body.totalCount, 100);
      const [req] = seen;
      assert.equal(req!.method, "POST");
      assert.equal(req!.query.get("ProductCode"), "digicert-free-1-free");
      assert.equal(req!.body, 0);
      assert.equal(req!.headers["x-acs-accesskey-id"], emu.accessKeyId);
      assert.equal(req!.headers["x-acs-security-token"], "sts-1");
      assert.equal(emu.control.requests().at(-1)!.outcome, "OK");
    } finally {
      await new Promise((ok) => proxy.close(ok));
    }
  });
});
