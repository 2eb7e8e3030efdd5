// The Aliyun CLI's `External` profile mode: a command the profile names (`process_command`) prints
// credentials as JSON. As the CLI and credentials-go read it: the command is split into arguments
// (quotes group, POSIX backslash rules; no shell), run, and its standard output is
// `{"mode": "AK" | "StsToken", "access_key_id", "access_key_secret", "sts_token", "expiration"}`,
// `expiration` as `2006-01-02T15:04:05Z`.
import { spawn } from "node:child_process";
import { CasCredentialSourceError } from "./errors";
import { sessionCredentials } from "./credential-sessions";
import type { SessionKeys } from "./sts-client";
import type { CredentialProvider } from "./credential-types";

/** How long the command may run (it may be waiting for a prompt nobody answers). */
const EXTERNAL_COMMAND_TIMEOUT_MS = 60_000;
/** The most it may print: credentials are a few hundred bytes. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * `command` as arguments, the way credentials-go splits `process_command` on Unix: whitespace
 * outside quotes separates; single quotes keep everything literal; in double quotes `\` escapes
 * only `"`, `\`, `$`, `` ` `` and newline; outside quotes `\` escapes the next character.
 * `undefined` when it is empty, has an unclosed quote or ends in a backslash.
 */
export function splitCommand(command: string): string[] | undefined {
  const split = splitArguments(command);
  return "args" in split ? split.args : undefined;
}

/**
 * {@link splitCommand}, or what is wrong with `command` by kind and position only (it may hold a
 * secret argument), with the program's name when it was read whole before the problem.
 */
function splitArguments(
  command: string,
): { args: string[] } | { problem: string; program?: string | undefined } {
  const args: string[] = [];
  let current = "";
  let quote: "'" | '"' | undefined;
  let opened = 0;
  const text = command.trim();
  const program = (): string | undefined => args[0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) current += text[++i];
      else current += c;
    } else if (c === "\\") {
      if (i + 1 >= text.length)
        return { problem: `ends in a backslash (character ${i + 1} of ${text.length})`, program: program() };
      current += text[++i];
    } else if (c === "'" || c === '"') {
      quote = c;
      opened = i;
    } else if (/\s/.test(c)) {
      // As credentials-go: an argument that is empty (`""`) is dropped.
      if (current) args.push(current);
      current = "";
    } else current += c;
  }
  if (quote)
    return {
      problem: `has an unclosed ${quote === "'" ? "single" : "double"} quote (opened at character ${opened + 1} of ${text.length}, argument ${args.length + 1})`,
      program: program(),
    };
  if (current) args.push(current);
  return args.length ? { args } : { problem: "is empty" };
}

/** An `expiration` as the CLI writes it (`2006-01-02T15:04:05Z`), fractions and offsets allowed. */
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** What kind of JSON value `v` is, to name it without quoting it. */
function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * What the command printed, as keys; `expiresAt` is `Infinity` when it gave no `expiration` (absent
 * or empty). An `expiration` that is not such a time, or is already past at `now`, is refused.
 */
function parseExternalOutput(stdout: string, what: string, now: number): SessionKeys {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  // Never quote the output: it holds the secret.
  if (!body)
    throw new CasCredentialSourceError(
      `${what} did not print a JSON object (${Buffer.byteLength(stdout)} bytes on standard output): it must print {"mode": "StsToken", "access_key_id": …, "access_key_secret": …, "sts_token": …, "expiration": "2006-01-02T15:04:05Z"} (or mode AK without sts_token).`,
    );
  const text = (k: string) => (typeof body[k] === "string" && body[k] !== "" ? body[k] : undefined);
  const accessKeyId = text("access_key_id");
  const accessKeySecret = text("access_key_secret");
  if (!accessKeyId || !accessKeySecret)
    throw new CasCredentialSourceError(`${what} printed JSON without access_key_id or access_key_secret.`);
  const securityToken = text("sts_token");
  if (body.mode === "StsToken" && !securityToken)
    throw new CasCredentialSourceError(`${what} printed mode StsToken without sts_token.`);
  const expiration = body.expiration;
  let expiresAt = Infinity;
  if (expiration !== undefined && expiration !== "") {
    expiresAt = typeof expiration === "string" && EXPIRATION.test(expiration) ? Date.parse(expiration) : NaN;
    // Never quoted either: it is part of the output.
    if (Number.isNaN(expiresAt))
      throw new CasCredentialSourceError(
        `${what} printed malformed output: its expiration is ${kindOf(expiration)} that is not a time such as 2006-01-02T15:04:05Z.`,
      );
    if (expiresAt <= now)
      throw new CasCredentialSourceError(
        `${what} printed keys that expired at ${new Date(expiresAt).toISOString()} (it is now ${new Date(now).toISOString()}): it must print fresh credentials (check its cache, and this machine's clock).`,
      );
  }
  return { accessKeyId, accessKeySecret, securityToken: securityToken ?? "", expiresAt };
}

/** How long the command may run, and how long it is given to stop and to hand over its output. */
export interface ExternalCommandLimits {
  /** The most it may run (it may be waiting for a prompt nobody answers); default 60 s. */
  timeoutMs: number;
  /** After the limit, its process group gets SIGTERM, then SIGKILL this much later; default 2 s. */
  killGraceMs: number;
  /**
   * Once it has exited, how long its standard output may stay open (a background process it
   * started may hold it) before what it printed so far is read; default 1 s.
   */
  closeGraceMs: number;
}

const DEFAULT_LIMITS: ExternalCommandLimits = {
  timeoutMs: EXTERNAL_COMMAND_TIMEOUT_MS,
  killGraceMs: 2_000,
  closeGraceMs: 1_000,
};

/**
 * Runs `args` (no shell) in a process group of its own and gives its standard output; fails naming
 * the exit status and how many bytes it wrote on standard error, never what they are (a `set -x`
 * script prints its secrets there). Past the limit the whole group is stopped (SIGTERM, then
 * SIGKILL), and once the command has exited a background process holding its output is not waited
 * for beyond `closeGraceMs`.
 */
function run(
  args: string[],
  what: string,
  env: NodeJS.ProcessEnv,
  limits: ExternalCommandLimits,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // A group of its own (not on Windows, which has none): a signal to the group reaches what it started.
    const group = process.platform !== "win32";
    const child = spawn(args[0]!, args.slice(1), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: group,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, f: () => void): void => {
      const t = setTimeout(f, ms);
      timers.push(t);
    };
    const signal = (sig: NodeJS.Signals): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    const stop = (): void => {
      signal("SIGTERM");
      // Not cleared when the command exits: what it started may still be running. Unref'd, so it
      // never keeps this process alive.
      setTimeout(() => signal("SIGKILL"), limits.killGraceMs).unref();
    };
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
      f();
    };
    const failed = (message: string): void => settle(() => reject(new CasCredentialSourceError(message)));
    const stopped = `it ran longer than ${limits.timeoutMs / 1000} s and was stopped`;
    later(limits.timeoutMs, () => {
      timedOut = true;
      stop();
      // Should it not even exit after SIGKILL (an uninterruptible wait), it is given up on.
      later(limits.killGraceMs + limits.closeGraceMs, () => failed(`${what}: ${stopped}.`));
    });
    child.stdout.on("data", (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_OUTPUT_BYTES) stop();
      else out.push(d);
    });
    // Counted, never kept: it may hold secrets.
    child.stderr.on("data", (d: Buffer) => {
      errBytes += d.length;
    });
    child.on("error", (e: NodeJS.ErrnoException) =>
      settle(() =>
        reject(
          new CasCredentialSourceError(
            `${what} could not be started (${e.code ?? e.message}): check process_command (the program's path; it is run without a shell).`,
            { cause: e },
          ),
        ),
      ),
    );
    child.on("exit", (code, sig) => {
      const done = (): void => {
        if (timedOut) return failed(`${what}: ${stopped}.`);
        if (outBytes > MAX_OUTPUT_BYTES)
          return failed(`${what} printed more than ${MAX_OUTPUT_BYTES} bytes.`);
        if (code !== 0)
          return failed(
            `${what} ${sig ? `was stopped (${sig})` : `exited with status ${code}`}` +
              (errBytes
                ? `; it wrote ${errBytes} bytes on standard error, not shown here because they may hold secrets (run the command yourself to see them)`
                : ""),
          );
        settle(() => resolve(Buffer.concat(out).toString("utf8")));
      };
      // Its output may still be in the pipe: read to its end, unless something it started holds it open.
      if (child.stdout.readableEnded && child.stderr.readableEnded) return done();
      child.once("close", done);
      later(limits.closeGraceMs, done);
    });
  });
}

/**
 * The credentials an External profile's command prints, run again before they expire (as role
 * sessions are renewed) and when CAS answers that the token expired. Without `expiration` the keys
 * are kept until such an answer (credentials-go runs the command before every request instead).
 */
export function externalSession(
  command: string,
  setting: string,
  now?: () => number,
  env: NodeJS.ProcessEnv = process.env,
  limits: Partial<ExternalCommandLimits> = {},
): CredentialProvider {
  const split = splitArguments(command);
  // The command itself is never quoted: an argument may be a secret.
  if (!("args" in split))
    throw new CasCredentialSourceError(
      `${setting}: process_command ${split.program === undefined ? "" : `(program ${split.program}) `}${split.problem}; the command is not shown because its arguments may hold secrets.`,
    );
  const { args } = split;
  const what = `${setting}: process_command ${args[0]}`;
  const clock = now ?? Date.now;
  return sessionCredentials(
    async () =>
      parseExternalOutput(await run(args, what, env, { ...DEFAULT_LIMITS, ...limits }), what, clock()),
    `external command ${args[0]} (${setting})`,
    now,
  );
}
