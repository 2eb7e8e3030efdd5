import * as z from "zod";
import * as s from "./schemas";
import * as i from "./instance-schemas";

const orderId = z.object({ OrderId: z.string().regex(/^\d+$/, "a decimal OrderId") });
const decimal = z.string().regex(/^\d+$/, "a decimal id");
const instanceId = z.object({ InstanceId: z.string().min(1) });
const contact = { Username: z.string(), Phone: z.string(), Email: z.string() };

/**
 * Every action this client speaks, with its request schema, response schema, whether it creates
 * something (never retried once sent: no idempotency token exists), and its documented per-second
 * limit (`null` where the API documents none).
 */
export const ACTIONS = {
  DescribePackageState: {
    request: z.object({ ProductCode: z.string().optional() }),
    response: s.describePackageStateResponse,
    creates: false,
    qps: null,
  },
  CreateCertificateRequest: {
    request: z.object({
      Domain: z.string(),
      ...contact,
      ValidateType: z.enum(["DNS", "FILE"]),
      ProductCode: z.string().optional(),
      Tags: s.tagList,
    }),
    response: s.orderIdResponse,
    creates: true,
    qps: null,
  },
  CreateCertificateWithCsrRequest: {
    request: z.object({
      Csr: z.string(),
      ...contact,
      ValidateType: z.enum(["DNS", "FILE"]),
      ProductCode: z.string().optional(),
      Tags: s.tagList,
    }),
    response: s.orderIdResponse,
    creates: true,
    qps: null,
  },
  CreateCertificateForPackageRequest: {
    request: z.object({
      ProductCode: z.string().optional(),
      Domain: z.string().optional(),
      Csr: z.string().optional(),
      ValidateType: z.enum(["DNS", "FILE"]).optional(),
      Username: z.string().optional(),
      Phone: z.string().optional(),
      Email: z.string().optional(),
      CompanyName: z.string().optional(),
      Tags: s.tagList,
    }),
    response: s.orderIdResponse,
    creates: true,
    qps: null,
  },
  DescribeCertificateState: {
    request: orderId,
    response: s.describeCertificateStateResponse,
    creates: false,
    qps: null,
  },
  CancelOrderRequest: { request: orderId, response: s.emptyResponse, creates: false, qps: 100 },
  DeleteCertificateRequest: { request: orderId, response: s.emptyResponse, creates: false, qps: null },
  CancelCertificateForPackageRequest: {
    request: orderId,
    response: s.emptyResponse,
    creates: false,
    qps: 10,
  },
  RenewCertificateOrderForPackageRequest: {
    request: orderId.extend({ Csr: z.string().optional(), Tags: s.tagList }),
    response: s.orderIdResponse,
    creates: true,
    qps: null,
  },
  ListUserCertificateOrder: {
    request: z.object({
      OrderType: z.enum(["CPACK", "BUY", "UPLOAD", "CERT"]).optional(),
      Status: z.string().optional(),
      Keyword: z.string().optional(),
      ResourceGroupId: z.string().optional(),
      CurrentPage: z.number().int().positive().optional(),
      ShowSize: z.number().int().positive().optional(),
    }),
    response: s.listUserCertificateOrderResponse,
    creates: false,
    qps: 10,
  },
  GetUserCertificateDetail: {
    request: z.object({ CertId: z.string().regex(/^\d+$/), CertFilter: z.boolean().optional() }),
    response: s.getUserCertificateDetailResponse,
    creates: false,
    qps: 100,
  },
  ListInstances: {
    request: z.object({
      InstanceType: z.enum(["BUY", "TEST"]).optional(),
      Status: z.enum(i.INSTANCE_STATUSES).optional(),
      CertificateStatus: z.enum(i.INSTANCE_CERTIFICATE_STATUSES).optional(),
      CertificateType: z.string().optional(),
      Brand: z.string().optional(),
      VersionType: z.string().optional(),
      Keyword: z.string().optional(),
      ResourceGroupId: z.string().optional(),
      AutoReissueFlag: z.number().int().optional(),
      ServerDeployFlag: z.number().int().optional(),
      CurrentPage: z.number().int().positive().optional(),
      ShowSize: z.number().int().positive().max(100).optional(),
    }),
    response: i.listInstancesResponse,
    creates: false,
    qps: null,
  },
  GetInstanceSummary: {
    request: z.object({ InstanceType: z.enum(["BUY", "TEST"]).optional() }),
    response: i.getInstanceSummaryResponse,
    creates: false,
    qps: null,
  },
  GetInstanceDetail: {
    request: instanceId,
    response: i.getInstanceDetailResponse,
    creates: false,
    qps: null,
  },
  UpdateInstance: {
    request: instanceId.extend({
      Domain: z.string().optional(),
      Csr: z.string().optional(),
      GenerateCsrMethod: z.enum(["online", "upload"]).optional(),
      KeyAlgorithm: z.enum(i.INSTANCE_KEY_ALGORITHMS).optional(),
      ValidationMethod: z.enum(["DNS", "HTTP"]).optional(),
      ContactIdList: z.array(decimal).optional(),
      CompanyId: decimal.optional(),
      CertificateName: z.string().optional(),
      AutoReissue: z.enum(["enable", "disable"]).optional(),
      Tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })).optional(),
      ResourceGroupId: z.string().optional(),
      City: z.string().optional(),
      Province: z.string().optional(),
      CountryCode: z.string().optional(),
    }),
    response: s.emptyResponse,
    // Sets what the instance holds: sending it twice sets the same values.
    creates: false,
    qps: null,
  },
  ApplyCertificate: {
    request: instanceId,
    response: s.emptyResponse,
    // Submits an application: a lost answer is resolved by reading the instance, never by resending.
    creates: true,
    qps: null,
  },
  GetTaskAttribute: {
    request: z.object({ TaskId: z.string(), TaskType: z.string().optional() }),
    response: i.getTaskAttributeResponse,
    creates: false,
    qps: null,
  },
  CancelPendingCertificate: { request: instanceId, response: s.emptyResponse, creates: false, qps: null },
  RevokeCertificate: {
    request: instanceId.extend({ CertificateId: decimal.optional() }),
    response: s.emptyResponse,
    creates: false,
    qps: null,
  },
  ListContact: {
    request: z.object({
      Keyword: z.string().optional(),
      CurrentPage: z.number().int().positive().optional(),
      ShowSize: z.number().int().positive().optional(),
    }),
    response: i.listContactResponse,
    creates: false,
    qps: null,
  },
  CreateContact: {
    request: z.object({
      Name: z.string(),
      Mobile: z.string(),
      Email: z.string().optional(),
      Idcard: z.string().optional(),
      Webhooks: z.string().optional(),
    }),
    response: i.createContactResponse,
    // No idempotency token: a lost answer is resolved by listing contacts, never by resending.
    creates: true,
    qps: null,
  },
  GetContact: {
    request: z.object({ ContactId: decimal }),
    response: i.getContactResponse,
    creates: false,
    qps: null,
  },
} as const;

export type ActionName = keyof typeof ACTIONS;

/**
 * Actions whose answers can carry a private key (`DescribeCertificateState` of a CAS-made key,
 * `GetUserCertificateDetail`'s `Key`): their bodies are never quoted in an error, even redacted.
 */
export const KEY_BEARING_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>([
  "DescribeCertificateState",
  "GetUserCertificateDetail",
]);
/** Request parameters of an action, in the API's own (PascalCase) names. */
export type RequestOf<A extends ActionName> = z.input<(typeof ACTIONS)[A]["request"]>;
/** Parsed response of an action: longs as decimal strings, unknown fields dropped. */
export type ResponseOf<A extends ActionName> = z.output<(typeof ACTIONS)[A]["response"]>;

/**
 * Client-side limit for actions the API documents no figure for. UNCONFIRMED: chosen to stay
 * well under what the service is likely to allow; override with `rateLimits`.
 */
export const DEFAULT_UNDOCUMENTED_QPS = 20;

/** The per-second limit the client applies to an action by default. */
export function defaultQps(action: ActionName): number {
  return ACTIONS[action].qps ?? DEFAULT_UNDOCUMENTED_QPS;
}

/** The product's API version, sent with every request. */
export const API_VERSION = "2020-04-07";
