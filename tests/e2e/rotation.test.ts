import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { makeCsr } from "../support/keys";
import { officialClient } from "../support/official-sdk";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack, plainOutputs } from "../support/engine";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

interface Served {
  certificateId: string;
  /** Every order's emulator state at the moment the consumer switched. */
  ordersAtSwitch: Record<string, string>;
}

/**
 * A stand-in consumer (what `alb.Listener` or `cdn.DomainNew` is to a certificate): it records
 * every certificate id it is given, and what CAS said about every order at that moment. It uses
 * only globals, so Pulumi serializes it without this module.
 */
const consumerProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const served = [await snapshot(inputs)];
    return { id: `consumer-${inputs.name}`, outs: { ...inputs, served } };
  },
  async diff(_id, olds, news) {
    const changed = olds.certificateId !== news.certificateId;
    // `replaceOnChange` plays slb.ServerCertificate, whose certificate id cannot change in place.
    return { changes: changed, replaces: changed && news.replaceOnChange ? ["certificateId"] : [] };
  },
  async update(_id, olds, news) {
    return { outs: { ...news, served: [...olds.served, await snapshot(news)] } };
  },
  async delete() {},
};

async function snapshot(inputs: Record<string, unknown>) {
  const res = await fetch(`${inputs.controlUrl}/orders`);
  const all = (await res.json()) as Array<{ orderId: string; state: string }>;
  return {
    certificateId: inputs.certificateId,
    ordersAtSwitch: Object.fromEntries(all.map((o) => [o.orderId, o.state])),
  };
}

class StandInConsumer extends pulumi.dynamic.Resource {
  declare readonly served: pulumi.Output<Served[]>;
  constructor(
    name: string,
    args: {
      certificateId: pulumi.Input<string>;
      controlUrl: string;
      replaceOnChange?: boolean;
    },
  ) {
    super(consumerProvider, name, { ...args, name, served: undefined }, {}, "cas-test", "StandInConsumer");
  }
}

interface Step {
  op: string;
  urn: string;
}

describe("zero-downtime rotation under the real engine: order → validation → consumer", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  /** The first up's result: every test starts from this issued chain, so each can run alone. */
  let first: { steps: Step[]; outputs: Record<string, unknown> };
  const program: { csr: string; renewBeforeDays: number | undefined } = {
    csr: "",
    renewBeforeDays: undefined,
  };

  const orders = async () =>
    (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string; certId: string | null }>;

  before(async () => {
    emu = await startEmulatorProcess(["--validate-after", "200", "--issue-after", "200", "--seed", "12"]);
    program.csr = (await makeCsr("www.example.com", ["www.example.com"])).pem;
    env = await emulatorStack(
      "cas-rotation",
      async () => {
        const order = new CertificateOrder("www", {
          csr: program.csr,
          ...contact,
          onDelete: "revoke",
          quotaCheck: "off",
          ...(program.renewBeforeDays ? { renewBeforeDays: program.renewBeforeDays } : {}),
        });
        const validation = new CertificateOrderValidation("www-issued", {
          orderId: order.orderId,
          timeoutMinutes: 2,
          pollIntervalSeconds: 1,
        });
        const controlUrl = `${emu.endpoint}/_emulator`;
        const listener = new StandInConsumer("listener", {
          certificateId: validation.certIdentifier,
          controlUrl,
        });
        const serverCert = new StandInConsumer("server-cert", {
          certificateId: validation.certificateId,
          controlUrl,
          replaceOnChange: true,
        });
        return {
          orderId: order.orderId,
          certificateId: validation.certificateId,
          certIdentifier: validation.certIdentifier,
          listenerServed: listener.served,
          serverCertServed: serverCert.served,
        };
      },
      emu,
    );
    first = await up();
  });
  after(async () => {
    await env?.stack.destroy();
    await env?.dispose();
    await emu?.stop();
  });

  /** `pulumi up`, returning the engine's steps in the order it started them. */
  async function up(): Promise<{ steps: Step[]; outputs: Record<string, unknown> }> {
    const steps: Step[] = [];
    const res = await env.stack.up({
      onEvent: (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== "same") steps.push({ op: m.op, urn: m.urn.split("::").pop()! });
      },
    });
    assert.equal(res.summary.result, "succeeded");
    return { steps, outputs: plainOutputs(res.outputs) };
  }

  const index = (steps: Step[], op: string, name: string) => {
    const i = steps.findIndex((s) => s.op === op && s.urn === name);
    assert.ok(i >= 0, `no ${op} of ${name} in ${JSON.stringify(steps)}`);
    return i;
  };

  /** Asserts the chain: new order issued → consumers switched (old still valid) → old order revoked. */
  async function assertRotated(
    before: Record<string, unknown>,
    after: { steps: Step[]; outputs: Record<string, unknown> },
  ) {
    const { steps, outputs } = after;
    const oldOrder = String(before.orderId);
    const newOrder = String(outputs.orderId);
    assert.notEqual(newOrder, oldOrder);
    const live = await orders();
    const newCert = live.find((o) => o.orderId === newOrder)!;
    assert.equal(outputs.certificateId, newCert.certId);
    assert.equal(live.find((o) => o.orderId === oldOrder)!.state, "revoked");

    // The engine's order: new order, new validation, consumers switched, and only then anything old goes.
    const createOrder = index(steps, "create-replacement", "www");
    const createValidation = index(steps, "create-replacement", "www-issued");
    const switchListener = index(steps, "update", "listener");
    const switchServerCert = index(steps, "create-replacement", "server-cert");
    assert.ok(createOrder < createValidation, JSON.stringify(steps));
    assert.ok(
      createValidation < switchListener && createValidation < switchServerCert,
      JSON.stringify(steps),
    );
    const firstDelete = steps.findIndex((s) => s.op === "delete-replaced" || s.op === "delete");
    assert.ok(firstDelete > Math.max(switchListener, switchServerCert), JSON.stringify(steps));
    assert.deepEqual(
      steps
        .filter((s) => s.op === "delete-replaced")
        .map((s) => s.urn)
        .sort(),
      ["server-cert", "www", "www-issued"],
    );

    // What the consumers saw when they switched: the new certificate issued, the old one still valid.
    const listenerServed = outputs.listenerServed as Served[];
    const lastListener = listenerServed.at(-1)!;
    assert.equal(lastListener.certificateId, outputs.certIdentifier);
    assert.equal(lastListener.ordersAtSwitch[newOrder], "certificate");
    assert.equal(lastListener.ordersAtSwitch[oldOrder], "certificate");
    const serverCert = (outputs.serverCertServed as Served[]).at(-1)!;
    assert.equal(serverCert.certificateId, outputs.certificateId);
    assert.equal(serverCert.ordersAtSwitch[oldOrder], "certificate");
    // The listener was switched in place from the old identifier to the new one.
    assert.deepEqual(
      listenerServed.map((s) => s.certificateId),
      [...(before.listenerServed as Served[]).map((s) => s.certificateId), outputs.certIdentifier],
    );
  }

  it("first up: the consumers get the issued certificate's ids within the same up", async () => {
    const { outputs } = first;
    const o = (await orders()).find((x) => x.orderId === outputs.orderId);
    assert.equal(o!.state, "certificate");
    assert.equal(outputs.certificateId, o!.certId);
    const official = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    const detail = await official.call("GetUserCertificateDetail", { CertId: o!.certId, CertFilter: true });
    assert.equal(outputs.certIdentifier, detail.CertIdentifier);
    assert.equal(outputs.certIdentifier, `${o!.certId}-cn-hangzhou`);
    assert.deepEqual(
      (outputs.listenerServed as Served[]).map((s) => s.certificateId),
      [outputs.certIdentifier],
    );
  });

  it("renewal (renewBeforeDays) replaces the chain create-before-delete", async () => {
    const before = await env.stack.outputs();
    // The emulator issues 90-day certificates: 70 days on, 20 are left, within renewBeforeDays 30.
    await emu.control("POST", `orders/${String(before.orderId!.value)}/age`, { days: 70 });
    await env.stack.refresh(); // the order is read as issued: its notAfter is what renewal compares
    program.renewBeforeDays = 30;
    try {
      const after = await up();
      await assertRotated(plainOutputs(before), after);
    } finally {
      program.renewBeforeDays = undefined;
    }
  });

  it("key rotation (a CSR with a new key) replaces the chain create-before-delete", async () => {
    await up(); // after the renewal test: renewBeforeDays removed, an in-place update of the order only
    const before = await env.stack.outputs();
    program.csr = (await makeCsr("www.example.com", ["www.example.com"])).pem;
    const after = await up();
    await assertRotated(plainOutputs(before), after);
  });
});
