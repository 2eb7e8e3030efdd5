import type { ResponseOf } from "../cas/actions";
import { CasApiError, CasError, CasOutcomeUnknownError } from "../cas/errors";
import { parseCsr } from "../pki/csr";
import { checkOrderInputs, chooseAction, type OrderInputs } from "./inputs";
import { diffOrder } from "./diff";
import { SCHEMA_VERSION, toOutputs, type OrderOutputs } from "./outputs";
import { checkQuota } from "./quota";
import { client, log, setConfig } from "./settings";
import { upgradeOutputs } from "./upgrade";

type Props = Record<string, unknown>;
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
}

/** How far back an order may have been placed by a create whose answer was lost. */
const RECONCILE_WINDOW_MS = 10 * 60_000;
/** Orders (product|names) whose create lost its answer and whose look-up failed too, in this process. */
const unresolved = new Set<string>();
/** How long a lost create may still be in flight before it is taken as never processed. */
const RECONCILE_GRACE_MS = 3_000;

/**
 * The `CertificateOrder` provider: the object `pulumi.dynamic.Resource` talks to (through a tiny
 * stub that loads this module by package name in the provider process).
 */
export const certificateOrderProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    setConfig((key) => req.config.get(key));
  },

  async check(olds: Props, news: Props) {
    const { inputs, failures } = await checkOrderInputs(news);
    if (failures.length === 0 && Object.keys(olds).length === 0) {
      const quotaFailure = await checkQuota(inputs as OrderInputs);
      if (quotaFailure) failures.push(quotaFailure);
    }
    return { inputs, failures };
  },

  async diff(_id: string, olds: Props, news: Props) {
    const d = await diffOrder(olds, news);
    for (const reason of d.reasons) log(`order ${String(olds.orderId)}: ${reason}`);
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  },

  async create(raw: Props) {
    const inputs = raw as unknown as OrderInputs;
    const domains = await orderNames(inputs);
    const action = chooseAction(inputs, domains);
    const orderId = inputs.adoptOrderId ?? (await placeOrder(inputs, domains, action));
    let outs: OrderOutputs;
    try {
      const state = await client().call("DescribeCertificateState", { OrderId: orderId });
      outs = await toOutputs(inputs, orderId, inputs.adoptOrderId ? "adopted" : action, domains, state);
    } catch (e) {
      if (inputs.adoptOrderId && e instanceof CasApiError && e.code === "NotFoundOrder")
        throw new CasError(
          "AdoptNotFound",
          `adoptOrderId ${orderId}: CAS has no such order for these credentials; check the id (ListUserCertificateOrder) or remove adoptOrderId`,
        );
      // The order exists: keep it in state (partial failure) so the next `up` reads it instead of ordering again.
      const message = `order ${orderId} was placed but reading it back failed: ${(e as Error).message}. It is kept in state; run pulumi up or refresh again.`;
      throw Object.assign(new Error(message), {
        id: orderId,
        properties: {
          ...raw,
          schemaVersion: SCHEMA_VERSION,
          orderId,
          action,
          domains,
          status: "unknown",
          type: "unknow",
        },
        reasons: [message],
      });
    }
    log(
      `order ${orderId} ${inputs.adoptOrderId ? "adopted" : `placed with ${action}`} for ${domains.join(", ")}: ${outs.status}`,
    );
    return { id: orderId, outs };
  },

  async read(id: string, props: Props) {
    const upgraded = upgradeOutputs(props);
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      state = await client().call("DescribeCertificateState", { OrderId: id });
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder") {
        log(`order ${id} no longer exists in CAS; removing it from state`);
        return {};
      }
      throw e;
    }
    const outs = await toOutputs(
      upgraded as unknown as OrderInputs,
      id,
      String(upgraded.action),
      upgraded.domains as string[],
      state,
      upgraded as Partial<OrderOutputs>,
    );
    return { id, props: outs };
  },

  async update(id: string, olds: Props, news: Props) {
    const old = upgradeOutputs(olds);
    const state = await client().call("DescribeCertificateState", { OrderId: id });
    const outs = await toOutputs(
      news as unknown as OrderInputs,
      id,
      String(old.action),
      old.domains as string[],
      state,
      old as Partial<OrderOutputs>,
    );
    return { outs };
  },

  async delete(id: string, props: Props) {
    const onDelete = (props.onDelete as string | undefined) ?? "cancel";
    if (onDelete === "retain") {
      log(`order ${id}: onDelete=retain, left in CAS untouched`);
      return;
    }
    const api = client();
    const gone = (e: unknown) => e instanceof CasApiError && e.code === "NotFoundOrder";
    try {
      const { Type } = await api.call("DescribeCertificateState", { OrderId: id });
      if (Type === "domain_verify" || Type === "process") {
        await api.call("CancelOrderRequest", { OrderId: id });
        await api.call("DeleteCertificateRequest", { OrderId: id });
        log(`order ${id}: withdrawn and deleted before issuance; its quota is back in the plan`);
      } else if (Type === "verify_fail" || Type === "payed") {
        await api.call("DeleteCertificateRequest", { OrderId: id });
        log(
          `order ${id}: ${Type === "payed" ? "withdrawn" : "failed"} order deleted; its quota is back in the plan`,
        );
      } else if (Type === "certificate" && onDelete === "revoke") {
        await api.call("CancelCertificateForPackageRequest", { OrderId: id });
        log(
          `order ${id}: certificate revoked (onDelete=revoke); quota returns only within 30 days of issuance`,
        );
      } else if (Type === "certificate") {
        log(
          `order ${id}: the issued certificate is kept valid in CAS (set onDelete=revoke to revoke it); removed from the stack`,
        );
      } else {
        log(`order ${id}: state ${Type}, nothing to undo; removed from the stack`);
      }
    } catch (e) {
      if (gone(e)) {
        log(`order ${id} was already gone from CAS`);
        return;
      }
      throw e;
    }
  },
};

async function orderNames(inputs: OrderInputs): Promise<string[]> {
  if (!inputs.csr) return [inputs.domain!];
  const c = await parseCsr(inputs.csr);
  return [c.commonName!, ...c.names.filter((n) => n !== c.commonName)];
}

/**
 * Places the order exactly once. No CAS create action has an idempotency token, so when the
 * answer is lost the order is looked for before ordering again.
 */
async function placeOrder(
  inputs: OrderInputs,
  domains: string[],
  action: ReturnType<typeof chooseAction>,
): Promise<string> {
  const api = client();
  const contact = { Username: inputs.username, Phone: inputs.phone, Email: inputs.email };
  // check() requires the contact for the two DV actions.
  const dvContact = { Username: inputs.username!, Phone: inputs.phone!, Email: inputs.email! };
  const tags = inputs.tags ? Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })) : undefined;
  const common = { ProductCode: inputs.productCode, ValidateType: inputs.validateType, Tags: tags };
  const key = `${inputs.productCode}|${[...domains].sort().join(",")}`;
  const since = Date.now() - RECONCILE_WINDOW_MS;
  if (unresolved.has(key)) {
    // An earlier create in this process lost its answer and nothing was found then: look first now.
    const found = await reconcile(inputs.productCode, domains, since, key);
    unresolved.delete(key);
    if (found) {
      log(`found order ${found} placed by an earlier unanswered request; adopting it`);
      return found;
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const res =
        action === "CreateCertificateRequest"
          ? await api.call(action, { ...common, ...dvContact, Domain: domains[0]! })
          : action === "CreateCertificateWithCsrRequest"
            ? await api.call(action, { ...common, ...dvContact, Csr: inputs.csr! })
            : await api.call(action, {
                ...common,
                ...contact,
                CompanyName: inputs.companyName,
                ...(inputs.csr ? { Csr: inputs.csr } : { Domain: domains.join(",") }),
              });
      return res.OrderId;
    } catch (e) {
      if (!(e instanceof CasOutcomeUnknownError)) throw e;
      log(
        `${action} for ${domains[0]}: no answer (${e.message.split(";")[0]}); looking for the order before ordering again`,
      );
      // A request the client gave up on may still be on its way: look, wait, and look again.
      let found = await reconcile(inputs.productCode, domains, since, key);
      if (!found) {
        await new Promise((r) => setTimeout(r, RECONCILE_GRACE_MS));
        found = await reconcile(inputs.productCode, domains, since, key);
      }
      if (found) {
        log(`found order ${found} placed by the unanswered request; adopting it`);
        return found;
      }
      if (attempt >= 3) {
        // Give up for now, but make the next attempt look first: a late request may still land.
        unresolved.add(key);
        throw e;
      }
    }
  }
}

/**
 * Looks for the order a lost answer may have placed, trying the look-up itself several times: if
 * the answer is unknown and the look-up fails too, ordering again could buy a second certificate.
 */
async function reconcile(
  productCode: string,
  domains: string[],
  since: number,
  key: string,
): Promise<string | undefined> {
  for (let round = 1; ; round++) {
    try {
      return await findRecentOrder(productCode, domains, since);
    } catch (e) {
      if (round >= 4) {
        unresolved.add(key);
        throw new CasError(
          "ReconcileFailed",
          `an order for ${domains.join(", ")} may have been placed, and looking for it failed: ${(e as Error).message}. ` +
            "Check ListUserCertificateOrder (or the CAS console) and set adoptOrderId if it exists, then run pulumi up again.",
        );
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** round));
    }
  }
}

/** The newest order for these names and product placed since `since` (ms), if any. */
async function findRecentOrder(
  productCode: string,
  domains: string[],
  since: number,
): Promise<string | undefined> {
  const want = [...domains].sort().join(",");
  for (let page = 1; page <= 20; page++) {
    const res = await client().call("ListUserCertificateOrder", {
      OrderType: "CPACK",
      Keyword: domains[0]!.replace(/^\*\./, ""),
      CurrentPage: page,
      ShowSize: 50,
    });
    const hit = res.CertificateOrderList.find(
      (o) =>
        o.OrderId !== undefined &&
        o.ProductCode === productCode &&
        (o.Domain ?? "").split(",").sort().join(",") === want &&
        (o.BuyDate ?? 0) >= since &&
        o.Status !== "REVOKED",
    );
    if (hit) return hit.OrderId;
    if (page * 50 >= res.TotalCount) return undefined;
  }
  return undefined;
}
