/* eslint-disable @typescript-eslint/no-require-imports */
// These two objects are what `pulumi.dynamic.Resource` serializes into every resource's state
// (`__provider`). They capture nothing and load the implementation by bare package name inside
// the provider process, so the text is small (< 2 KB), holds no secret, and stays byte-identical
// across releases: upgrading the package never shows a diff, and old state runs the installed
// code. Every byte is stored twice per resource, hence the one-letter names `o` and `v` (see
// index.ts). Do not change this text: it is stored in users' state.

/** Serialized for every CertificateOrder. */
export const certificateOrderStub = {
  configure: (...a: unknown[]) => require("pulumi-alicloud-cas").o.configure(...a),
  check: (...a: unknown[]) => require("pulumi-alicloud-cas").o.check(...a),
  diff: (...a: unknown[]) => require("pulumi-alicloud-cas").o.diff(...a),
  create: (...a: unknown[]) => require("pulumi-alicloud-cas").o.create(...a),
  read: (...a: unknown[]) => require("pulumi-alicloud-cas").o.read(...a),
  update: (...a: unknown[]) => require("pulumi-alicloud-cas").o.update(...a),
  delete: (...a: unknown[]) => require("pulumi-alicloud-cas").o.delete(...a),
};

/** Serialized for every CertificateOrderValidation. */
export const certificateOrderValidationStub = {
  configure: (...a: unknown[]) => require("pulumi-alicloud-cas").v.configure(...a),
  check: (...a: unknown[]) => require("pulumi-alicloud-cas").v.check(...a),
  diff: (...a: unknown[]) => require("pulumi-alicloud-cas").v.diff(...a),
  create: (...a: unknown[]) => require("pulumi-alicloud-cas").v.create(...a),
  read: (...a: unknown[]) => require("pulumi-alicloud-cas").v.read(...a),
  update: (...a: unknown[]) => require("pulumi-alicloud-cas").v.update(...a),
  delete: (...a: unknown[]) => require("pulumi-alicloud-cas").v.delete(...a),
};

/** Serialized for every InstanceCertificate. */
export const instanceCertificateStub = {
  configure: (...a: unknown[]) => require("pulumi-alicloud-cas").i.configure(...a),
  check: (...a: unknown[]) => require("pulumi-alicloud-cas").i.check(...a),
  diff: (...a: unknown[]) => require("pulumi-alicloud-cas").i.diff(...a),
  create: (...a: unknown[]) => require("pulumi-alicloud-cas").i.create(...a),
  read: (...a: unknown[]) => require("pulumi-alicloud-cas").i.read(...a),
  update: (...a: unknown[]) => require("pulumi-alicloud-cas").i.update(...a),
  delete: (...a: unknown[]) => require("pulumi-alicloud-cas").i.delete(...a),
};
