import assert from "node:assert/strict";
import { checkOrderInputs } from "../../provider/order/inputs";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("check: adoptOrderId given as a number", () => {
  it("a safe whole number is taken as its decimal string", async () => {
    const c = await checkOrderInputs({ domain: "www.example.com", ...contact, adoptOrderId: 12000007 });
    assert.deepEqual(c.failures, []);
    assert.equal(c.inputs.adoptOrderId, "12000007");
  });
  it("a fraction, a negative number or one beyond 2^53 fails naming adoptOrderId and a string to use", async () => {
    for (const adoptOrderId of [12000007.5, -1, 2 ** 53 + 2]) {
      const c = await checkOrderInputs({ domain: "www.example.com", ...contact, adoptOrderId });
      assert.deepEqual(
        c.failures.map((f) => f.property),
        ["adoptOrderId"],
        String(adoptOrderId),
      );
      assert.match(c.failures[0]!.reason, /^a string such as "12000007"/);
    }
  });
});
