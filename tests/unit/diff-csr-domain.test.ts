import assert from "node:assert/strict";
import { checkOrderInputs } from "../../provider/order/inputs";
import { diffOrder } from "../../provider/order/diff";
import { makeCsr } from "../support/keys";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** Old state as a CSR order stores it: normalized inputs plus the ordered names in `domains`. */
async function placed(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const checked = await checkOrderInputs({ ...inputs, ...contact });
  assert.deepEqual(checked.failures, []);
  return { ...checked.inputs, orderId: "1", status: "pending_validation", domains: ["shop.example.com"] };
}

async function checked(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = await checkOrderInputs({ ...inputs, ...contact });
  assert.deepEqual(c.failures, []);
  return c.inputs;
}

describe("diff: a CSR order with or without a domain equal to its CN", function () {
  this.timeout(30_000);
  let csr: string;
  before(async () => {
    csr = (await makeCsr("shop.example.com", ["shop.example.com"])).pem;
  });

  it("no change: adding domain equal to the CSR's CN (same bound name)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ csr, domain: "shop.example.com" }));
    assert.deepEqual([d.changes, d.replaces, d.reasons], [false, [], []]);
  });
  it("no change: adding the CN in another case (normalized by check)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ csr, domain: "Shop.Example.COM" }));
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });
  it("no change: removing a redundant domain", async () => {
    const d = await diffOrder(await placed({ csr, domain: "shop.example.com" }), await checked({ csr }));
    assert.deepEqual([d.changes, d.replaces, d.reasons], [false, [], []]);
  });
  it("replace: a CSR for another name still names csr, with or without domain", async () => {
    const other = (await makeCsr("api.example.com", ["api.example.com"])).pem;
    const d = await diffOrder(
      await placed({ csr }),
      await checked({ csr: other, domain: "api.example.com" }),
    );
    assert.deepEqual([d.changes, d.replaces], [true, ["csr"]]);
  });
  it("replace: from a CSR order to an order by domain for the same name (CAS would make the key)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ domain: "shop.example.com" }));
    assert.deepEqual([d.changes, d.replaces], [true, ["csr"]]);
  });
});
