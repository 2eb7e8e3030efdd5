import type { Upgrader } from "./state-chain";

type Props = Record<string, unknown>;

const isObject = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The upgraders of CertificateOrder state, one per version (see state-chain.ts). Each takes state
 * as the release before it wrote it; none may assume more than that release guaranteed.
 */
export const ORDER_UPGRADERS: readonly Upgrader[] = [
  {
    to: 2,
    change:
      "validation records moved under `validation`; the ordered names (`domains`) and `action` recorded",
    up(props) {
      const { recordDomain: _rd, recordType: _rt, recordValue: _rv, ...rest } = props;
      const domains = Array.isArray(props.domains)
        ? props.domains
        : typeof props.domain === "string"
          ? [props.domain]
          : [];
      return { ...rest, domains, action: props.action ?? "CreateCertificateRequest" };
    },
  },
  {
    to: 3,
    change:
      "each DNS record lists every name it proves (`names`); `ownership` always recorded, `unknown` for orders of releases that did not record it",
    up(props, { id }) {
      const orderId = typeof props.orderId === "string" ? props.orderId : id;
      const domains = Array.isArray(props.domains) ? props.domains.map(String) : [];
      const byName = isObject(props.validationRecords) ? props.validationRecords : {};
      // Releases before `names` keyed one record per ordered name; names sharing a record name share the record.
      const withNames = (r: unknown): unknown => {
        if (!isObject(r) || Array.isArray(r.names)) return r;
        const sharing = domains.filter((d) => isObject(byName[d]) && byName[d].fqdn === r.fqdn);
        return { ...r, names: sharing.length ? sharing : [r.domain] };
      };
      const validation =
        isObject(props.validation) && Array.isArray(props.validation.records)
          ? { ...props.validation, records: props.validation.records.map(withNames) }
          : props.validation;
      return {
        ...props,
        ...(orderId === undefined ? {} : { orderId }),
        ...(props.validation === undefined ? {} : { validation }),
        ...(isObject(props.validationRecords)
          ? {
              validationRecords: Object.fromEntries(
                Object.entries(props.validationRecords).map(([k, r]) => [k, withNames(r)]),
              ),
            }
          : {}),
        ownership: legacyOwnership(props, orderId),
      };
    },
  },
  {
    to: 4,
    change:
      "`account` records the Alibaba Cloud account id (`accountId`, from STS GetCallerIdentity); `null` for orders of releases that recorded only an AccessKey fingerprint, filled on their first successful read",
    up(props) {
      if (!isObject(props.account)) return props;
      const { accessKey, ...rest } = props.account;
      return {
        ...props,
        account: {
          ...rest,
          accountId: typeof rest.accountId === "string" ? rest.accountId : null,
          // Kept until the account id is known: the same AccessKey id proves the same account.
          accessKey: typeof accessKey === "string" ? accessKey : null,
        },
      };
    },
  },
];

/**
 * How an order recorded by an earlier release is held. Releases before ownership was recorded could
 * take another stack's order after a lost create answer without saying so: their orders are `unknown`
 * (never cancelled or revoked on that basis), unless the user named the order in `adoptOrderId`.
 * The release that recorded ownership also recorded `account` for every order it placed, and wrote
 * `placed` for older orders it refreshed: `placed` without `account` is such an older order.
 */
function legacyOwnership(props: Props, orderId: string | undefined): unknown {
  if (props.adoptOrderId !== undefined && props.adoptOrderId === orderId) return "adopted";
  const recorded = props.ownership;
  if (recorded === undefined || (recorded === "placed" && props.account === undefined)) return "unknown";
  return recorded;
}
