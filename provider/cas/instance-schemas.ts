// Response schemas of the certificate-instance family (the V2.0 actions of API 2020-04-07), from
// the PyPI `alibabacloud_cas20200407` 3.9.4 models: the npm 3.0.0 SDK has none of these actions.
// Ids are decimal strings, times epoch ms, unknown fields dropped, as for the plan family.
import * as z from "zod";
import { longId } from "./schemas";

const count = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const quantity = count.nullish().transform((v) => v ?? undefined);
const id = longId.nullish().transform((v) => v ?? undefined);
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => v ?? undefined);
const base = { RequestId: z.string() };

/** Documented instance `Status` values (`ListInstances.Status`). */
export const INSTANCE_STATUSES = [
  "inactive",
  "pending",
  "normal",
  "willExpire",
  "expired",
  "closed",
  "refund",
] as const;

/** Documented `CertificateStatus` values of an instance's current certificate. */
export const INSTANCE_CERTIFICATE_STATUSES = ["issued", "revoked", "willExpire", "expired"] as const;

/** Documented `KeyAlgorithm` values of `UpdateInstance` (default RSA_2048). */
export const INSTANCE_KEY_ALGORITHMS = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_256", "SM2"] as const;

/** One instance tag, as `UpdateInstance.Tags` sends and `GetInstanceDetail.Tags` answers it. */
const instanceTag = z.object({ TagKey: text, TagValue: text });

/** One entry of `GetInstanceDetail.DomainValidationList`: what to publish for one name. */
const domainValidation = z.object({
  Domain: text,
  RootDomain: text,
  ValidationType: text,
  ValidationKey: text,
  ValidationValue: text,
  Cname: text,
  CnameKey: text,
});

/** One item of `ListInstances.InstanceList`. */
const instanceListItem = z.object({
  InstanceId: text,
  InstanceType: text,
  Status: text,
  CertificateStatus: text,
  CertificateId: id,
  CertIdentifier: text,
  CertificateName: text,
  CertificateDomain: text,
  CertificateType: text,
  CertificateNotBefore: quantity,
  CertificateNotAfter: quantity,
  CertificateRevokeTime: quantity,
  Domain: text,
  Brand: text,
  Spec: text,
  VersionType: text,
  KeyAlgorithm: text,
  AutoReissue: text,
  PendingResult: text,
  ResourceGroupId: text,
  FullDomainCount: quantity,
  WildcardDomainCount: quantity,
  InstanceStartTime: quantity,
  InstanceEndTime: quantity,
  OrderStartTime: quantity,
  OrderEndTime: quantity,
  UsingProductList: list(z.string()),
});

export const listInstancesResponse = z.object({
  ...base,
  TotalCount: count,
  CurrentPage: quantity,
  ShowSize: quantity,
  EnableReissueCount: quantity,
  DisableReissueCount: quantity,
  InstanceList: z
    .array(instanceListItem)
    .nullish()
    .transform((v) => v ?? []),
});

export const getInstanceSummaryResponse = z.object({
  ...base,
  TotalCount: quantity,
  InactiveCount: quantity,
  WillExpireCount: quantity,
  CertificateCount: quantity,
  AutoReissueCount: quantity,
});

/** `GetInstanceDetail`: the instance, what was applied on it, and its current certificate. */
export const getInstanceDetailResponse = z.object({
  ...base,
  InstanceId: text,
  InstanceType: text,
  Status: text,
  CertificateStatus: text,
  CertificateId: id,
  CertIdentifier: text,
  CertificateName: text,
  CertificateType: text,
  CertificateNotBefore: quantity,
  CertificateNotAfter: quantity,
  CertificateRevokeTime: quantity,
  Domain: text,
  Csr: text,
  GenerateCsrMethod: text,
  KeyAlgorithm: text,
  ValidationMethod: text,
  DomainValidationList: list(domainValidation),
  ContactIdList: list(longId),
  CompanyId: id,
  Tags: list(instanceTag),
  AutoReissue: text,
  AutoReissueFlag: quantity,
  AverageWaitingTime: text,
  Brand: text,
  Spec: text,
  VersionType: text,
  City: text,
  Province: text,
  CountryCode: text,
  OrderProgress: text,
  PendingResult: text,
  UpgradeStatus: text,
  ResourceGroupId: text,
  FullDomainCount: quantity,
  WildcardDomainCount: quantity,
  InstanceStartTime: quantity,
  InstanceEndTime: quantity,
  OrderStartTime: quantity,
  OrderEndTime: quantity,
  DeploymentResourceCount: quantity,
  DeploymentUseCount: quantity,
  TotalDeploymentCount: quantity,
  MonitorExpandFlag: quantity,
  MonitorUseCount: quantity,
  TotalMonitorCount: quantity,
  DingGroupList: list(
    z.object({
      DingGroupInstanceId: text,
      DingGroupName: text,
      DingGroupType: text,
      DingGroupUrl: text,
    }),
  ),
});
export type InstanceDetail = z.output<typeof getInstanceDetailResponse>;

/** `GetTaskAttribute`: `TaskStatus` is success, processing or failed. */
export const getTaskAttributeResponse = z.object({ ...base, TaskStatus: text, TaskMessage: text });

/** One contact of `ListContact.ContactList`. */
const contactItem = z.object({
  ContactId: id,
  Name: text,
  Mobile: text,
  Email: text,
  EmailStatus: quantity,
  MobileStatus: quantity,
  Webhooks: text,
  WebhookList: list(z.string()),
});

export const listContactResponse = z.object({
  ...base,
  TotalCount: count,
  CurrentPage: quantity,
  ShowSize: quantity,
  Keyword: text,
  ContactList: z
    .array(contactItem)
    .nullish()
    .transform((v) => v ?? []),
});

export const createContactResponse = z.object({ ...base, ContactId: longId });

export const getContactResponse = z.object({
  ...base,
  ContactId: id,
  Name: text,
  Mobile: text,
  Email: text,
  IdCard: text,
  EmailStatus: quantity,
  MobileStatus: quantity,
  Webhooks: text,
  WebhookList: list(z.string()),
});
