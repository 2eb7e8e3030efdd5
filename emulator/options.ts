// What a caller may set on one emulator (`startEmulator`, the CLI's flags): plain data, no behaviour.
import type { FaultRule } from "./faults";
import type { StsOptions } from "./sts";
import type { LifecycleInput } from "./timing";

/** Options of `startEmulator`; every one has a ready-to-use default. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number | undefined;
  host?: string | undefined;
  /** Keep state in `<dataDir>/state.json` across restarts; in memory when absent. */
  dataDir?: string | undefined;
  /** Seed for request ids, record values and fault decisions (default 1). */
  seed?: number | undefined;
  /** The default account's keys (generated when absent, unless state was loaded). */
  accessKeyId?: string | undefined;
  accessKeySecret?: string | undefined;
  /**
   * The default account's id (16 digits; generated when absent, unless state was loaded). STS's
   * `GetCallerIdentity`, served on the same origin, answers it.
   */
  accountId?: string | undefined;
  /** STS tokens accepted with the default key. */
  securityTokens?: string[] | undefined;
  /** Orders per plan for every documented product code (default 100). */
  planSize?: number | undefined;
  /**
   * Inactive TEST certificate instances an account starts with (default 20: the yearly free quota).
   * On a real account they appear after the free "purchase" in the console.
   */
  testInstances?: number | undefined;
  /**
   * Requests per second per account (all its keys and tokens) and action. A number applies to every action; the
   * default applies the documented figures (10/s ListUserCertificateOrder, …) and no limit elsewhere.
   */
  qps?: number | Partial<Record<string, number>> | undefined;
  /** HTTP status of throttling answers: 400 (default) or 429 (both seen in the wild; UNCONFIRMED). */
  throttleStatus?: 400 | 429 | undefined;
  faults?: FaultRule[] | undefined;
  /** Life-cycle timing and the record-naming guesses (`recordDomainStyle`, `zones`, `recordType`). */
  lifecycle?: LifecycleInput | undefined;
  /** Start OrderIds above 2^53 (tests lossless id handling). */
  largeOrderIds?: boolean | undefined;
  /** Emit OrderIds as JSON strings instead of numbers (one doc example does). */
  orderIdsAsStrings?: boolean | undefined;
  /**
   * Answer `DescribeCertificateState` of an issued order without `CertId`, as CAS did before
   * 2025-07 (the certificate is then found by `ListUserCertificateOrder`).
   */
  omitCertId?: boolean | undefined;
  /**
   * Host names the control API accepts in `Host`/`Origin` besides loopback names and `host`
   * (e.g. a container's service name). Everything else is refused (DNS-rebinding protection).
   */
  allowedHosts?: string[] | undefined;
  /** When set, control requests need `Authorization: Bearer <token>`. */
  controlToken?: string | undefined;
  /** Milliseconds since the epoch; injectable for clock-skew tests. */
  now?: (() => number) | undefined;
  /**
   * Serve HTTPS: `true` makes a private CA and a certificate for 127.0.0.1, ::1, localhost and
   * `host` (the CA is {@link RunningEmulator.tlsCaPem}), `{ hosts }` one for these names too; or
   * the certificate and key to serve.
   */
  tls?:
    | true
    | { hosts: string[] }
    | { certificatePem: string; privateKeyPem: string; caPem?: string }
    | undefined;
  /**
   * The STS on the same port (requests with `Version=2015-04-01`): the lifetime of the credentials
   * it issues, the roles and OIDC providers that exist.
   */
  sts?: StsOptions | undefined;
}

/** Requests per second per account and action: one figure for every action, or figures by action. */
export type QpsSetting = EmulatorOptions["qps"];
