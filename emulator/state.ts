import {
  closeSync,
  fsyncSync,
  chmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { randomInt } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { join } from "node:path";
import type { CaMaterial } from "./ca";

/** Documented order states, plus `revoked` (listed as REVOKED; gone from DescribeCertificateState). */
export type OrderState = "domain_verify" | "process" | "verify_fail" | "certificate" | "payed" | "revoked";

export interface Order {
  orderId: string;
  /** `InstanceId` of list items: the resource id `Keyword` also matches (UNCONFIRMED form). */
  instanceId: string;
  accessKeyId: string;
  action: string;
  productCode: string;
  domains: string[];
  csr: string | null;
  validateType: "DNS" | "FILE";
  contact: {
    username: string | null;
    phone: string | null;
    email: string | null;
    companyName: string | null;
  };
  tags: Array<{ Key: string; Value: string }>;
  state: OrderState;
  statusReason: string | null;
  createdAt: number;
  stateSince: number;
  issuedAt: number | null;
  notAfter: number | null;
  recordValue: string;
  certificatePem: string | null;
  privateKeyPem: string | null;
  certId: string | null;
}

/** What `UpdateInstance` set on an instance: the application `ApplyCertificate` submits. */
export interface InstanceApplication {
  domains: string[];
  csr: string | null;
  keyAlgorithm: string;
  validationMethod: string;
  contactIds: string[];
  companyId: string | null;
  certificateName: string | null;
  autoReissue: boolean;
}

/** A certificate instance (V2.0): bought or a free TEST one; holds at most one current certificate. */
export interface Instance {
  instanceId: string;
  accessKeyId: string;
  instanceType: "BUY" | "TEST";
  brand: string;
  certificateType: string;
  spec: string;
  domainCount: number;
  status: "inactive" | "pending" | "normal" | "willExpire" | "expired" | "closed" | "refund";
  statusSince: number;
  createdAt: number;
  application: InstanceApplication | null;
  tags: Array<{ TagKey: string; TagValue: string }>;
  appliedAt: number | null;
  /** `GetInstanceDetail` reads since the last status change (answers lag by reads, see the lifecycle). */
  readsSinceChange: number;
  /** The validation value of the application under review. */
  recordValue: string | null;
  /** A cancelled application: the status it settles to on a later read. */
  settleTo: "inactive" | "normal" | null;
  failReason: string | null;
  certificate: {
    certId: string;
    domains: string[];
    pem: string;
    privateKeyPem: string | null;
    notBefore: number;
    notAfter: number;
    revokedAt: number | null;
  } | null;
}

/** A certificate contact (`CreateContact`: `Name` and `Mobile` required). */
export interface Contact {
  contactId: string;
  accessKeyId: string;
  name: string;
  mobile: string;
  email: string | null;
  webhooks: string | null;
}

export interface Plan {
  total: number;
  used: number;
  issued: number;
}

/**
 * An access key and the account it belongs to. Entries sharing an `accountId` are keys of one
 * account: they see the same orders, plans and instances (the model files them under the account's
 * first key, see {@link principalKeyOf}).
 */
export interface Account {
  /** The account's id: 16 digits, as `GetCallerIdentity` answers it. */
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** STS tokens accepted with this key (they belong to the key's account). */
  securityTokens: string[];
}

/** Everything the emulator knows; persisted as one JSON document. */
export interface EmulatorState {
  version: 1;
  nextOrderId: string;
  nextCertId: number;
  accounts: Account[];
  /** The account's first key (see {@link principalKeyOf}) → productCode → plan. */
  plans: Record<string, Record<string, Plan>>;
  orders: Record<string, Order>;
  /** DNS records a test or the demo published (what an AlidnsRecord would create). */
  dnsRecords: Array<{ name: string; type: string; value: string }>;
  ca: CaMaterial | null;
  /** Certificate instances by id (absent from state files written before the instance family). */
  instances: Record<string, Instance>;
  contacts: Record<string, Contact>;
  nextContactId: number;
}

const nullProto = <T>(entries: Record<string, T>): Record<string, T> =>
  Object.assign(Object.create(null) as Record<string, T>, entries);

const text = z.string();
const orderSchema = z.object({
  orderId: z.string().regex(/^\d+$/),
  instanceId: z.string().optional(),
  accessKeyId: text,
  action: text,
  productCode: text,
  domains: z.array(text).min(1),
  csr: text.nullable(),
  validateType: z.enum(["DNS", "FILE"]),
  contact: z.object({
    username: text.nullable(),
    phone: text.nullable(),
    email: text.nullable(),
    companyName: text.nullable(),
  }),
  tags: z.array(z.object({ Key: text, Value: text })),
  state: z.enum(["domain_verify", "process", "verify_fail", "certificate", "payed", "revoked"]),
  statusReason: text.nullable(),
  createdAt: z.number(),
  stateSince: z.number(),
  issuedAt: z.number().nullable(),
  notAfter: z.number().nullable(),
  recordValue: text,
  certificatePem: text.nullable(),
  privateKeyPem: text.nullable(),
  certId: text.nullable(),
});
const instanceSchema = z.object({
  instanceId: text,
  accessKeyId: text,
  instanceType: z.enum(["BUY", "TEST"]),
  brand: text,
  certificateType: text,
  spec: text,
  domainCount: z.number().int(),
  status: z.enum(["inactive", "pending", "normal", "willExpire", "expired", "closed", "refund"]),
  statusSince: z.number(),
  createdAt: z.number(),
  application: z
    .object({
      domains: z.array(text),
      csr: text.nullable(),
      keyAlgorithm: text,
      validationMethod: text,
      contactIds: z.array(text),
      companyId: text.nullable(),
      certificateName: text.nullable(),
      autoReissue: z.boolean(),
    })
    .nullable(),
  tags: z.array(z.object({ TagKey: text, TagValue: text })),
  appliedAt: z.number().nullable(),
  readsSinceChange: z.number().int(),
  recordValue: text.nullable(),
  settleTo: z.enum(["inactive", "normal"]).nullable(),
  failReason: text.nullable(),
  certificate: z
    .object({
      certId: text,
      domains: z.array(text),
      pem: text,
      privateKeyPem: text.nullable(),
      notBefore: z.number(),
      notAfter: z.number(),
      revokedAt: z.number().nullable(),
    })
    .nullable(),
});
const contactSchema = z.object({
  contactId: text,
  accessKeyId: text,
  name: text,
  mobile: text,
  email: text.nullable(),
  webhooks: text.nullable(),
});
const planSchema = z.object({ total: z.number(), used: z.number(), issued: z.number() });
const stateSchema = z.object({
  version: z.literal(1),
  nextOrderId: z.string().regex(/^\d+$/),
  nextCertId: z.number().int(),
  accounts: z.array(
    z.object({
      // Absent in state files written before accounts had ids: each key was its own account.
      accountId: z
        .string()
        .regex(/^\d{16}$/)
        .optional(),
      accessKeyId: text,
      accessKeySecret: text,
      securityTokens: z.array(text),
    }),
  ),
  plans: z.record(text, z.record(text, planSchema)),
  orders: z.record(text, orderSchema),
  dnsRecords: z.array(z.object({ name: text, type: text, value: text })),
  ca: z.object({ certificatePem: text, privateKeyPem: text }).nullable(),
  instances: z.record(text, instanceSchema).optional(),
  contacts: z.record(text, contactSchema).optional(),
  nextContactId: z.number().int().optional(),
});

/**
 * Checks a parsed state document; maps keyed by user input become prototype-free so a key such as
 * `__proto__` stays an ordinary entry. Throws naming the file and the first bad fields.
 */
function checkState(value: unknown, file: string): EmulatorState {
  const r = stateSchema.safeParse(value);
  if (!r.success)
    throw new Error(
      `emulator state ${file} does not have the expected shape (${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`)
        .join("; ")}); move it away to start afresh`,
    );
  const d = r.data;
  const orders = nullProto<Order>({});
  for (const [id, o] of Object.entries(d.orders))
    orders[id] = { ...o, instanceId: o.instanceId ?? `cas-ivauto-${o.orderId}` };
  const plans = nullProto<Record<string, Plan>>({});
  for (const [key, p] of Object.entries(d.plans)) plans[key] = nullProto(p);
  return {
    ...d,
    accounts: d.accounts.map((a) => ({ ...a, accountId: a.accountId ?? newAccountId() })),
    orders,
    plans,
    instances: nullProto(d.instances ?? {}),
    contacts: nullProto(d.contacts ?? {}),
    nextContactId: d.nextContactId ?? 5000001,
  };
}

/**
 * The key that stands for an access key's account in the model (orders, plans, instances and
 * contacts are filed under it): the account's first key. `undefined` for a key the emulator does
 * not know.
 */
export function principalKeyOf(state: EmulatorState, accessKeyId: string): string | undefined {
  const key = state.accounts.find((a) => a.accessKeyId === accessKeyId);
  if (!key) return undefined;
  return state.accounts.find((a) => a.accountId === key.accountId)!.accessKeyId;
}

/** A fresh account id: 16 digits, not starting with 0, as Alibaba Cloud account ids look. */
export function newAccountId(): string {
  const digits = randomInt(1, 10).toString() + randomInt(0, 1e9).toString().padStart(9, "0");
  return digits + randomInt(0, 1e6).toString().padStart(6, "0");
}

/** A fresh, empty state with prototype-free maps. */
export function emptyState(nextOrderId: string): EmulatorState {
  return {
    version: 1,
    nextOrderId,
    nextCertId: 7000001,
    accounts: [],
    plans: nullProto({}),
    orders: nullProto({}),
    dnsRecords: [],
    ca: null,
    instances: nullProto({}),
    contacts: nullProto({}),
    nextContactId: 5000001,
  };
}

/** `true` when a process with this id runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Loads and saves the state. In memory unless a data directory is given; writes are atomic. A data
 * directory belongs to one running emulator at a time (`emulator.lock` holds the owner's pid; a
 * lock whose owner is gone is taken over), and temporary files left by an interrupted write are
 * removed when the directory is taken.
 */
export class StateStore {
  private readonly file: string | null;
  private readonly lock: string | null;
  private locked = false;
  constructor(private readonly dataDir: string | undefined) {
    this.file = dataDir ? join(dataDir, "state.json") : null;
    this.lock = dataDir ? join(dataDir, "emulator.lock") : null;
  }

  /** Takes the data directory; throws naming the running owner if another emulator has it. */
  acquire(): void {
    if (!this.dataDir || !this.lock) return;
    // state.json holds the access-key secrets, the CA key and issued private keys: owner only.
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(this.dataDir, 0o700);
    const me = JSON.stringify({ pid: process.pid, host: hostname() });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lock, me, { flag: "wx", mode: 0o600 });
        this.locked = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        let owner: { pid?: unknown; host?: unknown } = {};
        try {
          const parsed = JSON.parse(readFileSync(this.lock, "utf8")) as unknown;
          if (parsed && typeof parsed === "object") owner = parsed;
        } catch {
          // An unreadable lock (torn write) has no live owner we could name.
        }
        const pid = typeof owner.pid === "number" ? owner.pid : NaN;
        const sameHost = owner.host === undefined || owner.host === hostname();
        if (Number.isInteger(pid) && (!sameHost || alive(pid)))
          throw new Error(
            `emulator data directory ${this.dataDir} is in use by process ${pid}${sameHost ? "" : ` on ${String(owner.host)}`}; stop it or use another --data-dir`,
            { cause: e },
          );
        rmSync(this.lock, { force: true });
      }
    }
    if (!this.locked) throw new Error(`cannot take the emulator data directory ${this.dataDir}`);
    for (const f of readdirSync(this.dataDir))
      if (/^state\.json\.\d+\.tmp$/.test(f)) rmSync(join(this.dataDir, f), { force: true });
  }

  /** Gives the data directory back. */
  release(): void {
    if (this.lock && this.locked) rmSync(this.lock, { force: true });
    this.locked = false;
  }

  load(): EmulatorState | null {
    if (!this.file) return null;
    let raw: string;
    try {
      raw = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new Error(`cannot read emulator state ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new Error(
        `emulator state ${this.file} is not JSON (${(e as Error).message}); move it away to start afresh`,
        {
          cause: e,
        },
      );
    }
    return checkState(parsed, this.file);
  }

  /** Write to a temporary file, fsync, then rename over the old one: a crash leaves old or new, never a torn file. */
  save(state: EmulatorState): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
