// The CAS actions as the wire carries them, turned into typed calls on the models (moto's
// `responses.py`): dispatch on the action's name, the request's raw parameters checked and read
// here; the models (model.ts, instances.ts) hold the rules and alone write state.
import { invalid, missing } from "./errors";
import { ApiFault } from "./faults";
import type { InstanceModel } from "./instances";
import { certificateDetail, keywordMatch, listOrders } from "./listing";
import type { CasModel } from "./model";
import { bindNames, type Binding } from "./names";
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
      const answer = await this.instances.certificateDetail(p, accessKeyId);
      if (answer) return answer;
    }
    return this.planAction(action, p, accessKeyId);
  }

  private async instanceAction(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    const model = this.instances;
    switch (action) {
      case "GetInstanceSummary":
        return model.summary(p, accessKeyId);
      case "ListInstances":
        return model.list(p, accessKeyId);
      case "GetInstanceDetail":
        return model.detail(await model.instance(instanceIdOf(p), accessKeyId));
      case "UpdateInstance":
        return model.update(p, await model.instance(instanceIdOf(p), accessKeyId));
      case "ApplyCertificate":
        return model.apply(await model.instance(instanceIdOf(p), accessKeyId));
      case "GetTaskAttribute":
        return model.task(p, accessKeyId);
      case "CancelPendingCertificate":
        return model.cancel(await model.instance(instanceIdOf(p), accessKeyId));
      case "RevokeCertificate":
        return model.revoke(p, await model.instance(instanceIdOf(p), accessKeyId));
      case "ListContact":
        return model.listContacts(p, accessKeyId);
      case "CreateContact":
        return model.createContact(p, accessKeyId);
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
