import assert from "node:assert/strict";
import { placedElsewhere } from "../../provider/order/account";

describe("placedElsewhere: whether NotFoundOrder may only mean other credentials", () => {
  const now = { endpoint: "https://cas.aliyuncs.com", accessKey: "00112233aabbccdd" };

  it("same endpoint and key, or no record (older state): the answer is believed", () => {
    assert.equal(placedElsewhere("1", { ...now }, now), undefined);
    assert.equal(placedElsewhere("1", undefined, now), undefined);
    assert.equal(placedElsewhere("1", "junk", now), undefined);
  });

  it("another endpoint: names both", () => {
    const why = placedElsewhere("7", { ...now, endpoint: "https://cas.ap-southeast-1.aliyuncs.com" }, now);
    assert.match(
      why!,
      /^order 7 was placed through https:\/\/cas\.ap-southeast-1\.aliyuncs\.com, but this provider talks to https:\/\/cas\.aliyuncs\.com\..*pulumi state delete <urn>/,
    );
  });

  it("another key: names both fingerprints; STS keys (null) are not compared", () => {
    const stored = { ...now, accessKey: "ffeeddccbbaa9988" };
    assert.match(
      placedElsewhere("7", stored, now)!,
      /with another AccessKey \(fingerprint ffeeddccbbaa9988; the current key's is 00112233aabbccdd\)/,
    );
    assert.equal(placedElsewhere("7", stored, { ...now, accessKey: null }), undefined);
    assert.equal(placedElsewhere("7", { ...now, accessKey: null }, now), undefined);
  });
});
