import assert from "node:assert/strict";
import fc from "fast-check";
import { acs3Authorization, sha256Hex, signAcs3, type Acs3Request } from "../../protocol/sign-acs3";
import { rpcV1StringToSign, signRpcV1 } from "../../protocol/sign-rpc-v1";
import { flattenParams, percentEncode } from "../../protocol/percent-encode";

// The official SDK's signer, used only as an oracle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oracle = require("@alicloud/openapi-core/dist/utils").default as {
  getRPCSignature(params: Record<string, string>, method: string, secret: string): string;
  getAuthorization(
    req: { pathname: string; method: string; query: Record<string, string>; headers: Record<string, string> },
    algorithm: string,
    payload: string,
    ak: string,
    secret: string,
  ): string;
};

const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("percentEncode", () => {
  it("encodes as RFC 3986 with %20 for space, %2A for *, literal ~", () => {
    assert.equal(percentEncode("a b*c~d!'()+/:"), "a%20b%2Ac~d%21%27%28%29%2B%2F%3A");
    assert.equal(percentEncode("中"), "%E4%B8%AD");
  });
  it("flattens tag lists 1-based", () => {
    assert.deepEqual(flattenParams({ Tags: [{ Key: "env", Value: "a b" }], X: 1, Y: undefined }), {
      "Tags.1.Key": "env",
      "Tags.1.Value": "a b",
      X: "1",
    });
  });
});

describe("signRpcV1 (HMAC-SHA1) published vectors", () => {
  const official = {
    AccessKeyId: "testid",
    Action: "DescribeRegions",
    Format: "XML",
    SignatureMethod: "HMAC-SHA1",
    SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    SignatureVersion: "1.0",
    Timestamp: "2016-02-23T12:46:24Z",
    Version: "2014-05-26",
  };
  it("matches the official GET vector and its string to sign", () => {
    assert.equal(
      rpcV1StringToSign("GET", official),
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
    );
    assert.equal(signRpcV1("GET", official, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });
  it("matches the official vector with POST", () => {
    assert.equal(signRpcV1("POST", official, "testsecret"), "MxbnVAM4w6sft9xjVpe/GCKueuk=");
  });
  it("ignores an existing Signature parameter", () => {
    assert.equal(
      signRpcV1("GET", { ...official, Signature: "x" }, "testsecret"),
      "OLeaidS1JvxuMvnyHOwuJ+uX5qY=",
    );
  });
  const cas = {
    AccessKeyId: "testid",
    Action: "DescribeCertificateState",
    Format: "JSON",
    OrderId: "123451222",
    SignatureMethod: "HMAC-SHA1",
    SignatureNonce: "15215528852396",
    SignatureVersion: "1.0",
    Timestamp: "2024-01-01T12:00:00Z",
    Version: "2020-04-07",
  };
  it("matches the CAS GET and POST vectors", () => {
    assert.equal(signRpcV1("GET", cas, "testsecret"), "5Bz1WhXWQllxMH3YWMx2zqmtPEg=");
    assert.equal(signRpcV1("POST", cas, "testsecret"), "Pwo+GxySdoEjGN5EoKXGF1ZXtDg=");
  });
  it("matches the CAS vector with a wildcard domain and tags", () => {
    const params = {
      AccessKeyId: "testid",
      Action: "CreateCertificateForPackageRequest",
      Domain: "*.example.com",
      Format: "JSON",
      ProductCode: "digicert-free-1-free",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "n-1",
      SignatureVersion: "1.0",
      "Tags.1.Key": "env",
      "Tags.1.Value": "a b",
      Timestamp: "2024-01-01T12:00:00Z",
      ValidateType: "DNS",
      Version: "2020-04-07",
    };
    const sts = rpcV1StringToSign("POST", params);
    assert.ok(sts.includes("Domain%3D%252A.example.com"));
    assert.ok(sts.includes("Tags.1.Value%3Da%2520b"));
    assert.equal(signRpcV1("POST", params, "testsecret"), "sMeXhlD1q9OVP00SZg0OSgv5iQY=");
  });
});

describe("signAcs3 (ACS3-HMAC-SHA256) published vectors", () => {
  it("matches the official RunInstances vector (POST and GET)", () => {
    const req: Acs3Request = {
      method: "POST",
      query: { ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId: "cn-shanghai" },
      headers: {
        host: "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-content-sha256": EMPTY_SHA,
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-version": "2014-05-26",
      },
      signedHeaders: [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
      ],
      payloadHash: EMPTY_SHA,
    };
    assert.equal(
      acs3Authorization(req, "YourAccessKeyId", "YourAccessKeySecret"),
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    );
    assert.equal(
      signAcs3({ ...req, method: "GET" }, "YourAccessKeySecret"),
      "9f6beca8bc1d657b9dfa220898e087dd255411946c1091ced04ef0dc2ed19d87",
    );
  });

  const casHeaders = {
    host: "cas.aliyuncs.com",
    "x-acs-action": "DescribeCertificateState",
    "x-acs-version": "2020-04-07",
    "x-acs-date": "2024-01-01T12:00:00Z",
    "x-acs-signature-nonce": "n-1",
    "x-acs-content-sha256": EMPTY_SHA,
  };
  const cases: Array<[string, Acs3Request, string]> = [
    [
      "query, empty body",
      {
        method: "POST",
        query: { OrderId: "123451222" },
        headers: casHeaders,
        signedHeaders: Object.keys(casHeaders),
        payloadHash: EMPTY_SHA,
      },
      "7e6e6c0eb3c4305d1088999a113c687dc3c9ab9487798f59d791a100d7f70530",
    ],
    [
      "with x-acs-credentials-provider",
      {
        method: "POST",
        query: { OrderId: "123451222" },
        headers: { ...casHeaders, "x-acs-credentials-provider": "static_ak" },
        signedHeaders: [...Object.keys(casHeaders), "x-acs-credentials-provider"],
        payloadHash: EMPTY_SHA,
      },
      "156aabb630483529ce81d89c0572d41e57af5a30dac5644f4b7627f54487fc34",
    ],
    [
      "STS",
      {
        method: "POST",
        query: { OrderId: "123451222" },
        headers: {
          ...casHeaders,
          "x-acs-credentials-provider": "static_sts",
          "x-acs-accesskey-id": "testid",
          "x-acs-security-token": "tok",
        },
        signedHeaders: [
          ...Object.keys(casHeaders),
          "x-acs-credentials-provider",
          "x-acs-accesskey-id",
          "x-acs-security-token",
        ],
        payloadHash: EMPTY_SHA,
      },
      "69ff8713f94b9c1738688d1f5da10dd13644a8b564ac9962b0b49a08215218a0",
    ],
  ];
  for (const [name, req, signature] of cases) {
    it(`matches the CAS vector: ${name}`, () => assert.equal(signAcs3(req, "testsecret"), signature));
  }
  it("matches the CAS vector with a form body", () => {
    const body = "OrderId=123451222";
    assert.equal(sha256Hex(body), "ae27eb6d1595f76b5e77b631cb78281295c7dc88d36fbf4f0f98b84089eb61b8");
    const headers = {
      ...casHeaders,
      "x-acs-content-sha256": sha256Hex(body),
      "content-type": "application/x-www-form-urlencoded",
    };
    assert.equal(
      signAcs3(
        {
          method: "POST",
          query: {},
          headers,
          signedHeaders: Object.keys(headers),
          payloadHash: sha256Hex(body),
        },
        "testsecret",
      ),
      "8e9e7165e797acb7d6d1c4fbeae3723cd077e715b3734e50da2d36716a2fe3cc",
    );
  });
});

describe("signers agree with the official SDK signer (property test)", () => {
  const nameChars = fc.constantFrom(
    ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split(""),
  );
  const name = fc.string({ unit: nameChars, minLength: 1, maxLength: 12 });
  const tagKeys = fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom("Key", "Value")), {
    maxLength: 4,
  });
  const value = fc.oneof(
    fc.string({
      unit: fc.constantFrom(
        "*",
        "~",
        " ",
        "+",
        "&",
        "=",
        "%",
        "/",
        ":",
        "a",
        "Z",
        "0",
        "é",
        "中",
        "😀",
        "'",
        "(",
        "!",
      ),
    }),
    fc.string({ unit: "grapheme", maxLength: 8 }),
    fc.constant(""),
  );
  const params = fc
    .tuple(
      fc.dictionary(name, value, { maxKeys: 8 }),
      tagKeys,
      fc.array(value, { minLength: 4, maxLength: 4 }),
    )
    .map(([plain, tags, tagValues]) => {
      const out: Record<string, string> = { ...plain };
      tags.forEach(([n, kv], i) => (out[`Tags.${n}.${kv}`] = tagValues[i % 4]!));
      return out;
    });
  const secret = fc.string({ minLength: 1, maxLength: 24 });

  it("HMAC-SHA1 over 1,000 random parameter sets, GET and POST", () => {
    fc.assert(
      fc.property(params, secret, fc.constantFrom("GET", "POST"), (p, s, method) => {
        assert.equal(signRpcV1(method, p, s), oracle.getRPCSignature(p, method, s));
      }),
      { numRuns: 1000, seed: 20261125 },
    );
  });

  it("ACS3-HMAC-SHA256 over 1,000 random query/header sets", () => {
    fc.assert(
      fc.property(params, secret, fc.string({ maxLength: 64 }), (query, s, body) => {
        const headers: Record<string, string> = {
          host: "127.0.0.1:8080",
          "x-acs-action": "DescribeCertificateState",
          "x-acs-version": "2020-04-07",
          "x-acs-date": "2024-01-01T12:00:00Z",
          "x-acs-signature-nonce": "abc",
          "x-acs-content-sha256": sha256Hex(body),
          "content-type": "application/x-www-form-urlencoded",
        };
        const ours = acs3Authorization(
          {
            method: "POST",
            query,
            headers,
            signedHeaders: Object.keys(headers),
            payloadHash: sha256Hex(body),
          },
          "ak",
          s,
        );
        const theirs = oracle.getAuthorization(
          { pathname: "/", method: "POST", query, headers },
          "ACS3-HMAC-SHA256",
          sha256Hex(body),
          "ak",
          s,
        );
        assert.equal(ours, theirs);
      }),
      { numRuns: 1000, seed: 20261125 },
    );
  });
});
