// The Pulumi program of a release fixture (tests/fixtures/releases/<commit>/program.cjs is a copy of
// this file, frozen when the fixture was recorded). The recording script runs it with the released
// package, tests/e2e/releases.test.ts with HEAD's: `program({ cas, pulumi })` returns the inline
// program. Everything else it reads (which resources the release supported, CSRs, the id of the
// adopted order) is in inputs.json and the files beside it, so both runs declare the same
// resources with the same inputs.
/* global fetch */
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/**
 * A stand-in for `alicloud.dns.AlidnsRecord` (its plugin is not available offline): it publishes
 * the record to the DNS of the emulator the provider talks to (ALIBABA_CLOUD_ENDPOINT_CAS), which
 * validates orders in `--validation dns` mode. It uses only globals, so Pulumi serializes it
 * without this module, and its inputs hold no endpoint: a replay against another emulator shows no
 * change.
 */
const emulatorDnsProvider = {
  async create(inputs) {
    const name = inputs.rr === "@" ? inputs.domainName : `${inputs.rr}.${inputs.domainName}`;
    const res = await fetch(`${process.env.ALIBABA_CLOUD_ENDPOINT_CAS}/_emulator/dns-records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, type: inputs.type, value: inputs.value }),
    });
    if (!res.ok) throw new Error(`publishing ${name}: HTTP ${res.status}`);
    return { id: `${name}|${inputs.value}`, outs: inputs };
  },
};

/** The fixture's inputs: `declares` says which optional resources the release supported. */
function fixtureInputs() {
  return JSON.parse(readFileSync(join(__dirname, "inputs.json"), "utf8"));
}

const csr = (file) => readFileSync(join(__dirname, file), "utf8");

module.exports = function releaseProgram({ cas, pulumi }) {
  class EmulatorDnsRecord extends pulumi.dynamic.Resource {
    constructor(name, args, opts) {
      super(emulatorDnsProvider, name, args, opts, "cas-fixture", "EmulatorDnsRecord");
    }
  }
  const inputs = fixtureInputs();
  return async () => {
    const orderIds = {};

    // A DNS-validated order still pending (own CSR, CreateCertificateWithCsrRequest).
    const pending = new cas.CertificateOrder("pending", { csr: csr(inputs.csrs.pending), ...contact });
    orderIds.pending = pending.orderId;

    // A DNS-validated order (by domain: CAS makes the key) issued once its record is published.
    const issued = new cas.CertificateOrder("issued", { domain: "issued.example.com", ...contact });
    const rec = issued.validationRecords["issued.example.com"];
    const record = new EmulatorDnsRecord("issued-validation", {
      domainName: rec.zone,
      rr: rec.rr,
      type: rec.type,
      value: rec.value,
      ttl: 600,
    });
    new cas.CertificateOrderValidation(
      "issued",
      {
        orderId: issued.orderId,
        validationRecordFqdns: [rec.fqdn],
        timeoutMinutes: 5,
        pollIntervalSeconds: 1,
      },
      { dependsOn: [record] },
    );
    orderIds.issued = issued.orderId;

    // A FILE-validated order. Its name is an Output: 0.1.0's CertificateOrder makes DNS record
    // outputs for a name given as a plain string, and for a FILE order they fail the program.
    const file = new cas.CertificateOrder("file", {
      domain: pulumi.output("file.example.com"),
      validateType: "FILE",
      ...contact,
    });
    orderIds.file = file.orderId;

    // Several names in one order: `domains` where the release has it, else a CSR with several names.
    if (inputs.declares.multi === "domains") {
      const multi = new cas.CertificateOrder("multi", {
        domains: ["multi.example.com", "www.multi.example.com"],
        ...contact,
      });
      orderIds.multi = multi.orderId;
    } else if (inputs.declares.multi === "csr") {
      const multi = new cas.CertificateOrder("multi", { csr: csr(inputs.csrs.multi), ...contact });
      orderIds.multi = multi.orderId;
    }

    // An order placed directly on the emulator, adopted.
    const adopted = new cas.CertificateOrder("adopted", {
      domain: "adopted.example.com",
      adoptOrderId: inputs.adoptOrderId,
      ...contact,
    });
    orderIds.adopted = adopted.orderId;

    if (inputs.declares.managedCertificate) {
      const managed = new cas.ManagedCertificate("managed", {
        domain: "managed.example.com",
        ...contact,
        onDelete: "revoke",
        timeoutMinutes: 5,
        pollIntervalSeconds: 1,
        dnsRecord: (name, args, opts) => new EmulatorDnsRecord(name, args, opts),
      });
      orderIds.managed = managed.order.orderId;
    }
    return { orderIds };
  };
};
