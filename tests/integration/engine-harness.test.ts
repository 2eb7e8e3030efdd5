import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
// Loading the e2e harness sets the option under test on Pulumi's own client options.
import "../support/engine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { grpcClientOptions } = require("@pulumi/pulumi/runtime") as {
  grpcClientOptions: grpc.ClientOptions;
};

const service: grpc.ServiceDefinition = {
  ping: {
    path: "/harness.Engine/Ping",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};
const Client = grpc.makeGenericClientConstructor(service, "Engine");

/** A stand-in for one run's engine: a gRPC server on `port` (0: any free port). */
function engine(port: number): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(service, {
    ping: (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.from("ok")),
  });
  return new Promise((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve({ server, port: p }),
    ),
  );
}

/** One call as a run's monitor client makes it: with Pulumi's client options, not waiting for a connection. */
function ping(client: grpc.Client): Promise<string> {
  return new Promise((resolve) =>
    (client as unknown as { ping(b: Buffer, cb: grpc.requestCallback<Buffer>): void }).ping(
      Buffer.from("x"),
      (e) => resolve(e ? `${e.code} ${e.details}` : "ok"),
    ),
  );
}

describe("the e2e harness: many inline runs in one process", () => {
  it("a run reaches its engine on a port an earlier, finished run's engine used", async () => {
    const first = await engine(0);
    // Pulumi never closes a run's client: this one stays open, its connection dead.
    const earlier = new Client(
      `127.0.0.1:${first.port}`,
      grpc.credentials.createInsecure(),
      grpcClientOptions,
    );
    assert.equal(await ping(earlier), "ok");
    first.server.forceShutdown();
    assert.match(await ping(earlier), /^14 /, "the earlier run's engine is gone");

    const next = await engine(first.port);
    const later = new Client(`127.0.0.1:${next.port}`, grpc.credentials.createInsecure(), grpcClientOptions);
    try {
      // Without a subchannel pool per client this is `14 No connection established. Last error: null`.
      assert.equal(await ping(later), "ok");
    } finally {
      earlier.close();
      later.close();
      next.server.forceShutdown();
    }
  });
});
