import assert from "node:assert/strict";
import { CasApiError } from "../../provider/cas/errors";
import {
  certificateLink,
  findCertificate,
  keywordFor,
  normalizeSerial,
  CertIdHints,
  type LinkApi,
} from "../../provider/order/certificate-link";

/** The hints of one provider context (shared by the tests that note and take them). */
const hints = new CertIdHints();
const noteCertId = (serial: string, certId: string) => hints.note(serial, certId);
const takeCertIdHint = (serial: string) => hints.take(serial);

interface Cert {
  CertificateId: string;
  SerialNo?: string;
  OrderId: string;
  CertIdentifier?: string;
}

/** An in-process stand-in for the two list/detail calls (pure logic only; the emulator is tested elsewhere). */
function fakeApi(certs: Cert[], pageSize = 50) {
  const calls: string[] = [];
  const api = {
    async call(action: string, params: Record<string, unknown>) {
      calls.push(action);
      if (action === "ListUserCertificateOrder") {
        const page = Number(params.CurrentPage);
        const size = Math.min(Number(params.ShowSize), pageSize);
        return {
          RequestId: "r",
          TotalCount: certs.length,
          CertificateOrderList: certs
            .slice((page - 1) * size, page * size)
            .map((c) => ({ CertificateId: c.CertificateId, SerialNo: c.SerialNo })),
        };
      }
      const c = certs.find((x) => x.CertificateId === params.CertId);
      if (!c)
        throw new CasApiError({
          code: "NotFound",
          message: "The certificate does not exist.",
          httpStatus: 404,
          requestId: "r",
          hostId: null,
          recommend: null,
          action,
          retryable: false,
        });
      return {
        RequestId: "r",
        Id: c.CertificateId,
        OrderId: c.OrderId,
        SerialNo: c.SerialNo ?? "ffff",
        CertIdentifier: c.CertIdentifier,
      };
    },
  } as unknown as LinkApi;
  return { api, calls };
}

describe("order → certificate look-up (pure logic)", () => {
  it("normalises serials: case, separators and leading zeros", () => {
    assert.equal(normalizeSerial("00:0A:bC"), "abc");
    assert.equal(normalizeSerial("000ABC"), normalizeSerial("abc"));
    assert.equal(normalizeSerial("00"), "0");
    assert.notEqual(normalizeSerial("abc0"), normalizeSerial("abc"));
  });

  it("searches by the bound name without the wildcard label", () => {
    assert.equal(keywordFor(["*.example.com", "example.com"]), "example.com");
    assert.equal(keywordFor(["www.example.com"]), "www.example.com");
  });

  it("matches by serial and confirms by OrderId, never by the name alone", async () => {
    const { api, calls } = fakeApi([
      { CertificateId: "1", SerialNo: "0099", OrderId: "500" },
      // Same serial (another CA's certificate can share it), other order: not ours.
      { CertificateId: "2", SerialNo: "0ABC", OrderId: "501", CertIdentifier: "2-cn-hangzhou" },
      { CertificateId: "3", SerialNo: "0abc", OrderId: "500", CertIdentifier: "3-cn-hangzhou" },
    ]);
    const link = await findCertificate(api, "500", "www.example.com", "00ABC");
    assert.deepEqual(link, { certificateId: "3", certIdentifier: "3-cn-hangzhou" });
    // No detail call for the item whose listed serial differs.
    assert.deepEqual(calls, [
      "ListUserCertificateOrder",
      "GetUserCertificateDetail",
      "GetUserCertificateDetail",
    ]);
  });

  it("pages through the CERT list and returns no link when nothing is confirmed", async () => {
    const certs = Array.from({ length: 120 }, (_, i) => ({
      CertificateId: String(i + 1),
      SerialNo: `${i + 1}0`,
      OrderId: String(900 + i),
    }));
    const { api, calls } = fakeApi(certs);
    assert.deepEqual(await findCertificate(api, "1019", "x", "1200"), {
      certificateId: "120",
      certIdentifier: null,
    });
    assert.equal(calls.filter((c) => c === "ListUserCertificateOrder").length, 3);
    const miss = fakeApi(certs);
    assert.deepEqual(await findCertificate(miss.api, "1", "x", "dead"), {
      certificateId: null,
      certIdentifier: null,
    });
    assert.equal(miss.calls.filter((c) => c === "ListUserCertificateOrder").length, 3);
  });

  it("keeps the stored link while the serial is the same, looks again when it changes", async () => {
    const { api, calls } = fakeApi([{ CertificateId: "7", SerialNo: "beef", OrderId: "1" }]);
    const logs: string[] = [];
    const kept = await certificateLink(
      () => api,
      "1",
      ["a.example.com"],
      "00BEEF",
      { serialNumber: "beef", certificateId: "7", certIdentifier: "7-cn-hangzhou" },
      (l) => logs.push(l),
      hints,
    );
    assert.deepEqual(kept, { certificateId: "7", certIdentifier: "7-cn-hangzhou" });
    assert.deepEqual(calls, []);
    const fresh = await certificateLink(
      () => api,
      "1",
      ["a.example.com"],
      "beef",
      { serialNumber: "cafe", certificateId: "6", certIdentifier: "6-cn-hangzhou" },
      (l) => logs.push(l),
      hints,
    );
    assert.deepEqual(fresh, { certificateId: "7", certIdentifier: null });
    assert.match(logs.join("\n"), /no CertIdentifier.*never built from a region/);
  });

  describe("by the CertId DescribeCertificateState answered", () => {
    const certs = [
      { CertificateId: "7", SerialNo: "beef", OrderId: "1", CertIdentifier: "7-cn-hangzhou" },
      { CertificateId: "8", SerialNo: "cafe", OrderId: "2", CertIdentifier: "8-cn-hangzhou" },
    ];
    const link = (api: LinkApi, serial: string, certId: string | undefined, logs: string[] = []) =>
      certificateLink(
        () => api,
        "1",
        ["a.example.com"],
        serial,
        undefined,
        (l) => logs.push(l),
        hints,
        certId,
      );

    it("takes the id from it: one GetUserCertificateDetail, no list", async () => {
      const { api, calls } = fakeApi(certs);
      assert.deepEqual(await link(api, "00BEEF", "7"), {
        certificateId: "7",
        certIdentifier: "7-cn-hangzhou",
      });
      assert.deepEqual(calls, ["GetUserCertificateDetail"]);
    });

    it("without it, lists and matches serials as before", async () => {
      const { api, calls } = fakeApi(certs);
      assert.deepEqual(await link(api, "beef", undefined), {
        certificateId: "7",
        certIdentifier: "7-cn-hangzhou",
      });
      assert.deepEqual(calls, ["ListUserCertificateOrder", "GetUserCertificateDetail"]);
    });

    for (const [why, certId, serial] of [
      ["of another order", "8", "beef"],
      ["with another serial", "7", "bead"],
      ["gone (NotFound)", "9", "beef"],
    ] as const)
      it(`a CertId whose detail is ${why} is not taken: the look-up falls back to the list, and says so`, async () => {
        const { api, calls } = fakeApi(certs);
        const logs: string[] = [];
        const found = await link(api, serial, certId, logs);
        assert.equal(calls[0], "GetUserCertificateDetail");
        assert.ok(calls.includes("ListUserCertificateOrder"), calls.join(","));
        assert.deepEqual(
          found,
          serial === "beef"
            ? { certificateId: "7", certIdentifier: "7-cn-hangzhou" }
            : { certificateId: null, certIdentifier: null },
        );
        assert.match(
          logs.join("\n"),
          new RegExp(`does not confirm certificate ${certId} .*looking it up by serial instead`),
        );
      });

    it("a CertId noted with the certificate's serial is used when the caller passes only the serial, once", async () => {
      const { api, calls } = fakeApi(certs);
      noteCertId("00:BE:EF", "7");
      assert.deepEqual(await link(api, "beef", undefined), {
        certificateId: "7",
        certIdentifier: "7-cn-hangzhou",
      });
      assert.deepEqual(calls, ["GetUserCertificateDetail"]);
      assert.equal(takeCertIdHint("beef"), undefined);
      noteCertId("cafe", "8");
      assert.equal(takeCertIdHint("00CAFE"), "8");
      assert.equal(takeCertIdHint("cafe"), undefined);
    });

    it("a stored link for the same serial is kept without any call, and the noted CertId is dropped", async () => {
      const { api, calls } = fakeApi(certs);
      noteCertId("beef", "7");
      const kept = await certificateLink(
        () => api,
        "1",
        ["a.example.com"],
        "beef",
        { serialNumber: "beef", certificateId: "7", certIdentifier: "7-cn-hangzhou" },
        () => undefined,
        hints,
      );
      assert.deepEqual(kept, { certificateId: "7", certIdentifier: "7-cn-hangzhou" });
      assert.deepEqual(calls, []);
      assert.equal(takeCertIdHint("beef"), undefined);
    });
  });
});
