import { randomBytes } from "node:crypto";
import { createServer, type RequestListener } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { EmulatorCa } from "./ca";
import { EmulatorControl } from "./control";
import { controlGuardFor, type ControlApi } from "./control-http";
import { DEFAULT_TEST_INSTANCES, EmulatorCore } from "./core";
import { ApiFault } from "./faults";
import { readBody, route, sendError } from "./http";
import { fullPlans } from "./model";
import type { EmulatorOptions } from "./options";
import { API_VERSION } from "./products";
import { emptyState, newAccountId, StateStore, type EmulatorState } from "./state";
import { generateTlsMaterial } from "./tls";

export { EmulatorControl } from "./control";
export type { EmulatorOptions } from "./options";

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`). */
  endpoint: string;
  /** With `tls`: the CA clients trust the emulator by (NODE_EXTRA_CA_CERTS), when known. */
  tlsCaPem?: string;
  /** The default account's id. */
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
  control: EmulatorControl;
  close(): Promise<void>;
}

/** Whether `host` is a loopback address or name (only this machine can connect). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Starts a CAS emulator; with no options: one account holding a plan of 100 orders for every product
 * code, on a free port. Bound to an address other machines can reach, it needs `controlToken`: the
 * control API's `Host` check stops DNS rebinding in a browser, not a client that sends
 * `Host: localhost` itself, and the control API hands out orders' private keys and the CA key.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (!isLoopbackHost(options.host ?? "127.0.0.1") && !options.controlToken)
    throw new Error(
      `the emulator binds ${options.host}, reachable from other machines, and its control API (orders, private keys, faults) would be open to them: set --control-token <T> (or CAS_EMULATOR_CONTROL_TOKEN), or bind 127.0.0.1`,
    );
  const now = options.now ?? (() => Date.now());
  const store = new StateStore(options.dataDir);
  store.acquire();
  try {
    return await serve(options, store, now);
  } catch (e) {
    store.release();
    throw e;
  }
}

async function serve(
  options: EmulatorOptions,
  store: StateStore,
  now: () => number,
): Promise<RunningEmulator> {
  const loaded = store.load();
  const state: EmulatorState = loaded ?? emptyState(options.largeOrderIds ? "98987582437920968" : "12000001");
  // A restart on saved state must not replay the ids, records and request ids it already gave out:
  // without a seed of its own it takes a fresh one (a fresh state keeps the default, repeatable one).
  if (loaded && options.seed === undefined) options = { ...options, seed: randomBytes(4).readUInt32BE(0) };
  const accessKeyId =
    options.accessKeyId ?? state.accounts[0]?.accessKeyId ?? `LTAI${randomBytes(10).toString("hex")}`;
  const known = state.accounts.find((a) => a.accessKeyId === accessKeyId);
  const accessKeySecret =
    options.accessKeySecret ?? known?.accessKeySecret ?? randomBytes(15).toString("base64url");
  if (options.accountId !== undefined && !/^\d{16}$/.test(options.accountId))
    throw new Error(`accountId ${JSON.stringify(options.accountId)} is not an account id: give 16 digits`);
  const taken = state.accounts.find((a) => a.accountId === options.accountId && a !== known);
  if (taken)
    throw new Error(
      `account ${options.accountId} is already the account of key ${taken.accessKeyId} in this emulator's state; start with that key, or another account id`,
    );
  if (known) {
    known.accessKeySecret = accessKeySecret;
    known.securityTokens = options.securityTokens ?? known.securityTokens;
    known.accountId = options.accountId ?? known.accountId;
  } else {
    state.accounts.unshift({
      accountId: options.accountId ?? newAccountId(),
      accessKeyId,
      accessKeySecret,
      securityTokens: options.securityTokens ?? [],
    });
  }
  if (!Object.prototype.hasOwnProperty.call(state.plans, accessKeyId))
    state.plans[accessKeyId] = fullPlans(options.planSize ?? 100);
  const ca = await EmulatorCa.create(state.ca ?? undefined);
  state.ca = ca.material;
  const core = new EmulatorCore(options, state, ca, store, now);
  // A new account gets its pool of free TEST instances; a loaded one keeps what it has.
  if (!known) core.instances.fillPool(accessKeyId, options.testInstances ?? DEFAULT_TEST_INSTANCES);
  core.save();
  const control = new EmulatorControl(core);
  const controlApi: ControlApi = {
    guard: controlGuardFor(options),
    context: () => ({
      control,
      defaultKey: core.defaultKey,
      info: () => ({
        version: API_VERSION,
        accessKeyId: core.defaultKey,
        accountId: core.defaultAccountId,
        lifecycle: core.model.lifecycle,
      }),
    }),
  };

  const handler: RequestListener = (req, res) => {
    readBody(req)
      .then((body) => route(core, controlApi, req, res, body))
      .catch((e: unknown) => {
        if (!res.headersSent)
          sendError(
            res,
            new ApiFault(
              "InternalError",
              500,
              String((e as Partial<Error> | null | undefined)?.message ?? e),
            ),
            "JSON",
            core,
          );
      });
  };
  const tls = await tlsMaterial(options);
  const server = tls
    ? createHttpsServer({ cert: tls.certificatePem, key: tls.privateKeyPem }, handler)
    : createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls ? "https" : "http"}://${options.host ?? "127.0.0.1"}:${port}`,
    ...(tls?.caPem ? { tlsCaPem: tls.caPem } : {}),
    accountId: state.accounts[0]!.accountId,
    accessKeyId,
    accessKeySecret,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          store.release();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The certificate to serve with `tls`: given, or made for loopback and the bound host. */
async function tlsMaterial(
  options: EmulatorOptions,
): Promise<{ certificatePem: string; privateKeyPem: string; caPem?: string } | undefined> {
  if (!options.tls) return undefined;
  if (options.tls !== true && "certificatePem" in options.tls) return options.tls;
  const hosts = new Set(["127.0.0.1", "::1", "localhost"]);
  if (options.host) hosts.add(options.host);
  for (const h of options.tls === true ? [] : options.tls.hosts) hosts.add(h);
  const made = await generateTlsMaterial({ hosts: [...hosts] });
  return { certificatePem: made.certificatePem, privateKeyPem: made.privateKeyPem, caPem: made.caPem };
}
