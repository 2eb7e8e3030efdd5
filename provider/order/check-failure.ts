// What input checks share without depending on each other: inputs.ts checks every order input and
// calls tags.ts for `tags`, which needs these two types and nothing else of inputs.ts.

/** One problem with one property, as Pulumi's CheckFailure. */
export interface Failure {
  property: string;
  reason: string;
}

/** The create action an order goes through (inputs.ts `chooseAction` picks it). */
export type CreateAction =
  "CreateCertificateForPackageRequest" | "CreateCertificateWithCsrRequest" | "CreateCertificateRequest";
