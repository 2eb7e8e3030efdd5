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

/**
 * The validation records: every DNS validation record, keyed by ordered name. One concept under two
 * names, and this is where they meet:
 * - `validationRecords` is its name in stored state (both resources' outputs), in the providers, in
 *   the emulator-facing tests and on `InstanceCertificate`, where it is one Output of the whole map;
 * - `CertificateOrder` (the SDK class) shows that stored output as `allValidationRecords`, because its
 *   own `validationRecords` is the per-name view (each field its own Output, so records can be
 *   declared at preview without `apply`), built from the stored one.
 *
 * Both stay: a stored field is renamed only with a schema version and an upgrader, and the SDK's
 * property names are public API. Code names the concept `validationRecords` and says
 * `allValidationRecords` only where it means CertificateOrder's property.
 */
export const VALIDATION_RECORDS_OUTPUT = "validationRecords";
/** `CertificateOrder`'s property for the stored {@link VALIDATION_RECORDS_OUTPUT} (see there). */
export const ORDER_ALL_VALIDATION_RECORDS = "allValidationRecords";

/** Every output of a CertificateOrder (beside its normalized inputs). */
export const ORDER_OUTPUT_NAMES = [
  "orderId",
  "status",
  "type",
  "statusReason",
  "domains",
  "action",
  "validation",
  VALIDATION_RECORDS_OUTPUT,
  ...CERTIFICATE_OUTPUT_NAMES,
  "schemaVersion",
] as const;

/** A CertificateOrder output name. */
export type OrderOutputName = (typeof ORDER_OUTPUT_NAMES)[number];
/** An output name both resources share. */
export type CertificateOutputName = (typeof CERTIFICATE_OUTPUT_NAMES)[number];

/** Outputs kept secret in state and in the program. */
export const SECRET_OUTPUT_NAMES = ["privateKeyPem"] as const satisfies readonly CertificateOutputName[];
