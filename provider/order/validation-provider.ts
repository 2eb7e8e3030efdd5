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

type Props = Record<string, unknown>;

/** A list compared as a set (the record names' order means nothing: reordered `domains` reorder them); other values as they are. */
function asSet(v: unknown): unknown {
  return Array.isArray(v) ? [...new Set(v.map(String))].sort() : (v ?? null);
}

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
      const replaces = [
        ...((olds.orderId ?? null) !== (news.orderId ?? null) ? ["orderId"] : []),
        ...((olds.instanceId ?? null) !== (news.instanceId ?? null) ? ["instanceId"] : []),
      ];
      // An issued certificate whose CAS id was not found yet: update looks again.
      const unlinked = typeof olds.certificatePem === "string" && olds.certificateId == null;
      const changes =
        replaces.length > 0 ||
        unlinked ||
        (
          [
            "timeoutMinutes",
            "pollIntervalSeconds",
            "maxPollIntervalSeconds",
            "validationRecordFqdns",
          ] as const
        ).some(
          (k) => JSON.stringify(asSet(olds[k])) !== JSON.stringify(asSet(news[k])) && news[k] !== undefined,
        );
      // Create before delete: deleting a validation does nothing in CAS, and deleting it first would
      // make the engine delete its consumers (listeners, CDN domains) first too, dropping HTTPS
      // during a renewal or key rotation. Ids (`{orderId}-validation`) never collide.
      return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(checked: Props) {
      const c = ctx();
      const inputs = parseProps(validationStateSchema, checked, "CertificateOrderValidation inputs");
      const s = validationSettings(inputs);
      const api = c.client();
      if (s.instanceId) {
        const d = await waitForInstanceIssuance(api, s.instanceId, s, c.clock, c.log);
        return { id: `${s.instanceId}-validation`, outs: await instanceCertificateOutputs(api, s, d) };
      }
      if (s.dnsPrecheck) await reportDns(c, s.orderId, s.validationRecordFqdns, s.dnsPrecheck.resolvers);
      const state = await waitForIssuance(
        (id) => api.call("DescribeCertificateState", { OrderId: id }),
        s.orderId,
        s,
        c.clock,
        c.log,
        (answer) => publishListFromState(answer, s.validationRecordFqdns),
      );
      return { id: `${s.orderId}-validation`, outs: await certificateOutputs(c, inputs, state) };
    },

    async read(id: string, stored: Props) {
      const c = ctx();
      const props = VALIDATION_STATE.read(stored, { id });
      if (props.instanceId) return readInstance(c, id, props);
      let state: Awaited<ReturnType<typeof waitForIssuance>>;
      try {
        state = await c.client().call("DescribeCertificateState", { OrderId: props.orderId! });
      } catch (e) {
        // The order was removed outside the stack: drop this resource too, so refresh can finish.
        if (e instanceof CasApiError && e.code === "NotFoundOrder") {
          c.log(
            `order ${props.orderId}: CAS answers NotFoundOrder to these credentials and endpoint, so its validation is removed from state (the next pulumi up waits again for the order the stack holds then); whether the order is gone or was placed through another endpoint or account, the CertificateOrder's refresh says`,
          );
          return { id: "", props: {} };
        }
        throw e;
      }
      if (!phaseOf(state.Type).issued) return { id, props: { ...props, status: phaseOf(state.Type).status } };
      return { id, props: await certificateOutputs(c, props, state, props) };
    },

    async update(id: string, oldState: Props, newInputs: Props) {
      const olds = VALIDATION_STATE.read(oldState, { id });
      const news = parseProps(validationStateSchema, newInputs, "CertificateOrderValidation inputs");
      if (olds.instanceId) return { outs: { ...olds, ...validationSettings(news), orderId: null } };
      if (typeof olds.certificatePem === "string" && olds.certificateId == null) {
        const state = await ctx().client().call("DescribeCertificateState", { OrderId: olds.orderId! });
        if (phaseOf(state.Type).issued) return { outs: await certificateOutputs(ctx(), news, state, olds) };
      }
      return { outs: { ...olds, ...validationSettings(news) } };
    },

    async delete(id: string, stored: Props): Promise<void> {
      // Waiting leaves nothing behind in CAS; the state is still read, so state this release cannot
      // read fails here as in every other method instead of being dropped unread.
      VALIDATION_STATE.read(stored, { id });
    },
  };
}
