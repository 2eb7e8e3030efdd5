import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { CasClient } from "../../provider/cas/client";
import { CasApiError, CasOutcomeUnknownError, CasResponseError } from "../../provider/cas/errors";
import { percentEncode } from "../../protocol/percent-encode";
import { MAX_RESPONSE_BYTES } from "../../provider/cas/transport";
import { apiError, json, scriptedServer } from "../support/scripted-server";

const create = {
  Domain: "a.example.com",
  ValidateType: "DNS" as const,
  Username: "u",
  Phone: "13800001111",
  Email: "a@example.com",
};

function client(endpoint: string, extra: object = {}) {
  return new CasClient({
    endpoint,
    accessKeyId: "ak",
    accessKeySecret: "sk",
    env: {},
    rateLimits: false,
    ...extra,
  });
}

/** A server that records each request's method, URL, headers and body, and answers `answer`. */
async function captureServer(answer: string) {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("client safety: unknown outcomes, size limits, redaction, credential advice", () => {
  it("a 2xx create answer that does not parse is outcome-unknown, never 'no order'", async () => {
    const srv = await scriptedServer([json(200, "<html>gateway</html>"), json(200, { RequestId: "R" })]);
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        client(srv.endpoint).call("CreateCertificateRequest", create),
        CasOutcomeUnknownError,
      );
    assert.equal(srv.requests.length, 2);
    await srv.close();
  });

  it("SignatureNonceUsed answering a create is outcome-unknown (a copy already arrived)", async () => {
    const srv = await scriptedServer([
      apiError(400, "SignatureNonceUsed"),
      json(200, { RequestId: "R", OrderId: 1 }),
    ]);
    await assert.rejects(
      client(srv.endpoint).call("CreateCertificateRequest", create),
      (e: unknown) => e instanceof CasOutcomeUnknownError && /SignatureNonceUsed/.test(e.message),
    );
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  for (const [code, status] of [
    ["InternalError", 400],
    ["ServiceUnavailable", 403],
    ["InternalError", 500],
  ] as const)
    it(`${code} answered with HTTP ${status} to a create is outcome-unknown and sent once`, async () => {
      const srv = await scriptedServer([apiError(status, code), json(200, { RequestId: "R", OrderId: 2 })]);
      await assert.rejects(
        client(srv.endpoint).call("CreateCertificateRequest", create),
        (e: unknown) => e instanceof CasOutcomeUnknownError && e.message.includes(code),
      );
      assert.deepEqual(srv.requests, ["CreateCertificateRequest"]);
      await srv.close();
    });

  it("a definite refusal of a create stays the API error (no order was placed)", async () => {
    const srv = await scriptedServer([apiError(400, "InvalidParameter")]);
    await assert.rejects(
      client(srv.endpoint).call("CreateCertificateRequest", create),
      (e: unknown) => e instanceof CasApiError && e.code === "InvalidParameter",
    );
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  for (const chunked of [false, true])
    it(`stops reading an answer past ${MAX_RESPONSE_BYTES} bytes (${chunked ? "chunked" : "with content-length"})`, async () => {
      let written = 0;
      const server = createServer((_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        res.writeHead(200, chunked ? {} : { "content-length": String(64 * 1024 * 1024) });
        const pump = () => {
          while (written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
          if (written < 64 * 1024 * 1024) res.once("drain", pump);
          else res.end();
        };
        res.on("close", () => (written = Number.MAX_SAFE_INTEGER));
        pump();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await assert.rejects(
        client(endpoint).call("DescribePackageState", {}),
        (e: unknown) => e instanceof CasResponseError && /larger than 1048576 bytes/.test(e.message),
      );
      await assert.rejects(client(endpoint).call("CreateCertificateRequest", create), CasOutcomeUnknownError);
      server.closeAllConnections();
      server.close();
    });

  it("bounds server text in error messages", async () => {
    const srv = await scriptedServer([apiError(400, "InvalidParameter", { Message: "x".repeat(500_000) })]);
    const e = (await client(srv.endpoint)
      .call("DescribePackageState", {})
      .catch((x: unknown) => x)) as CasApiError;
    assert.equal(e.code, "InvalidParameter");
    assert.ok(e.message.length < 1_000, String(e.message.length));
    assert.match(e.message, /more characters/);
    await srv.close();
  });

  it("redacts the STS token echoed in an rpc-v1 string to sign, in every encoding", async () => {
    const token = "CAIS+token/with=odd&chars-0123456789";
    const secret = "the-secret-value-0123";
    const once = percentEncode(token);
    const twice = percentEncode(once);
    const echoed = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Dak%26SecurityToken%3D${twice}%26SignatureMethod%3DHMAC-SHA1 raw=${token} q=${once} s=${secret}`;
    const srv = await scriptedServer([
      apiError(400, "SignatureDoesNotMatch", {
        Message: echoed,
        Recommend: `https://x/?SecurityToken=${once}`,
      }),
    ]);
    const e = (await client(srv.endpoint, {
      accessKeySecret: secret,
      securityToken: token,
      signatureScheme: "rpc-v1",
    })
      .call("DescribePackageState", {})
      .catch((x: unknown) => x)) as CasApiError;
    assert.equal(e.code, "SignatureDoesNotMatch");
    for (const text of [e.message, e.apiMessage, e.recommend ?? ""])
      for (const leak of [token, once, twice, secret]) assert.ok(!text.includes(leak), `${leak} in ${text}`);
    assert.match(e.apiMessage, /SecurityToken%3D\[REDACTED\]/);
    await srv.close();
  });

  it("never quotes a private key: not from a key-bearing answer, not from any other body", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "sec1", format: "pem" }).toString();
    const scalar = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url").toString("base64");
    const keyLines = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
    // One stray byte makes each body invalid JSON; the key sits in the first 200 characters.
    const withKey = JSON.stringify({ RequestId: "R", PrivateKey: pem, Type: "certificate" }).replace(
      /}$/,
      ",}",
    );
    const srv = await scriptedServer([
      json(200, withKey),
      json(500, withKey),
      json(200, withKey),
      json(400, withKey),
    ]);
    const c = client(srv.endpoint, { retry: { maxAttempts: 1 } });
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => new Error("succeeded"),
        (x: Error) => x,
      );
    const errors = [
      await failure(c.call("DescribeCertificateState", { OrderId: "1" })),
      await failure(c.call("DescribeCertificateState", { OrderId: "1" })),
      await failure(c.call("DescribePackageState", {})),
      await failure(c.call("DescribePackageState", {})),
    ];
    assert.equal(srv.requests.length, 4);
    for (const e of errors) {
      assert.ok(e instanceof Error);
      const text = `${e.message} ${JSON.stringify({ ...e })}`;
      for (const secret of [...keyLines, scalar, scalar.slice(0, 16)])
        assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    assert.match(
      errors[0]!.message,
      /characters not shown: DescribeCertificateState answers can carry a private key/,
    );
    assert.match(errors[2]!.message, /PRIVATE KEY REDACTED/);
    await srv.close();
  });

  it("scrubs the STS token from every echoed field (Code, HostId, RequestId) and in JSON-escaped and base64 forms", async () => {
    const token = "STS.TokenValueXYZ/abc+def==";
    const secret = "SuperSecretKeyValue123456";
    const forms = [
      token,
      secret,
      token.replace(/\//g, "\\/"),
      encodeURIComponent(token),
      encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      encodeURIComponent(token).toLowerCase(),
      Buffer.from(token).toString("base64"),
      Buffer.from(token).toString("base64url"),
    ];
    const embedded = ["", "a", "ab"].map((pad) => Buffer.from(`token=${pad}${token}&x=1`).toString("base64"));
    const srv = await scriptedServer([
      json(400, { RequestId: `r-${token}`, Code: `Bad${token}`, Message: "m", HostId: token }),
      json(502, `<html>${forms.join(" ")} ${embedded.join(" ")}</html>`),
    ]);
    const c = client(srv.endpoint, {
      accessKeySecret: secret,
      securityToken: token,
      retry: { maxAttempts: 1 },
    });
    const inFields = (await c.call("DescribePackageState", {}).catch((x: unknown) => x)) as CasApiError;
    const inBody = (await c.call("DescribePackageState", {}).catch((x: unknown) => x)) as CasApiError;
    assert.equal(inFields.code, "Bad[REDACTED]");
    assert.equal(inFields.hostId, "[REDACTED]");
    assert.equal(inFields.requestId, "r-[REDACTED]");
    assert.equal(inBody.httpStatus, 502);
    const tokenCore = Buffer.from(token.slice(3, 21)).toString("base64").slice(0, 16);
    for (const e of [inFields, inBody]) {
      const text = [e.code, e.message, e.apiMessage, e.hostId, e.requestId, e.recommend].join(" ");
      for (const leak of [...forms, tokenCore]) assert.ok(!text.includes(leak), `${leak} in ${text}`);
    }
    await srv.close();
  });

  it("scrubs a cut piece of the STS token, the token in hex, and a header map echoed as JSON", async () => {
    const token = "CAIS+xYz/0123456789abcdefGHIJKLmnopqrstuv==WXyz9876543210+/abcDEF";
    const srv = await scriptedServer([
      json(400, {
        Code: "Bad",
        Message: `prefix ${JSON.stringify({ "x-acs-security-token": token.slice(0, 40) })}`,
      }),
      json(400, {
        Code: "Bad",
        Message: `hex ${Buffer.from(token).toString("hex")} HEX ${Buffer.from(token).toString("hex").toUpperCase().slice(10, 60)}`,
      }),
      json(400, { Code: `Bad.${token.slice(0, 30)}`, Message: `middle ${token.slice(17, 41)} end` }),
      json(400, {
        Code: "Bad",
        Message: `headers {"authorization":"ACS3-HMAC-SHA256 Credential=ak,Signature=abc","x-acs-security-token":"short"}`,
      }),
    ]);
    const c = client(srv.endpoint, { securityToken: token, retry: { maxAttempts: 1 } });
    const errors: CasApiError[] = [];
    for (let i = 0; i < 4; i++)
      errors.push((await c.call("DescribePackageState", {}).catch((x: unknown) => x)) as CasApiError);
    await srv.close();
    const hex = Buffer.from(token).toString("hex");
    for (const e of errors) {
      const text = [e.code, e.message, e.apiMessage].join(" ");
      for (let i = 0; i + 16 <= token.length; i++)
        assert.ok(!text.includes(token.slice(i, i + 16)), `a piece of the token in ${text}`);
      for (let i = 0; i + 16 <= hex.length; i++)
        assert.ok(
          !text.toLowerCase().includes(hex.slice(i, i + 16)),
          `a piece of the token's hex in ${text}`,
        );
    }
    assert.match(errors[0]!.apiMessage, /^prefix \{"x-acs-security-token":"\[REDACTED\]"\}$/);
    assert.match(errors[2]!.apiMessage, /^middle \[REDACTED\] end$/);
    assert.match(errors[3]!.apiMessage, /"authorization":" ?\[REDACTED\]"/);
    assert.ok(!errors[3]!.apiMessage.includes("Signature=abc"));
    // Ordinary text around the pieces is kept.
    assert.match(errors[1]!.apiMessage, /^hex \[REDACTED\] HEX \[REDACTED\]$/);
  });

  it("a refused signature names the credential source in use and the usual causes, never the secret", async () => {
    const srv = await scriptedServer([apiError(400, "SignatureDoesNotMatch")]);
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tExampleKeyId",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret-0123",
    };
    const e = (await new CasClient({ endpoint: srv.endpoint, env, rateLimits: false })
      .call("DescribePackageState", {})
      .catch((x: unknown) => x)) as CasApiError;
    assert.match(
      e.message,
      /from environment ALIBABA_CLOUD_ACCESS_KEY_ID \/ ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    assert.match(e.message, /access key LTAI…eyId/);
    assert.match(e.message, /\(1\) the secret does not belong.*\(2\).*\(3\)/);
    assert.ok(!e.message.includes(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET));
    await srv.close();
  });

  it("an unknown access key id puts that cause first, not a secret that does not match", async () => {
    const srv = await scriptedServer([apiError(404, "InvalidAccessKeyId.NotFound")]);
    const e = (await client(srv.endpoint)
      .call("DescribePackageState", {})
      .catch((x: unknown) => x)) as CasApiError;
    assert.equal(e.code, "InvalidAccessKeyId.NotFound");
    assert.match(e.message, /Usual causes: \(1\) the access key id does not exist or is disabled/);
    assert.ok(
      e.message.indexOf("the secret does not belong") === -1,
      `a secret mismatch is no cause of an unknown key id: ${e.message}`,
    );
    await srv.close();
  });

  it("an endpoint answering 404 without a CAS error body is named, with where the endpoint comes from", async () => {
    const srv = await scriptedServer([
      (_req, res) => {
        res.writeHead(404);
        res.end();
      },
    ]);
    const e = (await client(srv.endpoint)
      .call("CreateCertificateRequest", create)
      .catch((x: unknown) => x)) as CasApiError;
    assert.equal(e.httpStatus, 404);
    assert.equal(
      e.message,
      `CreateCertificateRequest failed: HTTP404: (empty body) (HTTP 404) ${srv.endpoint} answered without a CAS error body, so it is probably not the CAS API. ` +
        "Check the endpoint: it comes from ALIBABA_CLOUD_ENDPOINT_CAS, else the cas entry of alicloud:endpoints, else alicloud:region " +
        "(https://cas.aliyuncs.com for most regions); for the local emulator, check that it is the one running on that port; " +
        "or a proxy (HTTPS_PROXY, HTTP_PROXY) answered instead.",
    );
    // A CAS error body at the same status is CAS's answer: no such advice.
    const cas = await scriptedServer([apiError(404, "NotFoundOrder")]);
    const found = (await client(cas.endpoint)
      .call("DescribeCertificateState", { OrderId: "1" })
      .catch((x: unknown) => x)) as CasApiError;
    assert.equal(found.code, "NotFoundOrder");
    assert.ok(!found.message.includes("not the CAS API"), found.message);
    await srv.close();
    await cas.close();
  });

  it("sends the official SDK's shape by default: POST, parameters in the query, empty body; STS adds x-acs-accesskey-id", async () => {
    const srv = await captureServer('{"RequestId":"R","OrderId":5,"Type":"process"}');
    await client(srv.endpoint, { securityToken: "tok-123456" }).call("CreateCertificateRequest", {
      ...create,
      Tags: [{ Key: "env", Value: "a b" }],
    });
    const [req] = srv.seen;
    assert.equal(req!.method, "POST");
    assert.equal(req!.body, "");
    assert.equal(req!.headers["content-type"], undefined);
    const query = new URL(req!.url, "http://x").searchParams;
    assert.equal(query.get("Domain"), "a.example.com");
    assert.equal(query.get("Tags.1.Key"), "env");
    assert.equal(query.get("Tags.1.Value"), "a b");
    assert.equal(req!.headers["x-acs-accesskey-id"], "ak");
    assert.match(
      String(req!.headers.authorization),
      /SignedHeaders=[^,]*x-acs-accesskey-id[^,]*x-acs-security-token/,
    );
    await client(srv.endpoint, { signatureScheme: "acs3-form" }).call("DescribeCertificateState", {
      OrderId: "5",
    });
    assert.equal(srv.seen[1]!.body, "OrderId=5");
    assert.equal(srv.seen[1]!.url, "/");
    await srv.close();
  });
});
