// The Aliyun CLI's External profile mode with a real child process: a script the profile's
// `process_command` names prints credentials as JSON (as the CLI and credentials-go read them); the
// provider runs it again before the keys expire and when CAS answers that the token expired.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { credentialChain } from "../../provider/cas/credentials";
import { externalSession, splitCommand } from "../../provider/cas/external-credentials";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

/**
 * The credentials command: each run counts itself in `<dir>/runs` and prints what `<dir>/print.json`
 * says (`token` with the run's number in place of `#`, `lifetimeSeconds`, or `raw` text, `exit`).
 */
const SCRIPT = `
const fs = require("node:fs");
const path = require("node:path");
const dir = process.argv[2];
const runs = Number(fs.existsSync(path.join(dir, "runs")) ? fs.readFileSync(path.join(dir, "runs"), "utf8") : 0) + 1;
fs.writeFileSync(path.join(dir, "runs"), String(runs));
const p = JSON.parse(fs.readFileSync(path.join(dir, "print.json"), "utf8"));
if (p.stderr) process.stderr.write(p.stderr);
if (p.raw !== undefined) process.stdout.write(p.raw);
else process.stdout.write(JSON.stringify({
  mode: p.token ? "StsToken" : "AK",
  access_key_id: p.accessKeyId,
  access_key_secret: p.accessKeySecret,
  ...(p.token ? { sts_token: p.token.replace("#", String(runs)) } : {}),
  ...(p.lifetimeSeconds ? { expiration: new Date(Date.now() + p.lifetimeSeconds * 1000).toISOString().replace(/\\.\\d+Z$/, "Z") } : {}),
}));
process.exit(p.exit ?? 0);
`;

describe("Aliyun CLI profile mode External: a real command prints the credentials", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let dir: string;
  let file: string;

  const print = (p: Record<string, unknown>) =>
    writeFileSync(
      join(dir, "print.json"),
      JSON.stringify({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, ...p }),
    );
  const runs = () => Number(readFileSync(join(dir, "runs"), "utf8"));
  const profile = (command: string) =>
    writeFileSync(
      file,
      JSON.stringify({
        current: "ext",
        profiles: [{ name: "ext", mode: "External", process_command: command }],
      }),
    );

  beforeEach(async () => {
    emu = await startEmulator({ securityTokens: ["token-1"], lifecycle: { validation: "manual" } });
    // A space in the path: the command is quoted, as process_command allows.
    dir = mkdtempSync(join(tmpdir(), "cas external-"));
    writeFileSync(join(dir, "creds.cjs"), SCRIPT);
    file = join(dir, "config.json");
    profile(`"${process.execPath}" "${join(dir, "creds.cjs")}" "${dir}"`);
  });
  afterEach(() => emu?.close());

  it("splits process_command as credentials-go does (quotes group, backslash escapes, no shell)", () => {
    assert.deepEqual(splitCommand(`"/opt/my tools/cred" --profile 'a b' x\\ y "q\\"q" $HOME`), [
      "/opt/my tools/cred",
      "--profile",
      "a b",
      "x y",
      'q"q',
      "$HOME",
    ]);
    assert.equal(splitCommand(`cred "unclosed`), undefined);
    assert.equal(splitCommand(`cred \\`), undefined);
    assert.equal(splitCommand("   "), undefined);
  });

  it("a process_command that cannot be split is named by the kind and place of its problem and its program at most, never quoted", () => {
    const refused = (command: string, message: string) => {
      profile(command);
      assert.throws(
        () => credentialChain({ env: {}, profileFile: file }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.equal(
            e.message,
            `profile "ext" in ${file}: process_command ${message}; the command is not shown because its arguments may hold secrets.`,
          );
          return true;
        },
      );
    };
    refused(
      `/opt/cred --secret "s3cr3t-value --x`,
      "(program /opt/cred) has an unclosed double quote (opened at character 20 of 36, argument 3)",
    );
    refused(`"/opt/my cred s3cr3t`, "has an unclosed double quote (opened at character 1 of 20, argument 1)");
    refused(
      `cred --secret 's3cr3t`,
      "(program cred) has an unclosed single quote (opened at character 15 of 21, argument 3)",
    );
    refused(`cred s3cr3t\\`, "(program cred) ends in a backslash (character 12 of 12)");
    refused("   ", "is empty");
  });

  it("CAS calls sign with what the command printed; an expired-token answer runs it again and the call goes through", async () => {
    print({ token: "token-#", lifetimeSeconds: 3600 });
    const c = new CasClient({ endpoint: emu.endpoint, env: {}, profileFile: file, rateLimits: false });
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.equal(runs(), 1);
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.equal(runs(), 1, "kept while valid");
    // The token is revoked before its expiration: the command's next run prints token-2.
    emu.control.setSecurityTokens(["token-2"]);
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.equal(runs(), 2);
    assert.deepEqual(
      emu.control.requests().map((r) => r.outcome),
      ["OK", "OK", "InvalidSecurityToken.Expired", "OK"],
    );
  });

  it("renewed before its expiration like a role session; without an expiration kept until an expired-token answer", async () => {
    let now = Date.now();
    print({ token: "token-#", lifetimeSeconds: 3600 });
    const chain = credentialChain({ env: {}, profileFile: file, now: () => now });
    const first = await chain.current();
    assert.equal(first.securityToken, "token-1");
    assert.match(first.source, /^external command .* \(profile "ext" in .*config\.json\)$/);
    now += 30 * 60_000;
    assert.equal((await chain.current()).securityToken, "token-1");
    // Within the renewal margin (five minutes before the end of an hour).
    now += 26 * 60_000;
    assert.equal((await chain.current()).securityToken, "token-2");
    assert.equal(runs(), 2);

    print({ token: "token-#" });
    const kept = credentialChain({ env: {}, profileFile: file, now: () => now });
    assert.equal((await kept.current()).securityToken, "token-3");
    now += 48 * 3600_000;
    assert.equal((await kept.current()).securityToken, "token-3");
    assert.equal(await kept.refresh(), true);
    assert.equal((await kept.current()).securityToken, "token-4");

    // Mode AK: an access key, no token.
    print({});
    const ak = await credentialChain({ env: {}, profileFile: file }).current();
    assert.equal(ak.accessKeyId, emu.accessKeyId);
    assert.equal(ak.securityToken, undefined);
  });

  it("a command that fails, prints no JSON or cannot start is CredentialSourceFailed naming why, never quoting what it printed", async () => {
    const failure = async (re: RegExp) =>
      assert.rejects(
        credentialChain({ env: {}, profileFile: file }).current(),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.match(e.message, re);
          assert.doesNotMatch(e.message, new RegExp(emu.accessKeySecret));
          return true;
        },
      );
    print({ exit: 3, stderr: "no session: run login first" });
    await failure(
      /exited with status 3; it wrote 27 bytes on standard error, not shown here because they may hold secrets \(run the command yourself to see them\)$/,
    );
    print({ raw: `access_key_secret=${emu.accessKeySecret}` });
    await failure(/did not print a JSON object \(\d+ bytes on standard output\)/);
    print({
      raw: JSON.stringify({ mode: "StsToken", access_key_id: "a", access_key_secret: emu.accessKeySecret }),
    });
    await failure(/printed mode StsToken without sts_token/);
    profile(join(dir, "no-such-command"));
    await failure(/could not be started \(ENOENT\)/);
  });

  it("never quotes the command's standard error: a set -x trace, a PEM block, NUL and control characters are counted, not shown", async () => {
    const stderr =
      `+ SECRET=${emu.accessKeySecret}\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n` +
      "\u0000\u001b[2J\u0007\r";
    print({ exit: 1, stderr });
    await assert.rejects(
      credentialChain({ env: {}, profileFile: file }).current(),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "CredentialSourceFailed");
        assert.match(
          e.message,
          new RegExp(
            `exited with status 1; it wrote ${Buffer.byteLength(stderr)} bytes on standard error, not shown`,
          ),
        );
        assert.doesNotMatch(e.message, new RegExp(emu.accessKeySecret));
        assert.doesNotMatch(e.message, /SECRET|PRIVATE KEY|MIIEvQ/);
        assert.deepEqual(
          [...e.message].filter((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
          [],
          "no control character",
        );
        return true;
      },
    );
  });

  it("keys whose expiration is past are refused, naming the expiration, not the keys; a non-string or unparseable expiration is malformed output", async () => {
    const refused = async (re: RegExp, hidden: RegExp[] = []) =>
      assert.rejects(
        credentialChain({ env: {}, profileFile: file }).current(),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.match(e.message, re);
          for (const h of [new RegExp(emu.accessKeySecret), new RegExp(emu.accessKeyId), /token-/, ...hidden])
            assert.doesNotMatch(e.message, h);
          return true;
        },
      );
    print({ token: "token-#", lifetimeSeconds: -3600 });
    await refused(
      /printed keys that expired at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z \(it is now .*\): it must print fresh credentials/,
    );
    assert.equal(runs(), 1, "run once, not again and again");
    const raw = (expiration: unknown) =>
      print({
        raw: JSON.stringify({
          mode: "StsToken",
          access_key_id: emu.accessKeyId,
          access_key_secret: emu.accessKeySecret,
          sts_token: "token-x",
          expiration,
        }),
      });
    raw(1_893_456_000);
    await refused(
      /printed malformed output: its expiration is a number that is not a time such as 2006-01-02T15:04:05Z\.$/,
    );
    raw({ at: "2030-01-01T00:00:00Z" });
    await refused(/printed malformed output: its expiration is an object that is not a time/);
    raw(`tomorrow ${emu.accessKeySecret}`);
    await refused(/printed malformed output: its expiration is a string that is not a time/, [/tomorrow/]);
    raw("2030-13-45T00:00:00Z");
    await refused(/printed malformed output: its expiration is a string that is not a time/, [/2030/]);
  });

  describe("a command that does not finish", () => {
    const limits = { timeoutMs: 300, killGraceMs: 200, closeGraceMs: 200 };
    const session = (script: string, more: Partial<typeof limits> = {}) =>
      externalSession(`/bin/sh -c '${script}'`, "test profile", undefined, process.env, {
        ...limits,
        ...more,
      });
    let leftover: string | undefined;
    afterEach(() => {
      // A background process a test started, if still there.
      if (leftover)
        try {
          process.kill(Number(readFileSync(leftover, "utf8")), "SIGKILL");
        } catch {
          // Gone.
        }
      leftover = undefined;
    });

    it("past the limit its whole process group is stopped, SIGKILL for what ignores SIGTERM", async () => {
      // Both the shell and its sleep ignore SIGTERM; were they not killed, this would wait ten minutes.
      await assert.rejects(
        session(`trap "" TERM; sleep 600; echo never`).current(),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.match(
            e.message,
            /^test profile: process_command \/bin\/sh: it ran longer than 0\.3 s and was stopped\.$/,
          );
          return true;
        },
      );
    });

    it("a process it left in the background holding its output is not waited for: what it printed is read", async () => {
      print({});
      leftover = join(dir, "background.pid");
      const creds = await session(
        `sleep 600 & echo $! > "${leftover}"; exec "${process.execPath}" "${join(dir, "creds.cjs")}" "${dir}"`,
        // Time enough to start node and read its output on a loaded machine; the ten-minute sleep
        // is not waited for.
        { timeoutMs: 30_000, closeGraceMs: 1_000 },
      ).current();
      assert.equal(creds.accessKeyId, emu.accessKeyId);
      assert.equal(creds.accessKeySecret, emu.accessKeySecret);
    });
  });
});
