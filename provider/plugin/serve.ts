import { AsyncLocalStorage } from "node:async_hooks";
import { dirname } from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { changedKeys } from "./preview";

type Props = Record<string, unknown>;

/** What the plugin does with a Configure request; `log` shows a line in the engine's output. */
export type Configure = (
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

/**
 * Serves `served` to the engine with `provider.main`, with Configure answered by `configure`:
 * `@pulumi/pulumi/provider`'s server answers Configure without reading it, and has no other place
 * for a provider instance's configuration. Its gRPC server is registered through `addService` of
 * the `@grpc/grpc-js` it loads; the implementation object handed to it gets its own `configure`.
 */
export async function serve(served: provider.Provider, configure: Configure, args: string[]): Promise<void> {
  const from = { paths: [dirname(require.resolve("@pulumi/pulumi/provider"))] };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", from)) as {
    Server: { prototype: { addService(service: unknown, impl: Record<string, unknown>): void } };
    credentials: { createInsecure(): unknown };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protos = require(require.resolve("@pulumi/pulumi/proto/provider_pb", from)) as {
    DiffResponse: { DiffChanges: { DIFF_SOME: number } };
    ConfigureResponse: new () => {
      setAcceptsecrets(v: boolean): void;
      setAcceptresources(v: boolean): void;
      setAcceptoutputs(v: boolean): void;
      setSupportspreview(v: boolean): void;
    };
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
            const olds = call.request.getOldInputs()?.toJavaScript() ?? {};
            r.setDiffsList(changedKeys(olds, call.request.getNews().toJavaScript(), r.getReplacesList()));
          }
          callback(error, resp);
        });
      impl.configure = (call: ConfigureCall, callback: Callback) => {
        const variables: Record<string, string> = {};
        call.request.getVariablesMap().forEach((value, key) => (variables[key] = value));
        configure(variables, call.request.getArgs()?.toJavaScript() ?? {}, log).then(
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
    }
    return addService.call(this, service, impl);
  };
  await provider.main(served, args);
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
