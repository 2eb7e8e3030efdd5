import assert from "node:assert/strict";
import { tagWithCode, withCodedErrors } from "../../provider/coded-errors";
import { CasApiError, CasError } from "../../provider/cas/errors";

describe("errors leaving the provider carry their code", () => {
  it("this package's code and CAS's code go in brackets before the message, once", async () => {
    const own = new CasError("ReconcileFailed", "looking for the order failed");
    const provider = withCodedErrors({
      async create(): Promise<never> {
        throw own;
      },
      async read(): Promise<never> {
        throw new CasApiError({
          code: "InvalidSecurityToken.Expired",
          message: "the token expired",
          httpStatus: 400,
          requestId: "R1",
          hostId: null,
          recommend: null,
          action: "DescribeCertificateState",
          retryable: false,
        });
      },
    });
    await assert.rejects(provider.create(), (e: Error) => {
      assert.equal(e, own, "the same error, so a partial failure's id and properties stay");
      assert.equal(e.message, "[ReconcileFailed] looking for the order failed");
      assert.match(String(e.stack), /^CasError: \[ReconcileFailed\] looking for the order failed/);
      return true;
    });
    await assert.rejects(
      provider.read(),
      /^CasApiError: \[InvalidSecurityToken\.Expired\] DescribeCertificateState failed: InvalidSecurityToken\.Expired: the token expired/,
    );
    assert.equal((tagWithCode(own) as Error).message, "[ReconcileFailed] looking for the order failed");
  });

  it("a partial failure keeps what the engine reads from it; an error without a code passes unchanged", async () => {
    const partial = Object.assign(new CasError("OutcomeUnknown", "no answer"), {
      id: "unresolved-1",
      properties: { orderId: null },
    });
    const plain = new Error("something else");
    const provider = withCodedErrors({
      async create(which: string): Promise<never> {
        throw which === "partial" ? partial : plain;
      },
    });
    await assert.rejects(provider.create("partial"), (e: typeof partial) => {
      assert.equal(e.message, "[OutcomeUnknown] no answer");
      assert.equal(e.id, "unresolved-1");
      assert.deepEqual(e.properties, { orderId: null });
      return true;
    });
    await assert.rejects(
      provider.create("plain"),
      (e: Error) => e === plain && e.message === "something else",
    );
  });
});
