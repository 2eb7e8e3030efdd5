import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
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

export interface Plan {
  total: number;
  used: number;
  issued: number;
}

export interface Account {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS tokens accepted with this key. */
  securityTokens: string[];
}

/** Everything the emulator knows; persisted as one JSON document. */
export interface EmulatorState {
  version: 1;
  nextOrderId: string;
  nextCertId: number;
  accounts: Account[];
  /** accessKeyId → productCode → plan. Keys of one account share plans in the real service; here each key is its own account. */
  plans: Record<string, Record<string, Plan>>;
  orders: Record<string, Order>;
  /** DNS records a test or the demo published (what an AlidnsRecord would create). */
  dnsRecords: Array<{ name: string; type: string; value: string }>;
  ca: CaMaterial | null;
}

/** Loads and saves the state. In memory unless a data directory is given; writes are atomic. */
export class StateStore {
  private readonly file: string | null;
  constructor(dataDir: string | undefined) {
    this.file = dataDir ? join(dataDir, "state.json") : null;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
  }

  load(): EmulatorState | null {
    if (!this.file) return null;
    try {
      return JSON.parse(readFileSync(this.file, "utf8")) as EmulatorState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new Error(`cannot read emulator state ${this.file}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Write to a temporary file, fsync, then rename over the old one: a crash leaves old or new, never a torn file. */
  save(state: EmulatorState): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
