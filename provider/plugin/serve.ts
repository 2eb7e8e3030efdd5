import { AsyncLocalStorage } from "node:async_hooks";
import { dirname } from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { changedKeys } from "./preview";
import { reveal } from "./secrets";

type Props = Record<string, unknown>;

/** What the plugin does with a Configure request; `log` shows a line in the engine's output. */
type Configure = (
  variables: Record<string, string>,
  args: Props,
  log: ((line: string) => void) | undefined,
) => Promise<void>;

/**
 * What the server does not hand the provider's methods about the call being answered: the
 * program's inputs of a Read (the `import` option sends them; a refresh sends none), and whether a
 * Create or Update is a preview's.
 */
interface CallContext {
  inputs?: Props | undefined;
  preview: boolean;
}
const calls = new AsyncLocalStorage<CallContext>();

/** The inputs the program gives the resource a Read is answered for, when the engine sent them. */
export const programInputs = (): Props | undefined => calls.getStore()?.inputs;

/** Whether the Create or Update being answered is a preview's (it must act on nothing). */
export const previewing = (): boolean => calls.getStore()?.preview === true;

interface Request {
  getInputs?(): { toJavaScript(): Props } | undefined;
  getPreview?(): boolean;
}

/** CheckConfig and DiffConfig as the plugin answers them (plugin.ts), with Configure. */
export interface ProviderConfig {
  configure: Configure;
  check(news: Props): { inputs: Props; failures: Array<{ property: string; reason: string }> };
  diff(oldInputs: Props, news: Props, ignoreChanges: string[]): { changes: boolean; diffs: string[] };
}

type Struct = { toJavaScript(): Props } | undefined;

interface CheckConfigCall {
  request: { getNews(): Struct };
}

interface DiffConfigCall {
  request: { getOldInputs(): Struct; getOlds(): Struct; getNews(): Struct; getIgnorechangesList(): string[] };
}

interface ConfigureCall {
  request: {
    getVariablesMap(): { forEach(f: (value: string, key: string) => void): void };
    getArgs(): { toJavaScript(): Props } | undefined;
  };
}
type Callback = (error: unknown, value?: unknown) => void;

interface DiffCall {
  request: {
    getOldInputs(): { toJavaScript(): Props } | undefined;
    getNews(): { toJavaScript(): Props };
  };
}
interface DiffResponse {
  getChanges(): number;
  getReplacesList(): string[];
  setDiffsList(keys: string[]): void;
}

/** A gRPC method definition of a service, as `@grpc/grpc-js` keeps it. */
interface MethodDefinition {
  requestStream: boolean;
  responseStream: boolean;
}

/**
 * Serves `served` to the engine with `provider.main`, with Configure, CheckConfig and DiffConfig
 * answered by `config`: `@pulumi/pulumi/provider`'s server answers Configure without reading it,
 * and CheckConfig and DiffConfig as unimplemented. Its gRPC server is registered through
 * `addService` of the `@grpc/grpc-js` it loads; the implementation object handed to it gets its
 * own methods for those, and every unary method is wrapped so that it always answers.
 */
export async function serve(
  served: provider.Provider,
  config: ProviderConfig,
  args: string[],
): Promise<void> {
  const from = { paths: [dirname(require.resolve("@pulumi/pulumi/provider"))] };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", from)) as {
    Server: { prototype: { addService(service: unknown, impl: Record<string, unknown>): void } };
    credentials: { createInsecure(): unknown };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protos = require(require.resolve("@pulumi/pulumi/proto/provider_pb", from)) as {
    ConfigureResponse: new () => {
      setAcceptsecrets(v: boolean): void;
      setAcceptresources(v: boolean): void;
      setAcceptoutputs(v: boolean): void;
      setSupportspreview(v: boolean): void;
    };
    CheckResponse: new () => { setInputs(v: unknown): void; setFailuresList(v: unknown[]): void };
    CheckFailure: new () => { setProperty(v: string): void; setReason(v: string): void };
    DiffResponse: (new () => { setChanges(v: number): void; setDiffsList(v: string[]): void }) & {
      DiffChanges: { DIFF_NONE: number; DIFF_SOME: number };
    };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", from)) as {
    Struct: { fromJavaScript(v: Props): unknown };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const services = require(require.resolve("@pulumi/pulumi/proto/provider_grpc_pb", from)) as {
    ResourceProviderService: unknown;
  };
  const log = engineLog(args, from, grpc);
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, impl) {
    if (service === services.ResourceProviderService) {
      // The server hands `read` no inputs (kept for the `import` option), and `create` and
      // `update` no preview flag: both are kept for the call.
      for (const name of ["read", "create", "update"]) {
        const method = impl[name] as (call: { request: Request }, callback: Callback) => unknown;
        impl[name] = (call: { request: Request }, callback: Callback) => {
          const given = call.request.getInputs?.()?.toJavaScript();
          const context = {
            inputs: given && Object.keys(given).length > 0 ? given : undefined,
            preview: call.request.getPreview?.() === true,
          };
          return calls.run(context, () => method.call(impl, call, callback));
        };
      }
      // The server's diff answers no changed keys: without them the engine ignores
      // `replaceOnChanges` on a property the diff updates in place.
      const diff = impl.diff as (call: DiffCall, callback: Callback) => unknown;
      impl.diff = (call: DiffCall, callback: Callback) =>
        diff.call(impl, call, (error: unknown, resp?: unknown) => {
          const r = resp as DiffResponse | undefined;
          if (!error && r && r.getChanges() === protos.DiffResponse.DiffChanges.DIFF_SOME) {
            // Compared as plain values: a value newly marked secret is no change.
            const olds = reveal(call.request.getOldInputs()?.toJavaScript() ?? {}) as Props;
            const news = reveal(call.request.getNews().toJavaScript()) as Props;
            r.setDiffsList(changedKeys(olds, news, r.getReplacesList()));
          }
          callback(error, resp);
        });
      impl.checkConfig = (call: CheckConfigCall, callback: Callback) => {
        const checked = config.check(call.request.getNews()?.toJavaScript() ?? {});
        const resp = new protos.CheckResponse();
        resp.setInputs(Struct.fromJavaScript(checked.inputs));
        resp.setFailuresList(
          checked.failures.map((f) => {
            const failure = new protos.CheckFailure();
            failure.setProperty(f.property);
            failure.setReason(f.reason);
            return failure;
          }),
        );
        callback(undefined, resp);
      };
      impl.diffConfig = (call: DiffConfigCall, callback: Callback) => {
        const req = call.request;
        // Inputs as the engine stored them; a state without them has only the outputs (the same values).
        const olds = req.getOldInputs()?.toJavaScript() ?? req.getOlds()?.toJavaScript() ?? {};
        const diff = config.diff(olds, req.getNews()?.toJavaScript() ?? {}, req.getIgnorechangesList());
        const resp = new protos.DiffResponse();
        const { DIFF_SOME, DIFF_NONE } = protos.DiffResponse.DiffChanges;
        resp.setChanges(diff.changes ? DIFF_SOME : DIFF_NONE);
        resp.setDiffsList(diff.diffs);
        callback(undefined, resp);
      };
      impl.configure = (call: ConfigureCall, callback: Callback) => {
        const variables: Record<string, string> = {};
        call.request.getVariablesMap().forEach((value, key) => (variables[key] = value));
        config.configure(variables, call.request.getArgs()?.toJavaScript() ?? {}, log).then(
          () => {
            const resp = new protos.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(true);
            resp.setAcceptoutputs(true);
            // The engine asks for a preview's Create and Update (plugin.ts answers them acting on
            // nothing), so a preview can show what an in-place update keeps.
            resp.setSupportspreview(true);
            callback(undefined, resp);
          },
          (e: unknown) => callback(e),
        );
      };
      answerAlways(service as Record<string, MethodDefinition>, impl);
    }
    return addService.call(this, service, impl);
  };
  await provider.main(served, args);
}

/** The gRPC status code UNKNOWN, as the server answers a provider's error. */
const UNKNOWN_STATUS = 2;

/**
 * Every unary method of `service` on `impl` (the server's methods are on its prototype, the
 * plugin's own on the object) wrapped so that it answers the call: a method that throws, or
 * rejects, before calling its callback (an error it cannot encode or print: the server's `catch`
 * reads `e.stack` of what was thrown) answers with a gRPC error carrying the message. Without an
 * answer the engine waits for the call forever.
 */
function answerAlways(service: Record<string, MethodDefinition>, impl: Record<string, unknown>): void {
  for (const [name, definition] of Object.entries(service)) {
    const method = impl[name];
    if (typeof method !== "function" || definition.requestStream || definition.responseStream) continue;
    impl[name] = (call: unknown, callback: Callback) => {
      let answered = false;
      const answer: Callback = (error, value) => {
        answered = true;
        callback(error, value);
      };
      const failed = (e: unknown) => {
        const message = e instanceof Error ? e.message : typeof e === "string" ? e : describe(e);
        // Failed after answering: the call is answered, the failure is said where the plugin's output goes.
        if (answered)
          return console.error(`pulumi-resource-alicloudcas: ${name} failed after answering: ${message}`);
        answered = true;
        callback({
          code: UNKNOWN_STATUS,
          details: `pulumi-resource-alicloudcas: ${name} failed: ${message}`,
        });
      };
      try {
        const done = (method as (call: unknown, callback: Callback) => unknown).call(impl, call, answer);
        if (done instanceof Promise) done.catch(failed);
      } catch (e) {
        failed(e);
      }
    };
  }
}

/** A thrown value that is no Error, as text (`undefined`, an object without `toString`). */
function describe(value: unknown): string {
  try {
    return value === undefined ? "undefined" : JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The provider's log lines as the engine's info messages (the engine passes its address as the
 * plugin's last argument): a plugin's stderr reaches the user only with `-v`, so the lines that say
 * what to publish and what a long wait is waiting for go through the engine's Log service. Without
 * an address (the plugin run by hand), stderr.
 */
function engineLog(
  args: string[],
  from: { paths: string[] },
  grpc: { credentials: { createInsecure(): unknown } },
): ((line: string) => void) | undefined {
  const address = args.filter((a) => !a.startsWith("-")).at(-1);
  if (!address) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EngineClient } = require(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb", from)) as {
    EngineClient: new (
      address: string,
      credentials: unknown,
    ) => { log(request: unknown, callback: (error: unknown) => void): void };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = require(require.resolve("@pulumi/pulumi/proto/engine_pb", from)) as {
    LogRequest: new () => { setSeverity(v: number): unknown; setMessage(v: string): unknown };
    LogSeverity: { INFO: number };
  };
  const engine = new EngineClient(address, grpc.credentials.createInsecure());
  return (line) => {
    const request = new proto.LogRequest();
    request.setSeverity(proto.LogSeverity.INFO);
    request.setMessage(line);
    // A line the engine does not take is written where a plugin's output goes, not lost.
    engine.log(request, (error) => {
      if (error) console.error(line);
    });
  };
}
