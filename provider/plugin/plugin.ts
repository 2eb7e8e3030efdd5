import type * as provider from "@pulumi/pulumi/provider";
import type { Clock } from "../../runtime/clock";
import { CasError } from "../cas/errors";
import { tagWithCode } from "../coded-errors";
import { createProviders } from "../hosted";
import { processClock, type ConfigureRequest } from "../order/context";
import { importInstance } from "../instance/instance-import";
import { importedOrderInputs } from "../order/order-import";
import { SECRET_OUTPUT_NAMES } from "../order/output-names";
import { nearest, Settings } from "../order/settings";
import {
  CONFIG_KEYS,
  configureRequest,
  CREDENTIAL_BEARING_KEYS,
  ENGINE_KEYS,
  PACKAGE,
  SECRET_CONFIG_KEYS,
} from "./config";
import { conceal, reveal, secretKeys } from "./secrets";
import { constructManagedCertificate, MANAGED_CERTIFICATE_TOKEN } from "./managed-certificate";
import { holdsUnknown, previewOfUpdate } from "./preview";
import { previewing, programInputs } from "./serve";

type Props = Record<string, unknown>;

/** The custom resources the plugin serves, by type token. */
export const RESOURCE_TOKENS = {
  order: `${PACKAGE}:index:CertificateOrder`,
  validation: `${PACKAGE}:index:CertificateValidation`,
  instance: `${PACKAGE}:index:InstanceCertificate`,
} as const;

/** The type token in a URN (`urn:pulumi:stack::project::parent$alicloudcas:index:X::name`). */
function urnType(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** Whether `props` is a resource's stored state (a read for `pulumi import` has none). */
const isStored = (props: unknown): boolean =>
  typeof props === "object" && props !== null && Object.keys(props).length > 0;

/**
 * A message of the controllers in the plugin's words: the dynamic provider's stack config keys
 * (`alicloud:region`, `alicloud-cas:qps`) are this plugin's `alicloudcas:` keys.
 */
export function pluginWording(text: string): string {
  return text.replace(/(?<![\w-])alicloud(?:-cas)?:(?=[A-Za-z])/g, `${PACKAGE}:`);
}

/** `run`, with the message of an error it throws in the plugin's words. */
async function worded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    // The code in front, as the controllers' errors show theirs (docs/troubleshooting.md).
    const coded = tagWithCode(e);
    if (coded instanceof Error) coded.message = pluginWording(coded.message);
    throw coded;
  }
}

/** A configuration key as the engine sends it (`config:region` is the older form of `region`). */
const bareKey = (name: string): string => (name.startsWith("config:") ? name.slice("config:".length) : name);

/** Whether `name` is a key of the engine's, not a setting. */
const engineKey = (name: string): boolean => ENGINE_KEYS.has(name) || name.startsWith("__");

/**
 * CheckConfig: a provider instance's configuration checked before anything runs (the preview
 * fails on it), as the settings read it (config.ts, settings.ts): a key the plugin does not read,
 * naming the key meant, and every value a setting refuses, each naming its `alicloudcas:` key. The
 * inputs come back with every value that can carry credentials marked secret, so the engine stores
 * them encrypted in the stack's state (it stores a provider's inputs as this answer gives them). A
 * value not known yet (a preview) is left to the check at `up`.
 */
export function checkProviderConfig(news: Props): {
  inputs: Props;
  failures: Array<{ property: string; reason: string }>;
} {
  const plain = reveal(news) as Props;
  const failures: Array<{ property: string; reason: string }> = [];
  const known: Props = {};
  for (const [name, value] of Object.entries(plain)) {
    if (engineKey(name)) continue;
    const key = bareKey(name);
    if (!CONFIG_KEYS.includes(key)) {
      const near = nearest(key, CONFIG_KEYS);
      // No property named: the engine prints a named property's value, and this one may be a secret.
      failures.push({
        property: "",
        reason: `${PACKAGE}:${key} is not a setting of the ${PACKAGE} provider${near ? `; did you mean ${PACKAGE}:${near}?` : ""} (remove it: pulumi config rm ${PACKAGE}:${key}; the settings: ${CONFIG_KEYS.join(", ")})`,
      });
    } else if (!holdsUnknown(value)) known[key] = value;
  }
  const req = configureRequest({}, known);
  const problem = new Settings(req.config.get, req.config).failure();
  if (problem) failures.push({ property: problem.property, reason: pluginWording(problem.reason) });
  const secret = new Set<string>([...SECRET_CONFIG_KEYS, ...CREDENTIAL_BEARING_KEYS]);
  const keys = Object.keys(news).filter((k) => secret.has(bareKey(k)) && !holdsUnknown(news[k]));
  const inputs = { ...news };
  for (const k of keys) inputs[k] = secretLeaves(inputs[k]);
  return { inputs, failures };
}

/**
 * `value` marked secret; an object field by field: the engine stores an object marked secret as a
 * whole in a provider's inputs in plain text (pulumi v3.274), and each of its fields marked secret
 * encrypted.
 */
function secretLeaves(value: unknown): unknown {
  if (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    secretKeys({ v: value }).size === 0
  )
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretLeaves(v)]));
  return conceal({ v: value }, ["v"]).v;
}

/** `value` as text whose objects list their keys in order, so two equal settings compare equal. */
const canonical = (value: unknown): string =>
  value === undefined
    ? ""
    : JSON.stringify(value, (_k, v: unknown) =>
        typeof v === "object" && v !== null && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : v,
      );

/**
 * DiffConfig: the keys whose values changed between the provider instance's stored inputs and its
 * new ones (a value marked secret or not is the same value; a key `ignoreChanges` names is left
 * out). It never asks for a replacement: the engine replaces every resource of a provider it
 * replaces, and a changed region, account or endpoint must not order new certificates. The
 * provider instance is updated in place and its resources stay; each acts under the new
 * configuration, and one recorded in another account fails naming both (docs/plugin.md).
 */
export function diffProviderConfig(
  oldInputs: Props,
  news: Props,
  ignoreChanges: readonly string[],
): { changes: boolean; diffs: string[] } {
  const olds = reveal(oldInputs) as Props;
  const next = reveal(news) as Props;
  const diffs = [...new Set([...Object.keys(olds), ...Object.keys(next)])]
    .filter((k) => !engineKey(k) && !ignoreChanges.includes(k))
    .filter((k) => holdsUnknown(next[k]) || canonical(olds[k]) !== canonical(next[k]))
    .sort();
  return { changes: diffs.length > 0, diffs };
}

/**
 * One provider instance as the plugin serves it: the controllers of the dynamic provider (one
 * implementation, two front doors) over one context, configured from the instance's own Configure
 * request. The engine starts one plugin process per provider instance, so two provider resources
 * in one program (two accounts or regions) never share a context.
 */
export function pluginProvider(options: { version: string; schema: () => string; clock?: Clock }) {
  const providers = createProviders(options.clock ?? processClock());
  type Kind = keyof typeof RESOURCE_TOKENS;
  /** The kind of resource a URN names (its key in RESOURCE_TOKENS), or an error naming what is served. */
  const kindOf = (urn: string): Kind => {
    const type = urnType(urn);
    const kind = (Object.keys(RESOURCE_TOKENS) as Kind[]).find((k) => RESOURCE_TOKENS[k] === type);
    if (!kind)
      throw new Error(
        `${type || urn} is no resource of the ${PACKAGE} provider; it serves ${Object.values(RESOURCE_TOKENS).join(", ")}`,
      );
    return kind;
  };
  const pick = (urn: string) => providers[kindOf(urn)];
  /** Outputs with the certificate's key and every input given as a secret marked secret. */
  const outputs = (outs: Props, inputs: unknown): Props =>
    conceal(outs, [...SECRET_OUTPUT_NAMES, ...secretKeys(inputs)]);

  /**
   * `pulumi import` and the `import` option of an order: the engine reads it by id alone. The
   * order is found in CAS and taken as `adoptOrderId` takes it (its names checked, nothing placed).
   * `pulumi import` gets the inputs a program declares for it (order-import.ts); the `import`
   * option sends the program's own inputs, which are checked against the order and kept (CAS
   * answers no contact, so the program's contact is the one recorded).
   */
  const importOrder = async (id: string) => {
    const given = programInputs();
    const found = await importedOrderInputs(providers.context(), id);
    const inputs = given ? (reveal(given) as Props) : found;
    const checked = await providers.order.check({}, { ...inputs, adoptOrderId: id });
    const r = await providers.order.create(checked.inputs);
    const outs = { ...(r.outs as Props) };
    // Kept only when the program names it: the resource holds the order as adopted either way.
    if (inputs.adoptOrderId === undefined) delete outs.adoptOrderId;
    return { id: r.id, props: outputs(outs, given ?? {}), inputs: given ?? found };
  };

  /**
   * `pulumi import` of an InstanceCertificate by its instance id: the application CAS holds on it
   * becomes the inputs and state, and the instance is marked with the resource's claim; nothing is
   * applied (instance-import.ts). The `import` option's own inputs are kept, so the engine's diff
   * shows any setting of the program that differs from the instance's.
   */
  const importInstanceCertificate = async (id: string, urn: string) => {
    const given = programInputs();
    const { inputs, state } = await importInstance(providers.context(), id, urn);
    return { id, props: outputs(state, given ?? {}), inputs: given ?? inputs };
  };

  /**
   * A partial failure (an error carrying the `properties` the engine records, as a create whose
   * order may exist throws) made fit for the wire: the server encodes them as a plain struct, which
   * refuses `undefined` (and an encoding error would leave the call unanswered, the `up` hanging),
   * and they hold the revealed inputs, so secrets are marked again. `__provider` is the dynamic
   * provider's, never the plugin's state.
   */
  const partial =
    (inputs: unknown) =>
    (e: unknown): never => {
      const held = (e as { properties?: unknown } | null)?.properties;
      if (e instanceof Error && typeof held === "object" && held !== null) {
        const props = JSON.parse(JSON.stringify(held)) as Props;
        delete props.__provider;
        Object.assign(e, { properties: outputs(props, inputs) });
      }
      throw e;
    };

  const served: provider.Provider = {
    version: options.version,
    getSchema: async () => options.schema(),
    check: (urn, olds, news) =>
      worded(async () => {
        const r = await pick(urn).check(reveal(olds) as Props, reveal(news) as Props);
        return {
          inputs: conceal(r.inputs, secretKeys(news)),
          failures: r.failures.map((f) => ({ property: f.property, reason: pluginWording(f.reason) })),
        };
      }),
    diff: (id, urn, olds, news) =>
      worded(() => pick(urn).diff(id, reveal(olds) as Props, reveal(news) as Props)),
    create: (urn, inputs) =>
      worded(async () => {
        // A preview's create acts on nothing: its outputs are unknown until the `up`.
        if (previewing()) return { id: "", outs: inputs };
        const given = reveal(inputs) as Props;
        // The URN marks an instance's claims, so a later create of this resource knows its own.
        const r = await (
          kindOf(urn) === "instance" ? providers.instance.create(given, urn) : pick(urn).create(given)
        ).catch(partial(inputs));
        return { id: r.id, outs: outputs(r.outs, inputs) };
      }),
    read: (id, urn, props) =>
      worded(async () => {
        if (urnType(urn) === RESOURCE_TOKENS.order && !isStored(props)) return importOrder(id);
        if (urnType(urn) === RESOURCE_TOKENS.instance && !isStored(props))
          return importInstanceCertificate(id, urn);
        if (!isStored(props))
          throw new CasError(
            "ImportUnsupported",
            `${urnType(urn)} ${id}: a CertificateValidation cannot be imported; declare it in the program with the order or instance it waits for (only a CertificateOrder, by its OrderId, and an InstanceCertificate, by its instance id, can be imported)`,
          );
        const r = await pick(urn).read(id, reveal(props ?? {}) as Props);
        return { id: r.id, props: outputs(r.props, props) };
      }),
    update: (id, urn, olds, news) =>
      worded(async () => {
        if (previewing()) {
          // Only what the update keeps: the rest, the inputs as it stores them included, is unknown.
          const kept = previewOfUpdate(kindOf(urn), reveal(olds) as Props, reveal(news) as Props);
          return { outs: outputs(kept, news) };
        }
        const r = await pick(urn)
          .update(id, reveal(olds) as Props, reveal(news) as Props)
          .catch(partial(news));
        return { outs: outputs(r.outs, news) };
      }),
    delete: (id, urn, props) => worded(() => pick(urn).delete(id, reveal(props) as Props)),
    /**
     * The ManagedCertificate component: its children are this package's resources (and the DNS
     * record type it names), registered with the engine, which sends them to this provider. Its
     * messages are not reworded: they name resource types (`alicloud:dns:AlidnsRecord`), no config key.
     */
    construct: async (name, type, inputs, options) => {
      if (type !== MANAGED_CERTIFICATE_TOKEN)
        throw new Error(
          `${type} is no component of the ${PACKAGE} provider; it serves ${MANAGED_CERTIFICATE_TOKEN}`,
        );
      return constructManagedCertificate(name, inputs, options);
    },
  };
  return {
    provider: served,
    /** Configures every controller from one Configure request's `variables` and `args`. */
    async configure(variables: Record<string, string>, args: Props, log?: ConfigureRequest["log"]) {
      // Log lines in the plugin's words too (`alicloudcas:accessKey`, not the dynamic provider's keys).
      const sink = log ?? ((line: string) => console.error(line));
      const req = configureRequest(variables, reveal(args) as Props, (line) => sink(pluginWording(line)));
      await providers.order.configure(req);
      await providers.validation.configure(req);
      await providers.instance.configure(req);
    },
    /** The context current now (tests). */
    context: providers.context,
  };
}
