// The InstanceCertificate provider: a certificate applied on a CAS certificate instance (V2.0).
// Create: the contact (given, found by email, else created), the instance (named, or claimed from
// the TEST pool: claim.ts), UpdateInstance + ApplyCertificate, a read-back that proves the
// application is this resource's, then the validation records once they are stable (Terraform's
// apply resource waits for a non-empty DomainValidationList on consecutive reads); a failed create
// releases the instances it marked. Delete, refresh and update act only while the instance carries
// this resource's claim: delete cancels a pending application and waits for the instance to leave
// `pending`; an issued certificate is kept unless `onDelete: "revoke"`; then the claim is released.
// An instance is never refunded or deleted (money).
import type { InstanceDetail } from "../cas/instance-schemas";
import { UNKNOWN } from "../order/inputs";
import { hideValues } from "../order/key-material";
import { parseProps } from "../order/parse-state";
import type { ProviderContext } from "../order/context";
import { isBareCsrPem } from "../pki/csr";
import { checkInstanceAccount, instanceAccountUnproven, isInstanceNotFound } from "./instance-account";
import { currentAccount } from "../order/account";
import { checkInstanceInputs, INSTANCE_STATE, inputsOnly, instanceInputsSchema } from "./inputs";
import { createInstance } from "./instance-create";
import { deleteInstance } from "./instance-delete";
import { instanceChanges } from "./instance-diff";
import { settingsOf } from "./instance-status";
import { refreshed } from "./instance-refresh";
import { updateInstance } from "./instance-update";

type Props = Record<string, unknown>;
const inputsOf = (v: Props) => parseProps(instanceInputsSchema, inputsOnly(v), "InstanceCertificate inputs");

/** The inputs an application is made of: a change of one replaces it (instance-diff.ts). */
const APPLICATION_INPUTS = [
  "instanceId",
  "instanceType",
  "domain",
  "domains",
  "csr",
  "keyAlgorithm",
  "validationMethod",
  "companyId",
] as const;

/** The `InstanceCertificate` controller over the context `configure` built (`ctx()`). */
export function instanceController(ctx: () => ProviderContext) {
  return {
    async check(olds: Props, news: Props) {
      const c = ctx();
      const badSettings = c.settings.failure();
      if (badSettings) return { inputs: news, failures: [badSettings] };
      const failures = await checkInstanceInputs(news);
      // A new resource that takes its instance from the pool: the preview's pool view (a warning).
      if (failures.length === 0 && Object.keys(olds).length === 0) {
        const p = inputsOf(news);
        if (p.instanceType === "TEST" && p.instanceId == null)
          await c.pool(`new|${p.domain ?? ""}|${[...(p.domains ?? [])].sort().join(",")}|${p.csr ?? ""}`);
      }
      // The engine prints a named property's value beside the reason: a value holding a private key,
      // or a csr that is not exactly one CSR text, is never named (as CertificateOrder's check).
      const csr = news.csr;
      const showable =
        csr === undefined ||
        csr === null ||
        (typeof csr === "string" && (csr.trim() === "" || isBareCsrPem(csr)));
      return { inputs: news, failures: hideValues(news, failures, showable ? [] : ["csr"]) };
    },

    async diff(id: string, oldState: Props, newInputs: Props) {
      const c = ctx();
      const olds = INSTANCE_STATE.read(oldState, { id });
      const p = inputsOf(newInputs);
      const isUnknown = (v: unknown) => v === UNKNOWN || (Array.isArray(v) && v.includes(UNKNOWN));
      // A pinned instance holds one application: whenever it is replaced (by this diff, or by the
      // engine for `replaceOnChanges`), the old one goes before the new one is applied.
      if (Object.values(p).some(isUnknown)) {
        // Not known until apply: a setting an application is made of may need a new one (as an order's).
        const replaces = APPLICATION_INPUTS.filter((k) => isUnknown(p[k]));
        for (const r of replaces)
          c.log(
            `instance ${olds.instanceId}: ${r} is not known until apply; a new application may be needed`,
          );
        return { changes: true, replaces, deleteBeforeReplace: olds.pinned };
      }
      const { replaces, changed } = instanceChanges(olds, await settingsOf(p), p);
      for (const r of replaces)
        c.log(`instance ${olds.instanceId}: ${r} changed: a new application replaces this one`);
      // A replacement from the pool takes another instance before this one is released.
      if (replaces.length > 0 && p.instanceType === "TEST" && p.instanceId == null)
        await c.pool(`replaces|${id}`);
      return {
        changes: replaces.length + changed.length > 0,
        replaces,
        deleteBeforeReplace: olds.pinned,
      };
    },

    /** `owner`: the resource's URN, when the front door knows it (the plugin; see claim.ts). */
    async create(checked: Props, owner?: string) {
      return createInstance(ctx(), checked, owner);
    },

    async read(id: string, stored: Props) {
      const c = ctx();
      const read = INSTANCE_STATE.read(stored, { id });
      const api = c.client();
      const now = await currentAccount(api);
      checkInstanceAccount(read.instanceId, read.accountId, now, "read");
      let d: InstanceDetail;
      try {
        d = await api.call("GetInstanceDetail", { InstanceId: read.instanceId });
      } catch (e) {
        if (isInstanceNotFound(e)) {
          const unproven = instanceAccountUnproven(read.instanceId, read.accountId, now);
          if (unproven) {
            // Never dropped on this answer alone: kept as it was, and said on every refresh.
            c.log(unproven);
            return { id, props: read };
          }
          c.log(
            `instance ${read.instanceId}: CAS answers ${e.code} to account ${now.accountId}, the account it was applied in; removing it from state`,
          );
          return { id: "", props: {} };
        }
        throw e;
      }
      return { id, props: await refreshed(c, read, now, d) };
    },

    async update(id: string, oldState: Props, newInputs: Props) {
      return updateInstance(ctx(), INSTANCE_STATE.read(oldState, { id }), inputsOf(newInputs));
    },

    async delete(id: string, stored: Props): Promise<void> {
      return deleteInstance(ctx(), INSTANCE_STATE.read(stored, { id }));
    },
  };
}
