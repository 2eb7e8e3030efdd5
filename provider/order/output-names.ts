// The names of the outputs the resources expose, in one place: the SDK declares them (it runs in
// the user's program, so this module imports nothing), the providers write them, and outputs.ts
// checks at compile time that OrderOutputs has exactly these.

/** What an issued certificate gives both resources: PEMs, validity, fingerprints, CAS ids, names. */
const CERTIFICATE_OUTPUT_NAMES = [
  "certificatePem",
  "certificateChainPem",
  "privateKeyPem",
  "notBefore",
  "notAfter",
  "serialNumber",
  "fingerprintSha256",
  "fingerprintSha1",
  "certificateId",
  "certIdentifier",
  "sans",
] as const;

/**
 * Every output of a CertificateOrderValidation (beside its settings): the certificate's, and
 * `status` (`issued` when created; a refresh reads it again: `expired`, `revoked`, …).
 */
export const VALIDATION_OUTPUT_NAMES = ["status", ...CERTIFICATE_OUTPUT_NAMES] as const;

/** Every output of a CertificateOrder (beside its normalized inputs). */
export const ORDER_OUTPUT_NAMES = [
  "orderId",
  "status",
  "type",
  "statusReason",
  "domains",
  "action",
  "validation",
  "validationRecords",
  ...CERTIFICATE_OUTPUT_NAMES,
  "schemaVersion",
] as const;

/** A CertificateOrder output name. */
export type OrderOutputName = (typeof ORDER_OUTPUT_NAMES)[number];
/** An output name both resources share. */
export type CertificateOutputName = (typeof CERTIFICATE_OUTPUT_NAMES)[number];

/** Outputs kept secret in state and in the program. */
export const SECRET_OUTPUT_NAMES = ["privateKeyPem"] as const satisfies readonly CertificateOutputName[];
