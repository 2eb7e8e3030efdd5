import assert from "node:assert/strict";
import {
  accountUnproven,
  checkSameAccount,
  filledAccount,
  placedElsewhere,
  type CurrentAccount,
} from "../../provider/order/account";

describe("account: which account an order belongs to, and what NotFoundOrder proves", () => {
  const now: CurrentAccount = {
    endpoint: "https://cas.aliyuncs.com",
    accountId: "1968132000123456",
    accessKey: "00112233aabbccdd",
    source: "environment ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    identityType: "Account",
  };

  it("same endpoint and account: nothing to say; the answer is believed", () => {
    const stored = { endpoint: now.endpoint, accountId: now.accountId };
    assert.doesNotThrow(() => checkSameAccount("1", stored, now, "read"));
    assert.equal(placedElsewhere("1", stored, now), undefined);
    assert.equal(accountUnproven("1", stored, now), undefined);
  });

  it("another account: refused before any call, naming both account ids and the credentials' source", () => {
    const stored = { endpoint: now.endpoint, accountId: "1111222233334444" };
    assert.throws(
      () => checkSameAccount("7", stored, now, "read"),
      (e: Error & { code?: string }) =>
        e.code === "OrderInAnotherAccount" &&
        /^order 7 was placed in Alibaba Cloud account 1111222233334444, but the credentials in use \(environment ALIBABA_CLOUD_ACCESS_KEY_ID/.test(
          e.message,
        ) &&
        /belong to account 1968132000123456, so it was not read.*Use credentials of account 1111222233334444/.test(
          e.message,
        ),
    );
  });

  it("another endpoint: names both", () => {
    const why = placedElsewhere(
      "7",
      { endpoint: "https://cas.ap-southeast-1.aliyuncs.com", accountId: null },
      now,
    );
    assert.match(
      why!,
      /^order 7 was placed through https:\/\/cas\.ap-southeast-1\.aliyuncs\.com, but this provider talks to https:\/\/cas\.aliyuncs\.com\..*pulumi state delete <urn>/,
    );
  });

  it("older state without an account id: only the same AccessKey proves the account; otherwise NotFoundOrder is not believed", () => {
    assert.equal(
      accountUnproven("7", { endpoint: now.endpoint, accountId: null, accessKey: now.accessKey }, now),
      undefined,
    );
    for (const stored of [
      { endpoint: now.endpoint, accountId: null, accessKey: "ffeeddccbbaa9988" },
      { endpoint: now.endpoint, accountId: null, accessKey: null },
      undefined,
    ])
      assert.match(
        accountUnproven("7", stored, now) ?? "",
        /^order 7: CAS answered NotFoundOrder to account 1968132000123456 .*written before the account was recorded.*it stays in the stack/,
      );
    // STS keys have no fingerprint: even a matching record of null proves nothing.
    assert.match(
      accountUnproven(
        "7",
        { endpoint: now.endpoint, accountId: null, accessKey: null },
        { ...now, accessKey: null },
      )!,
      /stays in the stack/,
    );
  });

  it("a successful read fills the account id in; a recorded one is kept as it is", () => {
    assert.deepEqual(filledAccount(undefined, now), { endpoint: now.endpoint, accountId: now.accountId });
    assert.deepEqual(
      filledAccount({ endpoint: "https://x.example", accountId: null, accessKey: "ab" }, now),
      {
        endpoint: "https://x.example",
        accountId: now.accountId,
      },
    );
    assert.deepEqual(filledAccount({ endpoint: "https://x.example", accountId: "1111222233334444" }, now), {
      endpoint: "https://x.example",
      accountId: "1111222233334444",
    });
  });
});
