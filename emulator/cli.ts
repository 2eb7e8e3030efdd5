#!/usr/bin/env node
// First: on too old a Node the bin stops saying which Node it needs, like every other entry point.
import "../runtime/bin-node-guard";
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { EmulatorOptions } from "./options";
import { startEmulator } from "./server";
import { FAULT_KINDS, type FaultKind } from "./faults";
import { parseRecordDomainStyle, parseZones } from "./records";

const HELP = `cas-emulator: a local Alibaba Cloud CAS (2020-04-07) API for tests and demos

Options:
  --port N               port to listen on (default 0: a free port)
  --host ADDR            address to bind (default 127.0.0.1; another than loopback needs --control-token)
  --data-dir DIR         keep state in DIR/state.json across restarts (default: in memory)
  --seed N               seed for ids, records and faults (default 1; a restart on saved state without --seed takes a fresh one)
  --access-key-id ID     the account's key id (default: generated, or the persisted one)
  --access-key-secret S  its secret
  --account-id ID        the account's id, 16 digits (default: generated, or the persisted one);
                         STS GetCallerIdentity on the same origin answers it
  --plan-size N          orders per plan for every product code (default 100)
  --test-instances N     inactive TEST certificate instances of a new account (default 20)
  --cancel-settles-to S  where a cancelled first application settles: inactive (default) or normal
  --qps N                requests/s per account and action for every action (default: documented limits)
  --validation MODE      auto | dns | manual (default auto)
  --validate-after MS    auto mode: ms until an order is validated (default 500)
  --issue-after MS       ms from validation to issuance (default 500)
  --record-domain-style S  fqdn | zone | name: how RecordDomain is spelled (default fqdn, a full name,
                         as the console FAQ says; zone: relative to the zone; name: a bare _dnsauth)
  --www-parent           for www.<domain>, name <domain> (DNS RecordDomain and FILE Domain), as DigiCert
                         checks the parent of a www. name
  --zone ZONE            a DNS zone the emulator knows, for --record-domain-style zone and for which
                         names one record proves (repeatable; default: a name's registrable domain)
  --same-account-zone Z  a zone in Alibaba Cloud DNS of the order's account: CAS adds the validation
                         record there itself and deletes conflicting TXT records (repeatable)
  --fault SPEC           ACTION:KIND:RATE[:LATENCY_MS], KIND one of latency|error|reset|ambiguous|throttle,
                         or a documented error: deleteFail (DeleteCertificateRequest: DeleteFail, 403),
                         createFailed (create actions: CreateCertificateRequestFailed, 403)
                         (repeatable), e.g. --fault CreateCertificateRequest:ambiguous:0.2
  --large-order-ids      start OrderIds above 2^53
  --omit-cert-id         answer DescribeCertificateState without CertId, as CAS did before 2025-07
  --tls                  serve HTTPS with a certificate from a private CA made at start; the CA is
                         written to --tls-ca-out (default <data-dir>/tls-ca.pem, else a temporary
                         file) and --print-env adds export NODE_EXTRA_CA_CERTS=<that file>
  --tls-cert FILE        serve HTTPS with this certificate (PEM, chain allowed) and --tls-key FILE
  --tls-key FILE         the certificate's private key (PEM)
  --tls-ca-out FILE      where --tls writes its CA
  --sts-lifetime S       the STS on this port (Version 2015-04-01: AssumeRole, AssumeRoleWithOIDC) issues
                         credentials that last at most S seconds (default: as DurationSeconds asks)
  --sts-role ARN[=KEY]   a RAM role that exists (repeatable; default: any acs:ram::<id>:role/<name>);
                         =KEY: the access key whose account OIDC sessions of this role use
                         (default: the first account)
  --sts-oidc-provider ARN  an OIDC provider that exists (repeatable; default: any
                         acs:ram::<id>:oidc-provider/<name>)
  --print-env            print the export lines that point the provider at this emulator, CAS and
                         STS (stays in the foreground; see --detach)
  --detach               start in the background, print the export lines (plus CAS_EMULATOR_PID)
                         and return:  eval "$(npx cas-emulator --detach)"; stop: kill "$CAS_EMULATOR_PID"
  --log-file FILE        with --detach: where the background emulator writes its errors
  --control-token T      control API requests need "Authorization: Bearer T"
                         (default: $CAS_EMULATOR_CONTROL_TOKEN; none when unset)
  --allow-host NAME      a host name the control API accepts besides loopback names and --host
                         (repeatable)
  -h, --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      seed: { type: "string" },
      "access-key-id": { type: "string" },
      "access-key-secret": { type: "string" },
      "account-id": { type: "string" },
      "plan-size": { type: "string" },
      qps: { type: "string" },
      "test-instances": { type: "string" },
      "cancel-settles-to": { type: "string" },
      validation: { type: "string" },
      "validate-after": { type: "string" },
      "issue-after": { type: "string" },
      fault: { type: "string", multiple: true },
      "record-domain-style": { type: "string" },
      "www-parent": { type: "boolean" },
      zone: { type: "string", multiple: true },
      "same-account-zone": { type: "string", multiple: true },
      "large-order-ids": { type: "boolean" },
      "omit-cert-id": { type: "boolean" },
      "print-env": { type: "boolean" },
      detach: { type: "boolean" },
      "log-file": { type: "string" },
      "control-token": { type: "string" },
      "allow-host": { type: "string", multiple: true },
      tls: { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-ca-out": { type: "string" },
      "sts-lifetime": { type: "string" },
      "sts-role": { type: "string", multiple: true },
      "sts-oidc-provider": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.detach) return detach(values["log-file"]);
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a non-negative number, got "${v}"`);
    return n;
  };
  const validation = values.validation;
  if (validation && !["auto", "dns", "manual"].includes(validation))
    throw new Error(`--validation takes auto, dns or manual, got "${validation}"`);
  if (Boolean(values["tls-cert"]) !== Boolean(values["tls-key"]))
    throw new Error("--tls-cert and --tls-key go together: give the certificate and its key");
  const tls: EmulatorOptions["tls"] = values["tls-cert"]
    ? {
        certificatePem: readFileSync(values["tls-cert"], "utf8"),
        privateKeyPem: readFileSync(values["tls-key"]!, "utf8"),
      }
    : values.tls
      ? true
      : undefined;
  const stsLifetime = num("sts-lifetime", values["sts-lifetime"]);
  if (stsLifetime !== undefined && (!Number.isInteger(stsLifetime) || stsLifetime < 1))
    throw new Error(
      `--sts-lifetime takes a whole number of seconds (1 or more), got "${values["sts-lifetime"]}"`,
    );
  const options: EmulatorOptions = {
    tls,
    sts: {
      lifetimeSeconds: stsLifetime,
      roles: values["sts-role"]?.map((spec) => {
        const [arn, key] = spec.split("=");
        return key ? { arn: arn!, accessKeyId: key } : { arn: arn! };
      }),
      oidcProviders: values["sts-oidc-provider"],
    },
    port: num("port", values.port),
    host: values.host,
    dataDir: values["data-dir"],
    seed: num("seed", values.seed),
    accessKeyId: values["access-key-id"],
    accessKeySecret: values["access-key-secret"],
    accountId: values["account-id"],
    planSize: num("plan-size", values["plan-size"]),
    testInstances: num("test-instances", values["test-instances"]),
    qps: num("qps", values.qps),
    largeOrderIds: values["large-order-ids"],
    omitCertId: values["omit-cert-id"],
    controlToken: values["control-token"] ?? (process.env.CAS_EMULATOR_CONTROL_TOKEN || undefined),
    allowedHosts: values["allow-host"],
    lifecycle: {
      ...(validation ? { validation: validation as "auto" | "dns" | "manual" } : {}),
      ...(values["validate-after"]
        ? { validateAfterMs: num("validate-after", values["validate-after"])! }
        : {}),
      ...(values["issue-after"] ? { issueAfterMs: num("issue-after", values["issue-after"])! } : {}),
      ...(values["record-domain-style"]
        ? { recordDomainStyle: parseRecordDomainStyle(values["record-domain-style"]) }
        : {}),
      ...(values["www-parent"] ? { wwwParent: true } : {}),
      ...(values["cancel-settles-to"]
        ? { cancelSettlesTo: values["cancel-settles-to"] as "inactive" | "normal" }
        : {}),
      ...(values.zone ? { zones: parseZones(values.zone) } : {}),
      ...(values["same-account-zone"] ? { sameAccountZones: parseZones(values["same-account-zone"]) } : {}),
    },
    faults: (values.fault ?? []).map((spec) => {
      const [action, kind, rate, latency] = spec.split(":");
      if (!action || !kind || !(FAULT_KINDS as readonly string[]).includes(kind) || !(Number(rate) >= 0))
        throw new Error(`--fault takes ACTION:KIND:RATE[:LATENCY_MS], got "${spec}"`);
      return {
        action,
        kind: kind as FaultKind,
        rate: Number(rate),
        latencyMs: latency ? Number(latency) : undefined,
      };
    }),
  };
  const emu = await startEmulator(options);
  // A detached emulator's stdout is a pipe its starter closes once it has read the export lines.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  let caFile: string | undefined;
  if (emu.tlsCaPem) {
    caFile =
      values["tls-ca-out"] ??
      (values["data-dir"]
        ? join(values["data-dir"], "tls-ca.pem")
        : join(mkdtempSync(join(tmpdir(), "cas-emulator-")), "tls-ca.pem"));
    writeFileSync(caFile, emu.tlsCaPem);
  }
  if (values["print-env"]) {
    if (caFile) console.log(`export NODE_EXTRA_CA_CERTS=${shellQuote(caFile)}`);
    console.log(`export ALIBABA_CLOUD_ENDPOINT_CAS=${shellQuote(emu.endpoint)}`);
    // Its STS answers on the same port: role and OIDC sessions of the stack come from it too.
    console.log(`export ALIBABA_CLOUD_STS_ENDPOINT=${shellQuote(emu.endpoint)}`);
    console.log(`export ALIBABA_CLOUD_ENDPOINT_STS=${shellQuote(emu.endpoint)}`);
    console.log(`export ALIBABA_CLOUD_ACCESS_KEY_ID=${shellQuote(emu.accessKeyId)}`);
    console.log(`export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${shellQuote(emu.accessKeySecret)}`);
  } else {
    console.log(`cas-emulator listening on ${emu.endpoint}`);
    if (caFile)
      console.log(`  TLS CA:            ${caFile}   (export NODE_EXTRA_CA_CERTS=${shellQuote(caFile)})`);
    console.log(`  account id:        ${emu.accountId}   (STS GetCallerIdentity on the same origin)`);
    console.log(`  access key id:     ${emu.accessKeyId}`);
    console.log(`  access key secret: ${emu.accessKeySecret}   (emulator-only credentials)`);
    console.log(
      `  control API:       ${emu.endpoint}/_emulator/ (orders, plans, dns-records, faults, lifecycle, reset, ca, requests)`,
    );
  }
  const stop = () => void emu.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** `'…'` for a POSIX shell, unless the value needs no quoting. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * Starts this CLI again without --detach as a background process, waits for its export lines,
 * prints them with its pid and returns. The child gets no terminal and its pipes are closed, so
 * `$(…)` and `eval "$(…)"` return at once.
 */
async function detach(logFile: string | undefined): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--detach" && a !== "--print-env");
  const li = args.indexOf("--log-file");
  if (li >= 0) args.splice(li, 2);
  const log = logFile ? openSync(logFile, "a") : "pipe";
  const child = spawn(process.execPath, [__filename, ...args, "--print-env"], {
    detached: true,
    stdio: ["ignore", "pipe", log],
  });
  const lines = await new Promise<string[]>((ok, fail) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      // Whole lines only: the last piece may be cut.
      const got = out
        .split("\n")
        .slice(0, -1)
        .filter((l) => l.startsWith("export "));
      // The secret's line comes last (NODE_EXTRA_CA_CERTS, with --tls, first).
      if (got.some((l) => l.startsWith("export ALIBABA_CLOUD_ACCESS_KEY_SECRET="))) ok(got);
    });
    child.once("exit", (code) =>
      fail(
        new Error(
          `the background emulator exited with ${code} before it was ready${logFile ? ` (see ${logFile})` : `: ${err.trim()}`}`,
        ),
      ),
    );
  });
  child.stdout!.destroy();
  child.stderr?.destroy();
  child.removeAllListeners("exit");
  child.unref();
  for (const l of lines) console.log(l);
  console.log(`export CAS_EMULATOR_PID=${child.pid}`);
}

main().catch((e: unknown) => {
  console.error(`cas-emulator: ${(e as Error).message}`);
  process.exit(2);
});
