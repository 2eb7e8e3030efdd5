/**
 * The CertificateOrder provider exactly as Pulumi's host loads it (by package name), run in this
 * process: for tests that drive it against a loopback server or the emulator without the host.
 */
export interface InProcessProvider {
  configure(req: {
    config: { get(k: string): string | undefined };
    log?: ((line: string) => void) | undefined;
  }): Promise<void>;
  check(olds: object, news: object): Promise<{ inputs: Record<string, unknown>; failures: unknown[] }>;
  create(inputs: object): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(id: string, props: object): Promise<{ id: string; props: Record<string, unknown> }>;
  update(id: string, olds: object, news: object): Promise<{ outs: Record<string, unknown> }>;
  diff(id: string, olds: object, news: object): Promise<{ changes: boolean; replaces: string[] }>;
  delete(id: string, props: object): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const provider = require("pulumi-alicloud-cas/provider").order as InProcessProvider;

/** Configures the provider with `config`; its log lines go to `log` (stderr when absent). */
export function configureProvider(
  config: Record<string, string>,
  log?: (line: string) => void,
): Promise<void> {
  return provider.configure({ config: { get: (k) => config[k] }, log });
}

/** Puts the provider back as a test found it: no configuration, log lines to stderr. */
export function resetProvider(): Promise<void> {
  return provider.configure({ config: { get: () => undefined } });
}

/** The provider's configuration for the emulator `emu` (its endpoint and keys), plus `extra` settings. */
export function emulatorConfig(
  emu: { endpoint: string; accessKeyId: string; accessKeySecret: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "alicloud:accessKey": emu.accessKeyId,
    "alicloud:secretKey": emu.accessKeySecret,
    "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint }]),
    ...extra,
  };
}
