// What the provider-host tests of InstanceCertificate share: the contact every order carries, the
// claim tag, and a host configured with the in-process emulator's key and endpoint.
import type { RunningEmulator } from "../../emulator/server";
import { startProviderHost, type ProviderHost } from "./provider-host";

/** The contact inputs every test order carries. */
export const CONTACT = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** The tag with which a resource claims a pool instance before it applies a certificate on it. */
export const CLAIM_TAG = "pulumi-alicloud-cas:claim";

/** A provider host for `stub`, configured with `emu`'s access key (plus `config`) and pointed at it,
 * with `env` added to its environment (e.g. FAKE_CLOCK). */
export function startEmulatorHost(
  stub: object,
  emu: Pick<RunningEmulator, "accessKeyId" | "accessKeySecret" | "endpoint">,
  config: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ProviderHost> {
  return startProviderHost(
    stub,
    { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret, ...config },
    { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, ...env },
  );
}
