import {
  accountUnproven,
  accountUnrecorded,
  checkSameAccount,
  currentAccount,
  filledAccount,
  placedElsewhere,
} from "./account";
import type { ResponseOf } from "../cas/actions";
import { CasApiError, CasError } from "../cas/errors";
import type { ProviderContext } from "./context";
import { checkOrderInputs, orderInputsSchema } from "./inputs";
import { refreshChanges } from "./outputs";
import { parseProps } from "./parse-state";
import { ORDER_STATE, previewInputsSchema, storedInputsSchema } from "./state";
import { holding, outputsNow, placeAndRead, resolvePending } from "./order-create";
import { deleteOrder } from "./order-delete";
import { keepingPlacedCsr, namingDefault, replacementsDue } from "./order-preview";
import { pendingLine } from "./pending-create";

type Props = Record<string, unknown>;

/**
 * The `CertificateOrder` controller over the context `configure` built (`ctx()`): the object
 * `pulumi.dynamic.Resource` talks to, through a tiny stub that loads it by package name in the
 * provider process. The rules live in their modules: create in order-create.ts, destroy in
 * order-delete.ts, renewal and expiry in renewal.ts, ownership in held-by.ts.
 */
export function orderController(ctx: () => ProviderContext) {
  /** The order's state as CAS answers it for the account checked (credentials switched meanwhile are refused, never read as "gone"). */
  const describe = (id: string, accountId: string): Promise<ResponseOf<"DescribeCertificateState">> =>
    ctx().client().call("DescribeCertificateState", { OrderId: id }, { account: accountId });
  return {
    async check(oldInputs: Props, news: Props) {
      const c = ctx();
      const badSettings = c.settings.failure();
      if (badSettings) return { inputs: news, failures: [badSettings] };
      const olds = parseProps(storedInputsSchema, oldInputs, "CertificateOrder's previous inputs");
      const checked = await checkOrderInputs(news, (code) => c.warnProduct(code));
      const { inputs } = checked;
      const failures = await keepingPlacedCsr(c.log, olds.csr, checked.csr, checked.failures);
      if (failures.length === 0 && Object.keys(olds).length === 0) {
        const preview = parseProps(previewInputsSchema, inputs, "CertificateOrder inputs");
        const quotaFailure = await c.quota(preview);
        if (quotaFailure) failures.push(quotaFailure);
      }
      return { inputs, failures: failures.map((f) => namingDefault(f, news, inputs)) };
    },

    async diff(resourceId: string, oldState: Props, newInputs: Props) {
      const c = ctx();
      const olds = ORDER_STATE.read(oldState, { id: resourceId });
      if (olds.pendingCreate) {
        // Never a replacement: a replacing create would not look in the unanswered request's window.
        c.log(`${pendingLine(olds.pendingCreate)}; pulumi up looks for its order before ordering`);
        return { changes: true, replaces: [], deleteBeforeReplace: false };
      }
      const id = olds.orderId;
      const news = parseProps(previewInputsSchema, newInputs, "CertificateOrder inputs");
      // Said in every preview, not only on refresh: a destroy would leave such an order in CAS.
      holding(c, { ...olds, adoptOrderId: news.adoptOrderId }, id);
      const d = await replacementsDue(c, id, olds, news);
      return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
    },

    async create(checked: Props) {
      return placeAndRead(
        ctx(),
        parseProps(orderInputsSchema, checked, "CertificateOrder inputs"),
        checked.__provider,
      );
    },

    async read(resourceId: string, props: Props) {
      const c = ctx();
      const upgraded = ORDER_STATE.read(props, { id: resourceId });
      if (upgraded.pendingCreate) {
        // Kept as it is (the placeholder is no order CAS knows): the next `up` resolves it.
        c.log(
          `${pendingLine(upgraded.pendingCreate)}; the next pulumi up looks for its order before ordering`,
        );
        return { id: resourceId, props: upgraded };
      }
      // Once an unresolved create is resolved, the state names the order and refresh takes its id.
      const id = upgraded.orderId;
      const ownership = holding(c, upgraded, id);
      const now = await currentAccount(c.client());
      checkSameAccount(id, upgraded.account, now, "read");
      let state: ResponseOf<"DescribeCertificateState">;
      try {
        state = await describe(id, now.accountId);
      } catch (e) {
        if (!(e instanceof CasApiError && e.code === "NotFoundOrder")) throw e;
        const elsewhere = placedElsewhere(id, upgraded.account, now);
        if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
        const unproven = accountUnproven(id, upgraded.account, now);
        // Never dropped on this answer alone: kept as it was, and said on every refresh.
        if (unproven) {
          c.log(unproven);
          return { id: resourceId, props: upgraded };
        }
        c.log(`order ${id} no longer exists in CAS; removing it from state`);
        return { id: "", props: {} };
      }
      const current = await outputsNow(c, upgraded, id, upgraded.action, upgraded.domains, state, upgraded);
      const changed = refreshChanges(upgraded, current);
      if (changed) c.log(`order ${id} refreshed: ${changed}`);
      if (accountUnrecorded(upgraded.account))
        c.log(
          `order ${id}: placed in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
        );
      return { id, props: { ...current, ownership, account: filledAccount(upgraded.account, now) } };
    },

    async update(resourceId: string, olds: Props, newInputs: Props) {
      const c = ctx();
      const old = ORDER_STATE.read(olds, { id: resourceId });
      const news = parseProps(orderInputsSchema, newInputs, "CertificateOrder inputs");
      const now = await currentAccount(c.client());
      checkSameAccount(old.orderId, old.account, now, "updated");
      if (old.pendingCreate)
        return { outs: (await resolvePending(c, old.pendingCreate, news, newInputs.__provider)).outs };
      const id = old.orderId;
      // `adoptOrderId` naming this order in the program confirms an order of unknown ownership.
      const ownership = holding(c, { ...old, adoptOrderId: news.adoptOrderId }, id);
      const state = await describe(id, now.accountId).catch((e: unknown) => {
        if (!(e instanceof CasApiError && e.code === "NotFoundOrder")) throw e;
        throw new CasError(
          "OrderGone",
          placedElsewhere(id, old.account, now) ??
            accountUnproven(id, old.account, now) ??
            `order ${id} no longer exists in CAS (it was removed outside this stack); run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` orders a new one`,
        );
      });
      const outs = await outputsNow(c, news, id, old.action, old.domains, state, old);
      return { outs: { ...outs, ownership, account: filledAccount(old.account, now) } };
    },

    async delete(resourceId: string, stored: Props) {
      return deleteOrder(ctx(), ORDER_STATE.read(stored, { id: resourceId }));
    },
  };
}
