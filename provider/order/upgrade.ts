import { SCHEMA_VERSION } from "./outputs";

/**
 * Brings outputs written by an older version to the current shape. Version 1 (unversioned) state
 * had `recordDomain`/`recordType`/`recordValue` at the top level and no `domains`.
 */
export function upgradeOutputs(props: Record<string, unknown>): Record<string, unknown> {
  const version = typeof props.schemaVersion === "number" ? props.schemaVersion : 1;
  if (version >= SCHEMA_VERSION) return props;
  const { recordDomain: _rd, recordType: _rt, recordValue: _rv, ...rest } = props;
  const domains = Array.isArray(props.domains)
    ? props.domains
    : typeof props.domain === "string"
      ? [props.domain]
      : [];
  return {
    ...rest,
    domains,
    action: props.action ?? "CreateCertificateRequest",
    schemaVersion: SCHEMA_VERSION,
  };
}
