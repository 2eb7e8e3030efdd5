import assert from "node:assert/strict";
import { ACTIONS, type RequestOf, type ResponseOf } from "../../provider/cas/actions";
import type { CallOptions } from "../../provider/cas/client";
import { Deadline, runWithDeadline } from "../../provider/cas/deadline";
import {
  CasApiError,
  CasError,
  CasOutcomeUnknownError,
  CasResponseError,
  CasTransportError,
} from "../../provider/cas/errors";
import type { FailureKind } from "../../provider/cas/failure";
import { Claims, type LostAnswerPolicy } from "../../provider/order/ownership";
import {
  configuredPolicy,
  GRACE_KEY,
  LOST_ANSWER_WINDOW_MS,
  OrderPlacer,
  RECONCILE_GRACE_MS,
  unresolvedCreate,
  WINDOW_KEY,
  type OrderRequest,
  type PlacerApi,
} from "../../provider/order/placer";
import { fakeClock } from "../support/clock";

// Pure-logic unit tests: the placer's decisions on a fake clock (its waits take no time) against an
// in-process fake of the two calls it makes. The real client and emulator are exercised by
// tests/integration/fault-matrix.test.ts and late-sibling.test.ts.

const PRODUCT = "digicert-free-1-free";
const OPERATION_MS = 90_000;

/** What the fake does with one create. */
type Create =
  | "ok" // placed, answered
  | "lost" // placed, connection reset before the answer
  | "lost-at-deadline" // placed, no answer until the operation's deadline
  | "reset" // never reached CAS
  | "timeout" // no answer within the attempt timeout; not placed (yet)
  | "throttle" // Throttling.User until the client's own retries were spent: not processed
  | "garbled" // placed, 2xx answer that does not parse (as the client reports it)
  | "garbled-raw" // the same, as a bare CasResponseError carrying the kind
  | "nonce" // SignatureNonceUsed (as the client reports it for a create)
  | "nonce-raw" // the same, as a bare CasApiError carrying the kind
  | "gateway" // a 504 from a gateway in front of CAS (no RequestId); CAS places it later
  | "gateway-wrapped" // the same, as the client reports an unknown create outcome
  | "refuse"; // a definite refusal (InvalidDomain)

interface FakeOrder {
  OrderId: string;
  Domain: string;
  ProductCode: string;
  BuyDate: number;
  Status: string;
}

/** The placer's API surface, answering from an in-memory order list; every create follows `script`. */
class FakeCas implements PlacerApi {
  readonly orders: FakeOrder[] = [];
  readonly creates: Array<{ deadline: Deadline | undefined }> = [];
  /** For each list call: its deadline, and the time it was sent. */
  readonly listed: Array<{ deadline: Deadline | undefined; at: number }> = [];
  lists = 0;
  private next = 12_000_000;

  constructor(
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> },
    private readonly script: Create[],
    /** Used once the script is spent. */
    private readonly then: Create = "ok",
  ) {}

  /** An order in CAS that this placer did not send (another stack's, or a late request's). */
  add(domain: string, buyDate = this.clock.now()): string {
    const OrderId = String(this.next++);
    this.orders.push({ OrderId, Domain: domain, ProductCode: PRODUCT, BuyDate: buyDate, Status: "CHECKING" });
    return OrderId;
  }

  async call<A extends OrderRequest["action"] | "ListUserCertificateOrder">(
    action: A,
    params: RequestOf<A>,
    options?: CallOptions,
  ): Promise<ResponseOf<A>> {
    await Promise.resolve(); // answers arrive asynchronously, as over a socket
    if (action === "ListUserCertificateOrder") {
      this.lists++;
      this.listed.push({ deadline: options?.deadline, at: this.clock.now() });
      const p = params as RequestOf<"ListUserCertificateOrder">;
      const hits = this.orders.filter((o) => o.Domain.includes(p.Keyword ?? ""));
      const size = p.ShowSize ?? 50;
      const page = hits.slice(((p.CurrentPage ?? 1) - 1) * size, (p.CurrentPage ?? 1) * size);
      // Through the real response schema, as the client parses answers.
      const res = ACTIONS.ListUserCertificateOrder.response.parse({
        RequestId: "r",
        TotalCount: hits.length,
        CertificateOrderList: page,
      });
      return res as ResponseOf<A>;
    }
    this.creates.push({ deadline: options?.deadline });
    const step = this.script.shift() ?? this.then;
    const domain = (params as { Domain: string }).Domain;
    const place = () => this.add(domain);
    const reset = new CasTransportError("NetworkError", action, "cannot reach the endpoint: ECONNRESET");
    // What the client's retry strategy decided travels on the error as its kind.
    const garbled = new CasResponseError(action, "body is not JSON (Unexpected token <)", "outcome-unknown");
    const gateway = new CasApiError({
      code: "InternalError",
      message: "<html>504 Gateway Time-out</html>",
      httpStatus: 504,
      requestId: null,
      hostId: null,
      recommend: null,
      action,
      retryable: true,
      kind: "outcome-unknown",
    });
    const apiError = (code: string, retryable: boolean, kind: FailureKind) =>
      new CasApiError({
        code,
        message: `${code} (fake)`,
        httpStatus: 400,
        requestId: "r",
        hostId: null,
        recommend: null,
        action,
        retryable,
        kind,
      });
    // A fresh nonce per attempt means a copy of this request already arrived: the first copy may
    // have placed the order.
    const nonce = apiError("SignatureNonceUsed", true, "outcome-unknown");
    switch (step) {
      case "ok":
        return { RequestId: "r", OrderId: place() } as ResponseOf<A>;
      case "lost":
        place();
        throw new CasOutcomeUnknownError(action, reset);
      case "lost-at-deadline":
        place();
        await this.clock.sleep(options!.deadline!.remainingMs(this.clock.now()));
        throw new CasOutcomeUnknownError(action, reset);
      case "reset":
        throw new CasOutcomeUnknownError(action, reset);
      case "timeout":
        throw new CasOutcomeUnknownError(
          action,
          new CasTransportError("Timeout", action, "no answer within 10000 ms from the endpoint"),
        );
      case "throttle":
        throw apiError("Throttling.User", true, "throttling");
      case "refuse":
        throw apiError("InvalidDomain", false, "not-retryable");
      case "gateway":
        throw gateway;
      case "gateway-wrapped":
        throw new CasOutcomeUnknownError(action, gateway);
      case "garbled":
        place();
        throw new CasOutcomeUnknownError(action, garbled);
      case "garbled-raw":
        place();
        throw garbled;
      case "nonce":
        place();
        throw new CasOutcomeUnknownError(action, nonce);
      case "nonce-raw":
        place();
        throw nonce;
    }
  }
}

function setup(
  script: Create[],
  policy: LostAnswerPolicy = "stop",
  then: Create = "ok",
  config: Record<string, string> = {},
) {
  const clock = fakeClock();
  const api = new FakeCas(clock, script, then);
  const logged: string[] = [];
  const claims = new Claims();
  const placer = new OrderPlacer({
    api: () => api,
    clock,
    log: (line) => logged.push(line),
    newDeadline: () => Deadline.after(clock.now(), OPERATION_MS),
    adoptAfterLostAnswer: () => policy,
    policy: configuredPolicy((key) => config[key]),
    claims,
  });
  return { clock, api, logged, claims, placer };
}

function request(domain: string): OrderRequest {
  return {
    action: "CreateCertificateRequest",
    params: {
      Domain: domain,
      Username: "u",
      Phone: "13800001111",
      Email: "a@example.com",
      ValidateType: "DNS",
    },
    productCode: PRODUCT,
    names: [domain],
  };
}

/** The rejection of `p`, which must reject. */
async function rejection(
  p: Promise<unknown>,
): Promise<CasError & { candidates?: Array<Record<string, unknown>> }> {
  return p.then(
    (v) => assert.fail(`resolved with ${JSON.stringify(v)}`),
    (e: CasError) => e,
  );
}

describe("OrderPlacer", () => {
  it("places an order once when the answer arrives, and claims it", async () => {
    const { api, claims, placer } = setup(["ok"]);
    const placed = await placer.place(request("a.example.com"));
    assert.deepEqual(placed, { orderId: api.orders[0]!.OrderId, ownership: "placed" });
    assert.ok(claims.isClaimed(placed.orderId));
    assert.equal(api.creates.length, 1);
    assert.equal(api.lists, 0);
  });

  it("a lost answer whose order is listed stops with an error naming the candidate (OrderId, BuyDate, names) and the fix; nothing is ordered again", async () => {
    const { api, placer } = setup(["lost"]);
    const e = await rejection(placer.place(request("a.example.com")));
    const order = api.orders[0]!;
    assert.equal(e.code, "OwnershipUnproven");
    assert.deepEqual(e.candidates, [
      {
        orderId: order.OrderId,
        buyDate: order.BuyDate,
        names: ["a.example.com"],
        status: "CHECKING",
        productCode: PRODUCT,
      },
    ]);
    assert.ok(
      e.message.includes(
        `OrderId ${order.OrderId} (bought ${new Date(order.BuyDate).toISOString()} (server time), a.example.com, CHECKING)`,
      ),
      e.message,
    );
    assert.match(
      e.message,
      new RegExp(`set adoptOrderId to its OrderId \\(e\\.g\\. adoptOrderId: "${order.OrderId}"\\)`),
    );
    assert.equal(api.creates.length, 1, "no second create");
    assert.equal(api.orders.length, 1);
  });

  it("with adoptAfterLostAnswer=unique, a lost answer's single candidate is taken as reconciled", async () => {
    const { api, claims, logged, placer } = setup(["lost"], "unique");
    const placed = await placer.place(request("a.example.com"));
    assert.deepEqual(placed, { orderId: api.orders[0]!.OrderId, ownership: "reconciled" });
    assert.ok(claims.isClaimed(placed.orderId), "never a candidate for another resource");
    assert.equal(api.creates.length, 1);
    assert.ok(
      logged.some((l) => l.startsWith(`found order ${placed.orderId} placed by the unanswered request`)),
    );
  });

  it("with adoptAfterLostAnswer=unique, two candidates still stop with both listed", async () => {
    const { api, placer } = setup(["lost"], "unique");
    const other = api.add("a.example.com"); // another stack's order, bought in the same window
    const e = await rejection(placer.place(request("a.example.com")));
    assert.equal(e.code, "OwnershipUnproven");
    assert.deepEqual(e.candidates?.map((c) => c.orderId).sort(), [other, api.orders[1]!.OrderId].sort());
  });

  it("an order another resource of this process holds is never a candidate: the look-up finds nothing", async () => {
    const { api, claims, clock, placer } = setup(["reset", "ok"], "unique");
    const held = api.add("a.example.com");
    claims.claim(held); // another resource's (read, diff or create already reported it)
    const sentAt = clock.now();
    const e = await rejection(placer.place(request("a.example.com")));
    assert.equal(e.code, "OutcomeUnknown");
    assert.deepEqual(unresolvedCreate(e), { sentAt, candidates: [] }, "not the held order");
    assert.equal(api.creates.length, 1);
  });

  it("the look-ups after a lost answer get a deadline of their own: a create that spent the operation's still finds its order", async () => {
    const { api, clock, placer } = setup(["lost-at-deadline"]);
    // As the provider runs each operation: under its deadline.
    const operation = Deadline.after(clock.now(), OPERATION_MS);
    const e = await rejection(runWithDeadline(operation, () => placer.place(request("a.example.com"))));
    assert.equal(api.creates[0]!.deadline, operation);
    assert.equal(e.code, "OwnershipUnproven", e.message);
    const spent = api.creates[0]!.deadline;
    assert.ok(api.listed.length > 0);
    for (const l of api.listed) {
      assert.notEqual(l.deadline, spent);
      assert.equal(l.deadline!.remainingMs(l.at), OPERATION_MS);
    }
  });

  it("a lost answer with nothing listed is looked for again after the grace, and never ordered again in the same operation", async () => {
    const { api, clock, placer } = setup(["reset", "ok"]);
    const start = clock.now();
    const e = await rejection(placer.place(request("a.example.com")));
    assert.equal(e.code, "OutcomeUnknown");
    assert.match(e.message, /Nothing was adopted and no second order was placed\.$/);
    assert.deepEqual(unresolvedCreate(e), { sentAt: start, candidates: [] });
    assert.equal(api.lists, 2, "looked right away and once more");
    assert.equal(api.creates.length, 1, "one create per operation after a lost answer");
    assert.equal(clock.now() - start, RECONCILE_GRACE_MS);
  });

  it("candidates a lost answer cannot take are reported with the request's time, for the stack to keep", async () => {
    const { api, clock, placer } = setup(["lost"]);
    const sentAt = clock.now();
    const e = await rejection(placer.place(request("a.example.com")));
    assert.deepEqual(unresolvedCreate(e), { sentAt, candidates: [api.orders[0]!.OrderId] });
    assert.equal(unresolvedCreate(new CasError("InvalidDomain", "x")), undefined, "a refusal is resolved");
  });

  it(`${GRACE_KEY} sets the grace; a value that is not a whole number of ms fails naming the key and the fix`, async () => {
    const { clock, placer } = setup(["reset", "ok"], "stop", "ok", { [GRACE_KEY]: "250" });
    const start = clock.now();
    await rejection(placer.place(request("a.example.com")));
    assert.equal(clock.now() - start, 250);
    for (const bad of ["", "-1", "1.5", "3s"])
      assert.throws(
        () => configuredPolicy(() => bad),
        (e: CasError) =>
          e.code === "InvalidConfig" &&
          e.message.startsWith(`${GRACE_KEY}: "${bad}"`) &&
          /set it to e\.g\. 3000/.test(e.message),
      );
  });

  it("a create that timed out is not followed by a second order in the same operation; the next one looks first", async () => {
    const { api, placer } = setup(["timeout"]);
    const e = await rejection(placer.place(request("a.example.com")));
    assert.equal(e.code, "OutcomeUnknown");
    assert.match(e.message, /no second order was placed/);
    assert.match(
      e.message,
      /no second order was placed\. If timeouts recur, raise alicloud-cas:attemptTimeoutMs\.$/,
    );
    assert.equal(api.creates.length, 1);
    assert.equal(api.orders.length, 0);
    // CAS processed it late; the next `pulumi up` of this process finds it before sending anything.
    const late = api.add("a.example.com");
    const again = await rejection(placer.place(request("a.example.com")));
    assert.deepEqual(
      again.candidates?.map((c) => c.orderId),
      [late],
    );
    assert.equal(api.creates.length, 1, "still no second create");
  });

  for (const wrapped of [false, true])
    it(`a 5xx from a gateway in front of CAS (no RequestId${wrapped ? ", wrapped by the client" : ""}) is not followed by a second order`, async () => {
      const { api, placer } = setup([wrapped ? "gateway-wrapped" : "gateway"]);
      const e = await rejection(placer.place(request("a.example.com")));
      assert.equal(e.code, "OutcomeUnknown");
      assert.match(e.message, /no answer from CAS itself \(.*504/);
      assert.match(e.message, /no second order was placed/);
      assert.doesNotMatch(e.message, /attemptTimeoutMs/);
      assert.equal(api.creates.length, 1);
      // CAS placed it after the look-ups; the next attempt in this process finds it first.
      const late = api.add("a.example.com");
      const again = await rejection(placer.place(request("a.example.com")));
      assert.deepEqual(
        again.candidates?.map((c) => c.orderId),
        [late],
      );
      assert.equal(api.creates.length, 1);
    });

  it(`${WINDOW_KEY} sets how long a later operation waits for a lost answer's order (default ${LOST_ANSWER_WINDOW_MS / 1000} s)`, () => {
    const { placer } = setup([]);
    assert.equal(placer.windowMs, LOST_ANSWER_WINDOW_MS);
    assert.deepEqual(
      configuredPolicy((k) => (k === WINDOW_KEY ? "5" : undefined)),
      { windowMs: 5000 },
    );
    assert.throws(
      () => configuredPolicy((k) => (k === WINDOW_KEY ? "a minute" : undefined)),
      (e: CasError) =>
        e.code === "InvalidConfig" &&
        e.message.startsWith(`${WINDOW_KEY}: "a minute" is not a whole number of seconds`),
    );
  });

  it("a create the client reports throttled (its own retries, until the deadline, spent) is reported as it is: sent once, no look-up", async () => {
    // Throttle retries have one home, the client's retry strategy (tests/integration/client-throttling.test.ts).
    const { api, placer } = setup([], "stop", "throttle");
    const e = await rejection(placer.place(request("a.example.com")));
    assert.equal(e.code, "Throttling.User");
    assert.equal(e.kind, "throttling");
    assert.equal(api.creates.length, 1);
    assert.ok(api.creates[0]!.deadline, "the create is sent with the operation's deadline");
    assert.equal(api.lists, 0);
    assert.equal(api.orders.length, 0);
  });

  for (const step of ["garbled", "garbled-raw"] as const)
    it(`a 2xx create answer that does not parse goes through the lost-answer path (${step})`, async () => {
      const { api, logged, placer } = setup([step]);
      const e = await rejection(placer.place(request("a.example.com")));
      assert.equal(e.code, "OwnershipUnproven");
      assert.deepEqual(
        e.candidates?.map((c) => c.orderId),
        [api.orders[0]!.OrderId],
      );
      assert.equal(api.creates.length, 1, "never re-sent blindly");
      assert.ok(logged.some((l) => /no answer \(.*InvalidResponse/.test(l) || /unexpected response/.test(l)));
    });

  for (const step of ["nonce", "nonce-raw"] as const)
    it(`a SignatureNonceUsed create answer goes through the lost-answer path (${step})`, async () => {
      const { api, placer } = setup([step], "unique");
      const placed = await placer.place(request("a.example.com"));
      assert.deepEqual(placed, { orderId: api.orders[0]!.OrderId, ownership: "reconciled" });
      assert.equal(api.creates.length, 1, "never re-sent blindly");
    });

  it("a definite refusal of a create is reported as it is, without a look-up", async () => {
    const { api, placer } = setup(["refuse"]);
    assert.equal((await rejection(placer.place(request("a.example.com")))).code, "InvalidDomain");
    assert.equal(api.creates.length, 1);
    assert.equal(api.lists, 0);
  });
});
