import { CasApiError } from "../cas/errors";
import type { ProviderContext } from "./context";
import { hideValues } from "./key-material";
import { waitForIssuance } from "./waiter";
import { publishListFromState } from "./publish";
import { parseProps } from "./parse-state";
import {
  checkValidationInputs,
  validationInputsSchema,
  VALIDATION_STATE,
  validationSettings,
  validationStateSchema,
} from "./validation-inputs";
import { phaseOf } from "./lifecycle";
import { instanceCertificateOutputs, waitForInstanceIssuance } from "../instance/instance-waiter";
import { certificateOutputs, readInstance } from "./validation-certificate";
import { reportDns } from "./validation-dns";
import { validationDiff } from "./validation-diff";
import { currentAccount } from "./account";
import { checkedAccount, targetOf, validationAccountUnproven, withAccount } from "./validation-account";

type Props = Record<string, unknown>;

/**
 * The `CertificateOrderValidation` controller over the context `configure` built (`ctx()`): waits
 * until an order (or an instance) is issued; delete is a no-op.
 */
export function validationController(ctx: () => ProviderContext) {
  return {
    async check(_olds: Props, news: Props) {
      const badSettings = ctx().settings.failure();
      if (badSettings) return { inputs: news, failures: [badSettings] };
      // A key pasted into any input is reported without naming it (the engine would print the value).
      return { inputs: news, failures: hideValues(news, checkValidationInputs(news)) };
    },

    async diff(id: string, oldState: Props, newInputs: Props) {
      const olds = VALIDATION_STATE.read(oldState, { id });
      // Checked inputs; during a preview some may still be unknown.
      const news: Record<string, unknown> = parseProps(
        validationInputsSchema,
        newInputs,
        "CertificateOrderValidation inputs",
      );
      return validationDiff(olds, news);
    },

    async create(checked: Props) {
      const c = ctx();
      const inputs = parseProps(validationStateSchema, checked, "CertificateOrderValidation inputs");
      const s = validationSettings(inputs);
      const api = c.client();
      // The account it waits in: read, updated and destroyed only under its credentials.
      const { accountId } = await currentAccount(api);
      if (s.instanceId) {
        const d = await waitForInstanceIssuance(api, s.instanceId, s, c.clock, c.log);
        const outs = await instanceCertificateOutputs(api, s, d);
        return { id: `${s.instanceId}-validation`, outs: { ...outs, accountId } };
      }
      if (s.dnsPrecheck) await reportDns(c, s.orderId, s.validationRecordFqdns, s.dnsPrecheck.resolvers);
      const state = await waitForIssuance(
        // For the account recorded: credentials switched meanwhile are refused, never waited on.
        (id) => api.call("DescribeCertificateState", { OrderId: id }, { account: accountId }),
        s.orderId,
        s,
        c.clock,
        c.log,
        (answer) => publishListFromState(answer, s.validationRecordFqdns),
      );
      return { id: `${s.orderId}-validation`, outs: await certificateOutputs(c, inputs, state, accountId) };
    },

    async read(id: string, stored: Props) {
      const c = ctx();
      const props = VALIDATION_STATE.read(stored, { id });
      const now = await checkedAccount(c, props, "read");
      if (props.instanceId) return readInstance(c, id, props, now);
      let state: Awaited<ReturnType<typeof waitForIssuance>>;
      try {
        const account = { account: now.accountId };
        state = await c.client().call("DescribeCertificateState", { OrderId: props.orderId! }, account);
      } catch (e) {
        if (e instanceof CasApiError && e.code === "NotFoundOrder") {
          // Never dropped on this answer alone when the state does not say where the order was.
          const unproven = validationAccountUnproven(targetOf(props), props.accountId, now);
          if (unproven) return (c.log(unproven), { id, props });
          // The order was removed outside the stack: drop this resource too, so refresh can finish.
          c.log(
            `order ${props.orderId}: CAS answers NotFoundOrder to account ${now.accountId}, the account its validation waited in, so its validation is removed from state (the next pulumi up waits again for the order the stack holds then); whether the order is gone or was placed through another endpoint, the CertificateOrder's refresh says`,
          );
          return { id: "", props: {} };
        }
        throw e;
      }
      // A successful read proves the order is in this account.
      const filled = withAccount(c, props, now);
      if (!phaseOf(state.Type).issued)
        return { id, props: { ...filled, status: phaseOf(state.Type).status } };
      return { id, props: await certificateOutputs(c, filled, state, now.accountId, filled) };
    },

    async update(id: string, oldState: Props, newInputs: Props) {
      const olds = VALIDATION_STATE.read(oldState, { id });
      const news = parseProps(validationStateSchema, newInputs, "CertificateOrderValidation inputs");
      const now = await checkedAccount(ctx(), olds, "updated");
      if (olds.instanceId) return { outs: { ...olds, ...validationSettings(news), orderId: null } };
      if (typeof olds.certificatePem === "string" && olds.certificateId == null) {
        const account = { account: now.accountId };
        const state = await ctx()
          .client()
          .call("DescribeCertificateState", { OrderId: olds.orderId! }, account);
        // A successful read proves the order is in this account.
        if (phaseOf(state.Type).issued)
          return { outs: await certificateOutputs(ctx(), news, state, now.accountId, olds) };
      }
      return { outs: { ...olds, ...validationSettings(news) } };
    },

    async delete(id: string, stored: Props): Promise<void> {
      // Waiting leaves nothing behind in CAS; the state is still read, so state this release cannot
      // read fails here as in every other method instead of being dropped unread.
      const props = VALIDATION_STATE.read(stored, { id });
      // Under another account's credentials the validation stays, as its order does (which fails too).
      if (props.accountId !== null) await checkedAccount(ctx(), props, "removed from the stack");
    },
  };
}
