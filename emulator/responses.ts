// The CAS actions as the wire carries them, turned into typed calls on the models (moto's
// `responses.py`): dispatch on the action's name, the request's raw parameters checked and read
// here; the models (model.ts, instances.ts) hold the rules and alone write state.
import { invalid, missing } from "./errors";
import { ApiFault } from "./faults";
import type { InstanceFilter, InstanceModel, InstanceTag, InstanceUpdate, NewContact } from "./instances";
import { certificateDetail, keywordMatch, listOrders } from "./listing";
import type { CasModel } from "./model";
import { bindNames, normalizeName, type Binding } from "./names";
import { readPage } from "./paging";
import { DEFAULT_PRODUCT_CODE, productFor } from "./products";
import type { Order } from "./state";
import { readTags } from "./tags";

type Params = Readonly<Record<string, string>>;
type Answer = Record<string, unknown>;

const unknownAction = () =>
  new ApiFault(
    "InvalidAction.NotFound",
    404,
    "Specified api is not found, please check your url and method.",
  );

/** The order id a request names: required, a decimal integer. */
function orderIdOf(p: Params): string {
  if (!p.OrderId) throw missing("OrderId");
  if (!/^\d+$/.test(p.OrderId)) throw invalid("OrderId", "a decimal integer");
  return p.OrderId;
}

/** The instance id a request names: required. */
function instanceIdOf(p: Params): string {
  if (!p.InstanceId) throw missing("InstanceId");
  return p.InstanceId;
}

/** `ListInstances`' page: checked, 10 by default, at most 100. */
const INSTANCE_PAGING = {
  defaultSize: 10,
  check: { maxSize: 100, page: "a whole number ≥ 1", size: "a whole number from 1 to 100" },
};

/** `GetInstanceSummary`'s `InstanceType`: absent, `BUY` or `TEST`. */
function instanceTypeOf(p: Params): "BUY" | "TEST" | undefined {
  if (!p.InstanceType) return undefined;
  if (p.InstanceType !== "BUY" && p.InstanceType !== "TEST") throw invalid("InstanceType", "use BUY or TEST");
  return p.InstanceType;
}

/** `ListInstances`' filters (an empty parameter filters nothing). */
function instanceFilterOf(p: Params): InstanceFilter {
  return {
    instanceType: p.InstanceType || undefined,
    status: p.Status || undefined,
    certificateStatus: p.CertificateStatus || undefined,
    brand: p.Brand || undefined,
    certificateType: p.CertificateType || undefined,
    keyword: p.Keyword || undefined,
  };
}

/** `Name.1`, `Name.2` … (the RPC form of a list of scalars). */
function readList(p: Params, name: string): string[] {
  const out: string[] = [];
  for (let n = 1; p[`${name}.${n}`] !== undefined; n++) out.push(p[`${name}.${n}`]!);
  return out;
}

/** `Tags.N.TagKey` / `Tags.N.TagValue` as given (the model checks them), or `null` without `Tags.1`. */
function readInstanceTags(p: Params): InstanceTag[] | null {
  if (p["Tags.1.TagKey"] === undefined && p["Tags.1.TagValue"] === undefined) return null;
  const tags: InstanceTag[] = [];
  for (let n = 1; p[`Tags.${n}.TagKey`] !== undefined || p[`Tags.${n}.TagValue`] !== undefined; n++)
    tags.push({ TagKey: p[`Tags.${n}.TagKey`] ?? "", TagValue: p[`Tags.${n}.TagValue`] ?? "" });
  return tags;
}

/** A comma-separated `Domain`: each name normalized, empty ones dropped, each once. */
function splitDomains(value: string): string[] {
  return [
    ...new Set(
      value
        .split(",")
        .map((d) => normalizeName(d))
        .filter(Boolean),
    ),
  ];
}

/** An `UpdateInstance` request, read (its checks need the instance: the model makes them). */
function instanceUpdateOf(p: Params): InstanceUpdate {
  return {
    generateCsrMethod: p.GenerateCsrMethod || (p.Csr && !p.Domain ? "upload" : "online"),
    domains: p.Domain !== undefined ? splitDomains(p.Domain) : undefined,
    csr: p.Csr || undefined,
    keyAlgorithm: p.KeyAlgorithm || undefined,
    validationMethod: p.ValidationMethod || undefined,
    contactIds: readList(p, "ContactIdList"),
    companyId: p.CompanyId || undefined,
    certificateName: p.CertificateName || undefined,
    autoReissue: p.AutoReissue || undefined,
    tags: readInstanceTags(p),
  };
}

/** A `CreateContact` request, checked. */
function newContactOf(p: Params): NewContact {
  if (!p.Name) throw missing("Name");
  if (!p.Mobile) throw missing("Mobile");
  if (!/^\+?\d[\d-]{4,19}$/.test(p.Mobile)) throw invalid("Mobile", "a phone number");
  if (p.Email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(p.Email)) throw invalid("Email", "an email address");
  return { name: p.Name, mobile: p.Mobile, email: p.Email ?? null, webhooks: p.Webhooks ?? null };
}

/** `GetTaskAttribute`'s task: `TaskId` required; `TaskType`, when given, `ApplyCertificate`. */
function taskIdOf(p: Params): string {
  if (!p.TaskId) throw missing("TaskId");
  if (p.TaskType && p.TaskType !== "ApplyCertificate") throw invalid("TaskType", "ApplyCertificate");
  return p.TaskId;
}

/** The certificate-instance actions (V2.0), answered by the instance model. */
const INSTANCE_ACTIONS = new Set([
  "ListInstances",
  "GetInstanceSummary",
  "GetInstanceDetail",
  "UpdateInstance",
  "ApplyCertificate",
  "GetTaskAttribute",
  "CancelPendingCertificate",
  "RevokeCertificate",
  "ListContact",
  "CreateContact",
  "GetContact",
]);

/** The applicant a create or renew request names. */
function contactOf(p: Params): Order["contact"] {
  return {
    username: p.Username ?? null,
    phone: p.Phone ?? null,
    email: p.Email ?? null,
    companyName: p.CompanyName ?? null,
  };
}

/** Answers CAS actions (already authenticated, throttled and fault-checked) from the models. */
export class CasResponses {
  constructor(
    private readonly model: CasModel,
    private readonly instances: InstanceModel,
  ) {}

  /** Runs one API action for the caller's access key: the instance family or the plan orders. */
  async handle(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    if (INSTANCE_ACTIONS.has(action)) return this.instanceAction(action, p, accessKeyId);
    if (action === "GetUserCertificateDetail" && p.CertId) {
      const answer = await this.instances.certificateDetail(p.CertId, accessKeyId, p.CertFilter !== "true");
      if (answer) return answer;
    }
    return this.planAction(action, p, accessKeyId);
  }

  private async instanceAction(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    const model = this.instances;
    switch (action) {
      case "GetInstanceSummary":
        return model.summary(accessKeyId, instanceTypeOf(p));
      case "ListInstances": {
        const paging = readPage(p, INSTANCE_PAGING);
        return model.list(accessKeyId, instanceFilterOf(p), paging);
      }
      case "GetInstanceDetail":
        return model.detail(await model.instance(instanceIdOf(p), accessKeyId));
      case "UpdateInstance":
        return model.update(await model.instance(instanceIdOf(p), accessKeyId), instanceUpdateOf(p));
      case "ApplyCertificate":
        return model.apply(await model.instance(instanceIdOf(p), accessKeyId));
      case "GetTaskAttribute":
        return model.task(taskIdOf(p), accessKeyId);
      case "CancelPendingCertificate":
        return model.cancel(await model.instance(instanceIdOf(p), accessKeyId));
      case "RevokeCertificate":
        return model.revoke(await model.instance(instanceIdOf(p), accessKeyId), p.CertificateId || undefined);
      case "ListContact":
        return model.listContacts(accessKeyId, p.Keyword || undefined, readPage(p, { defaultSize: 10 }));
      case "CreateContact":
        return model.createContact(accessKeyId, newContactOf(p));
      case "GetContact":
        return model.contactAnswer(model.contact(p.ContactId, accessKeyId));
      default:
        throw new Error(`not an instance action: ${action}`);
    }
  }

  private async planAction(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    const model = this.model;
    switch (action) {
      case "DescribePackageState": {
        const code = p.ProductCode || DEFAULT_PRODUCT_CODE;
        const plan = model.packageState(accessKeyId, code);
        return { TotalCount: plan.total, UsedCount: plan.used, IssuedCount: plan.issued, ProductCode: code };
      }
      case "CreateCertificateRequest":
      case "CreateCertificateWithCsrRequest":
      case "CreateCertificateForPackageRequest":
        return this.create(action, p, accessKeyId);
      case "DescribeCertificateState":
        return model.describe(await model.order(orderIdOf(p), accessKeyId));
      case "CancelOrderRequest":
        await model.cancelOrder(orderIdOf(p), accessKeyId);
        return {};
      case "DeleteCertificateRequest":
        await model.deleteOrder(orderIdOf(p), accessKeyId);
        return {};
      case "CancelCertificateForPackageRequest":
        await model.revokeOrder(orderIdOf(p), accessKeyId);
        return {};
      case "RenewCertificateOrderForPackageRequest":
        return this.renew(p, accessKeyId);
      case "ListUserCertificateOrder":
        return listOrders(p, await model.listing(accessKeyId, keywordMatch(p)));
      case "GetUserCertificateDetail":
        return certificateDetail(p, await model.listing(accessKeyId, (o) => o.certId === p.CertId));
      default:
        throw unknownAction();
    }
  }

  private async create(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    // Contact and ValidateType are "required" only for the two DV actions.
    if (action !== "CreateCertificateForPackageRequest") {
      for (const f of ["Username", "Phone", "Email", "ValidateType"]) if (!p[f]) throw missing(f);
    }
    const validateType = p.ValidateType || "DNS";
    if (validateType !== "DNS" && validateType !== "FILE") throw invalid("ValidateType", "use DNS or FILE");
    const productCode = p.ProductCode || DEFAULT_PRODUCT_CODE;
    const product = productFor(action, productCode);
    if (!product) throw invalid("ProductCode", `${action} does not take the product code ${productCode}`);
    const tags = readTags(action, p);
    const binding = await bindNames(action, p, product, productCode);
    const order = this.model.placeOrder(action, accessKeyId, {
      productCode,
      binding,
      validateType,
      contact: contactOf(p),
      tags,
    });
    return { OrderId: order.orderId };
  }

  private async renew(p: Params, accessKeyId: string): Promise<Answer> {
    const action = "RenewCertificateOrderForPackageRequest";
    const o = await this.model.renewable(orderIdOf(p), accessKeyId);
    const tags = readTags(action, p);
    const product = productFor(action, o.productCode)!;
    const binding: Binding = p.Csr
      ? await bindNames("CreateCertificateWithCsrRequest", p, product, o.productCode)
      : { names: [...o.domains], csr: null };
    const renewal = this.model.placeOrder(
      action,
      accessKeyId,
      { productCode: o.productCode, binding, validateType: o.validateType, contact: contactOf(p), tags },
      "payed",
    );
    return { OrderId: renewal.orderId };
  }
}
