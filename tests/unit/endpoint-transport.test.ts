import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { withoutCredentials } from "../../provider/cas/proxy-settings";
import { CasError } from "../../provider/cas/errors";
import {
  allowInsecureEndpointSetting,
  checkEndpointTransport,
  resolveEndpointSource,
  resolveStsEndpointSource,
} from "../../provider/cas/endpoints";

const config =
  (values: Record<string, string>) =>
  (k: string): string | undefined =>
    values[k];

describe("plain http:// only for this machine, unless alicloud-cas:allowInsecureEndpoint", () => {
  const loopback = ["http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1", "http://[::1]:9"];
  for (const endpoint of loopback)
    it(`${endpoint} is loopback: allowed without the setting`, () => {
      checkEndpointTransport(new URL(endpoint), "environment ALIBABA_CLOUD_ENDPOINT_CAS", false);
    });

  const remote = [
    "http://10.0.0.5:8080",
    "http://cas.internal.example",
    "http://[fd00::2]:80",
    "http://127.0.0.1.example",
  ];
  for (const endpoint of remote)
    it(`${endpoint} is another host: refused naming the endpoint, its source and the setting; allowed with it`, () => {
      assert.throws(
        () => checkEndpointTransport(new URL(endpoint), "environment ALIBABA_CLOUD_ENDPOINT_CAS", false),
        (e: unknown) => {
          assert.ok(e instanceof CasError);
          assert.equal(e.code, "InsecureEndpoint");
          assert.ok(e.message.includes(new URL(endpoint).origin), e.message);
          assert.match(e.message, /from environment ALIBABA_CLOUD_ENDPOINT_CAS/);
          assert.match(e.message, /pulumi config set alicloud-cas:allowInsecureEndpoint true/);
          assert.match(e.message, /nothing was sent/);
          return true;
        },
      );
      checkEndpointTransport(new URL(endpoint), "environment ALIBABA_CLOUD_ENDPOINT_CAS", true);
    });

  it("https:// is always allowed; another scheme never", () => {
    checkEndpointTransport(new URL("https://cas.aliyuncs.com"), "region cn-beijing", false);
    assert.throws(
      () => checkEndpointTransport(new URL("ftp://cas.example"), "the client's endpoint option", true),
      /uses ftp:; use https:\/\//,
    );
  });

  it("the setting reads true or false; anything else is refused naming it", () => {
    assert.equal(allowInsecureEndpointSetting(undefined), false);
    assert.equal(allowInsecureEndpointSetting(config({})), false);
    assert.equal(
      allowInsecureEndpointSetting(config({ "alicloud-cas:allowInsecureEndpoint": "false" })),
      false,
    );
    assert.equal(
      allowInsecureEndpointSetting(config({ "alicloud-cas:allowInsecureEndpoint": "true" })),
      true,
    );
    assert.throws(
      () => allowInsecureEndpointSetting(config({ "alicloud-cas:allowInsecureEndpoint": "yes" })),
      /alicloud-cas:allowInsecureEndpoint: "yes" is not true or false/,
    );
  });

  it("the client refuses at construction (nothing is sent), from config or its own option", () => {
    const endpoints = config({
      "alicloud:endpoints": JSON.stringify([{ cas: "http://cas.internal.example:8080" }]),
    });
    assert.throws(
      () => new CasClient({ accessKeyId: "ak", accessKeySecret: "sk", env: {}, config: endpoints }),
      /http:\/\/cas\.internal\.example:8080 \(from stack config alicloud:endpoints \(its cas entry\)\) is plain http:\/\//,
    );
    const allowed = config({
      "alicloud:endpoints": JSON.stringify([{ cas: "http://cas.internal.example:8080" }]),
      "alicloud-cas:allowInsecureEndpoint": "true",
    });
    assert.equal(
      new CasClient({ accessKeyId: "ak", accessKeySecret: "sk", env: {}, config: allowed }).endpoint.origin,
      "http://cas.internal.example:8080",
    );
    assert.equal(
      new CasClient({
        endpoint: "http://10.1.2.3",
        allowInsecureEndpoint: true,
        accessKeyId: "ak",
        accessKeySecret: "sk",
        env: {},
      }).endpoint.origin,
      "http://10.1.2.3",
    );
  });

  it("every endpoint says where it came from", () => {
    assert.deepEqual(resolveEndpointSource({ env: {} }), {
      endpoint: "https://cas.aliyuncs.com",
      source:
        "region cn-beijing (the default; set alicloud:region or ALIBABA_CLOUD_ENDPOINT_CAS to change it)",
    });
    assert.deepEqual(resolveEndpointSource({ env: { ALICLOUD_REGION: "ap-southeast-1" } }), {
      endpoint: "https://cas.ap-southeast-1.aliyuncs.com",
      source: "region ap-southeast-1 (environment ALICLOUD_REGION)",
    });
    assert.equal(
      resolveEndpointSource({ env: { ALIBABA_CLOUD_ENDPOINT_CAS: "cas.env.example" } }).source,
      "environment ALIBABA_CLOUD_ENDPOINT_CAS",
    );
    assert.equal(
      resolveEndpointSource({ explicit: "https://x.example", env: {} }).source,
      "the client's endpoint option",
    );
  });

  describe("an http:// endpoint on this machine behind alicloud-cas:proxy", () => {
    const client = (proxy: string, env: Record<string, string> = {}, allow?: string) =>
      new CasClient({
        endpoint: "http://127.0.0.1:8080",
        accessKeyId: "ak",
        accessKeySecret: "sk",
        securityToken: "token",
        env,
        config: config({
          "alicloud-cas:proxy": proxy,
          ...(allow ? { "alicloud-cas:allowInsecureEndpoint": allow } : {}),
        }),
      });

    it("is refused when the proxy is another host: the proxy would read the token in clear text", () => {
      for (const proxy of ["http://192.0.2.2:3128", "https://proxy.corp.example:3129"])
        assert.throws(
          () => client(proxy),
          (e: unknown) => {
            assert.ok(e instanceof CasError);
            assert.equal(e.code, "InsecureEndpoint");
            assert.match(
              e.message,
              /http:\/\/127\.0\.0\.1:8080 is plain http:\/\/ and requests to it go through the proxy at /,
            );
            assert.match(e.message, /from stack config alicloud-cas:proxy/);
            assert.match(e.message, /nothing was sent/);
            assert.match(e.message, /pulumi config set alicloud-cas:proxy direct/);
            assert.match(e.message, /pulumi config set alicloud-cas:allowInsecureEndpoint true/);
            return true;
          },
        );
    });

    it("is allowed through a proxy on loopback, when NO_PROXY sends it direct, or with the setting", () => {
      client("http://127.0.0.1:3128");
      client("http://[::1]:3128");
      for (const noProxy of ["127.0.0.1", "127.0.0.1:8080", "*", "localhost, 127.0.0.1"])
        client("http://192.0.2.2:3128", { NO_PROXY: noProxy });
      assert.throws(
        () => client("http://192.0.2.2:3128", { NO_PROXY: "127.0.0.1:9999" }),
        /go through the proxy/,
      );
      assert.throws(
        () => client("http://192.0.2.2:3128", { NO_PROXY: "127.0.0.10" }),
        /go through the proxy/,
      );
      client("http://192.0.2.2:3128", {}, "true");
      client("direct");
    });
  });

  it("a proxy URL in a message never shows its password, with or without a scheme", () => {
    assert.equal(withoutCredentials("http://user:S3cret@proxy.example:3128"), "http://proxy.example:3128");
    assert.equal(withoutCredentials("user:S3cret@127.0.0.1:3128"), "…@127.0.0.1:3128");
    assert.equal(withoutCredentials("socks5://u:S3cret@h:1"), "socks5://h:1");
    assert.equal(withoutCredentials("proxy.example:3128"), "proxy.example:3128");
    // A password whose #, / or ? ended the authority early: nothing before the last @ is shown.
    assert.equal(
      withoutCredentials("http://deploy:2024#Winter!@proxy.corp:3128"),
      "http://…@proxy.corp:3128",
    );
    assert.equal(withoutCredentials("http://deploy:8080/s3cret@proxy.corp:3128"), "http://…@proxy.corp:3128");
    assert.equal(withoutCredentials("http://deploy:1?q=pw@proxy.corp:3128"), "http://…@proxy.corp:3128");
    assert.throws(
      () =>
        new CasClient({
          endpoint: "https://cas.aliyuncs.com",
          accessKeyId: "ak",
          accessKeySecret: "sk",
          env: {},
          proxy: "user:S3cretPassw0rd@127.0.0.1:3128",
        }),
      (e: unknown) =>
        !String((e as Error).message).includes("S3cretPassw0rd") &&
        /is not a proxy URL/.test(String((e as Error).message)),
    );
  });

  it("a malformed alicloud:endpoints fails naming the setting and its shape, never falls back to the real CAS", () => {
    const endpointsOf = (raw: string) =>
      resolveEndpointSource({ env: {}, config: config({ "alicloud:endpoints": raw }) });
    for (const [raw, said] of [
      ["http://127.0.0.1:8080", /is "http:\/\/127\.0\.0\.1:8080", which is not JSON/],
      ['[{"CAS":"http://127.0.0.1:8080"}]', /has the key "CAS"; write it "cas"/],
      ['[{"cas":["http://127.0.0.1:8080"]}]', /has a cas entry that is not a host name or URL/],
      ['[{"cas":""}]', /has a cas entry that is not a host name or URL/],
      ['["cas.example"]', /holds "\\"cas\.example\\"", which is not an object/],
      ["[{", /which is not JSON/],
    ] as const)
      assert.throws(
        () => endpointsOf(raw),
        (e: unknown) => {
          assert.ok(e instanceof CasError);
          assert.equal(e.code, "InvalidConfig");
          assert.match(e.message, /^stack config alicloud:endpoints /);
          assert.match(e.message, said);
          assert.match(e.message, /it takes a JSON list of objects such as \[\{"cas":/);
          return true;
        },
        raw,
      );
    assert.equal(endpointsOf('{"cas":"cas.single.example"}').endpoint, "https://cas.single.example");
    assert.equal(
      endpointsOf('[{"alidns":"dns.example","ecs":"ecs.example"}]').endpoint,
      "https://cas.aliyuncs.com",
    );
  });
});

describe("the STS endpoint: where it comes from, and plain http:// only for this machine", () => {
  it("ALIBABA_CLOUD_STS_ENDPOINT, then ALICLOUD_STS_ENDPOINT, then the sts entry of alicloud:endpoints, then sts.aliyuncs.com", () => {
    const endpoints = config({
      "alicloud:endpoints": JSON.stringify([{ cas: "cas.x" }, { sts: "sts-vpc.cn-hangzhou.aliyuncs.com" }]),
    });
    assert.deepEqual(
      resolveStsEndpointSource({
        env: { ALIBABA_CLOUD_STS_ENDPOINT: "http://127.0.0.1:9", ALICLOUD_STS_ENDPOINT: "b" },
        config: endpoints,
      }),
      {
        endpoint: "http://127.0.0.1:9",
        source: "environment ALIBABA_CLOUD_STS_ENDPOINT",
      },
    );
    assert.equal(
      resolveStsEndpointSource({ env: { ALICLOUD_STS_ENDPOINT: "sts.b.example" } }).endpoint,
      "https://sts.b.example",
    );
    assert.deepEqual(resolveStsEndpointSource({ env: {}, config: endpoints }), {
      endpoint: "https://sts-vpc.cn-hangzhou.aliyuncs.com",
      source: "stack config alicloud:endpoints (its sts entry)",
    });
    assert.equal(resolveStsEndpointSource({ env: {} }).endpoint, "https://sts.aliyuncs.com");
  });

  it("an http:// STS endpoint on another host is refused at the first session, naming STS and the setting; unused, it stops nothing", async () => {
    const env = { ALIBABA_CLOUD_STS_ENDPOINT: "http://10.0.0.5:8080" };
    const keys = { "alicloud:accessKey": "id", "alicloud:secretKey": "secret" };
    // Plain keys: STS is never asked, so its setting does not matter.
    const plain = new CasClient({ endpoint: "http://127.0.0.1:1", env, config: config(keys) });
    assert.equal(plain.identity.accessKeyId, "id");
    const role = new CasClient({
      endpoint: "http://127.0.0.1:1",
      env,
      config: config({ ...keys, "alicloud:assumeRole": JSON.stringify({ roleArn: "acs:ram::1:role/r" }) }),
    });
    await assert.rejects(role.call("DescribePackageState", {}), (e: unknown) => {
      assert.ok(e instanceof CasError);
      assert.equal(e.code, "InsecureEndpoint");
      assert.match(
        e.message,
        /^the STS endpoint http:\/\/10\.0\.0\.5:8080 \(from environment ALIBABA_CLOUD_STS_ENDPOINT\)/,
      );
      assert.match(e.message, /nothing was sent/);
      assert.match(e.message, /alicloud-cas:allowInsecureEndpoint true/);
      return true;
    });
  });
});

describe("an endpoint that is no URL", () => {
  it("is refused naming where it came from, for CAS and STS alike", () => {
    assert.throws(
      () => resolveEndpointSource({ env: { ALIBABA_CLOUD_ENDPOINT_CAS: "cas aliyuncs.com" } }),
      /the CAS endpoint "cas aliyuncs\.com" \(from environment ALIBABA_CLOUD_ENDPOINT_CAS\) is not a host name or URL/,
    );
    assert.throws(
      () =>
        resolveStsEndpointSource({
          env: {},
          config: (k: string) => (k === "alicloud:endpoints" ? '[{"sts":"sts.example:99999"}]' : undefined),
        }),
      /the STS endpoint "sts\.example:99999" \(from stack config alicloud:endpoints \(its sts entry\)\) is not a host name or URL/,
    );
  });
});
