import type { ConfigureRequest } from "../order/context";
import { SETTING_KEYS } from "../order/settings";

/** The plugin's package name: its resource tokens and its configuration keys (`alicloudcas:region`). */
export const PACKAGE = "alicloudcas";

/**
 * The configuration keys of the plugin that `@pulumi/alicloud` also reads, under the `alicloud:`
 * prefix in the dynamic provider's stack config; every other `alicloudcas:` key is one of the
 * dynamic provider's `alicloud-cas:` settings.
 */
export const ALICLOUD_SHARED_KEYS = [
  "accessKey",
  "secretKey",
  "securityToken",
  "profile",
  "sharedCredentialsFile",
  "region",
  "endpoints",
  "assumeRole",
  "assumeRoleWithOidc",
  "ecsRoleName",
  "credentialsUri",
] as const;

/** Configuration keys that hold credentials: the schema marks them secret. */
export const SECRET_CONFIG_KEYS = ["accessKey", "secretKey", "securityToken"] as const;

/**
 * Configuration keys not secret in the schema whose values can carry credentials: a proxy URL's
 * password, an inline `oidcToken`, a role's external id and policy, a credentials URI's token.
 * CheckConfig marks them secret (with the schema's secret keys), so the engine stores them encrypted.
 */
export const CREDENTIAL_BEARING_KEYS = [
  "proxy",
  "assumeRole",
  "assumeRoleWithOidc",
  "credentialsUri",
] as const;

/** Every configuration key of the plugin (`region`, `qps`, …), sorted. */
export const CONFIG_KEYS: readonly string[] = [
  ...ALICLOUD_SHARED_KEYS,
  ...SETTING_KEYS.map((k) => k.slice("alicloud-cas:".length)),
].sort();

/** Keys the engine adds to a provider's inputs that are no setting. */
export const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** The dynamic provider's key for plugin key `name` (`region` → `alicloud:region`, `qps` → `alicloud-cas:qps`). */
export function dynamicKey(name: string): string {
  return (ALICLOUD_SHARED_KEYS as readonly string[]).includes(name)
    ? `alicloud:${name}`
    : `alicloud-cas:${name}`;
}

/** A configuration value as the settings read it: strings as they are, anything else as JSON. */
const text = (value: unknown): string | undefined =>
  value === undefined || value === null
    ? undefined
    : typeof value === "string"
      ? value
      : JSON.stringify(value);

/**
 * What one provider instance's Configure request means for the controllers: its `variables`
 * (`alicloudcas:region` → value, as the engine sends a provider's configuration) and its `args`
 * (`region` → value, the same as a structured object), read under the dynamic provider's keys, so
 * every setting parses, fails and defaults as it does for the dynamic resources. A key of another
 * package is ignored; a mistyped `alicloudcas:` key is reported by every check and API call, as a
 * mistyped `alicloud-cas:` key is.
 */
export function configureRequest(
  variables: Readonly<Record<string, string>>,
  args: Readonly<Record<string, unknown>>,
  log?: ConfigureRequest["log"],
): ConfigureRequest & { rawConfig: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(args)) {
    const v = text(value);
    if (!ENGINE_KEYS.has(name) && !name.startsWith("__") && v !== undefined) values[dynamicKey(name)] = v;
  }
  for (const [key, value] of Object.entries(variables)) {
    const name = key.startsWith(`${PACKAGE}:`) ? key.slice(PACKAGE.length + 1) : undefined;
    // `alicloudcas:config:region` is the older form of `alicloudcas:region`.
    const bare = name?.startsWith("config:") ? name.slice("config:".length) : name;
    if (bare && !ENGINE_KEYS.has(bare)) values[dynamicKey(bare)] = value;
  }
  // `rawConfig` on the config, as Pulumi's dynamic-provider host gives it: where the settings look
  // for mistyped keys (settings.ts `Settings`).
  const config = { get: (key: string) => values[key], rawConfig: values };
  return { config, rawConfig: values, ...(log ? { log } : {}) };
}
