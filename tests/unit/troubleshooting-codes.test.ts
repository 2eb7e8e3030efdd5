import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

// docs/troubleshooting.md is organised by error code, and the engine prints each error's code
// (`error: [OrderInAnotherAccount] …`, provider/coded-errors.ts). Every code the provider can
// print must be found on that page: the codes this package gives its errors (read from the source,
// so a new one cannot be added without its entry), and CAS's codes the provider singles out.

// Compiled to dist/tests/unit; the sources and docs live in the source tree.
const ROOT = join(__dirname, "..", "..", "..");
const PAGE = readFileSync(join(ROOT, "docs", "troubleshooting.md"), "utf8");
/** The folders whose code runs in the provider (the client may move out of provider/cas). */
const SOURCES = ["provider", "client"].map((d) => join(ROOT, d)).filter((d) => existsSync(d));
/** CAS's codes the provider singles out only to tolerate them: never printed. */
const TOLERATED: Record<string, string> = {
  "OperationDenied.StatusNotSupport":
    "CancelPendingCertificate on an application that already left review (the cancel is then moot)",
};
/** Codes of STS that only ever appear inside a CredentialSourceFailed message (its entry names them). */
const STS_ONLY = /sts-client\.ts$/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The first argument of the call whose `(` ends at `start`: up to its first top-level comma. */
function firstArgument(text: string, start: number): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      if (depth === 0) return text.slice(start, i);
      depth--;
    } else if (c === "," && depth === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

const CODE = /^[A-Z][a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/;

/** Every code the provider can print, with where it comes from. */
function printableCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const add = (code: string, where: string) => {
    if (CODE.test(code) && !codes.has(code) && !(code in TOLERATED)) codes.set(code, where);
  };
  for (const file of SOURCES.flatMap(tsFiles)) {
    const text = readFileSync(file, "utf8");
    const where = relative(ROOT, file);
    // Errors this package makes: `new CasError("Code", …)`, its subclasses, `super("Code", …)`.
    for (const m of text.matchAll(/new Cas\w*Error\(|\bsuper\(/g))
      for (const lit of firstArgument(text, m.index + m[0].length)
        // A message's text (a template) is not a code, whatever it quotes.
        .replace(/`(?:\\.|[^`\\])*`/g, "")
        .matchAll(/"([^"]+)"/g))
        add(lit[1]!, where);
    // A status without a CAS error body: `HTTP404` and the like.
    if (/`HTTP\$\{/.test(text)) add("HTTP404", where);
    if (STS_ONLY.test(file)) continue;
    // CAS's codes the provider singles out (retried, refreshed on, read as gone, …).
    for (const m of text.matchAll(/\.code\s*===\s*"([^"]+)"/g)) add(m[1]!, where);
    for (const m of text.matchAll(/^\s*code === "([^"]+)"/gm)) add(m[1]!, where);
    const set = /CREDENTIAL_ERROR_CODES[^=]*=\s*new Set\(\[([^\]]*)\]/.exec(text);
    if (set) for (const m of set[1]!.matchAll(/"([^"]+)"/g)) add(m[1]!, where);
  }
  return codes;
}

/** The codes the page names in backticks; `Prefix*` and `Prefix…` stand for every code they start. */
function pageEntries(): { exact: Set<string>; prefixes: string[] } {
  const names = [...PAGE.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return {
    exact: new Set(names),
    prefixes: names.filter((n) => /[*…]$/.test(n)).map((n) => n.slice(0, -1)),
  };
}

describe("troubleshooting.md has an entry for every code the provider can print", () => {
  const codes = printableCodes();

  it("the source scan finds this package's codes and CAS's", () => {
    // A scan that silently found nothing would prove nothing.
    for (const known of [
      "OrderInAnotherAccount",
      "ReconcileFailed",
      "CredentialSourceFailed",
      "NotFoundOrder",
    ])
      assert.ok(codes.has(known), `${known} not found by the scan: ${[...codes.keys()].join(", ")}`);
    assert.ok(codes.has("InvalidSecurityToken.Expired"));
    assert.ok(codes.size > 40, `${codes.size} codes`);
  });

  it("each one is on the page, in backticks (or under a `Prefix*` entry)", () => {
    const { exact, prefixes } = pageEntries();
    const missing = [...codes]
      .filter(([code]) => !exact.has(code) && !prefixes.some((p) => p && code.startsWith(p)))
      .map(([code, where]) => `${code} (${where})`);
    assert.deepEqual(missing, [], `add an entry to docs/troubleshooting.md for: ${missing.join(", ")}`);
  });

  it("the page says how the engine shows a code, and where CAS's other codes are explained", () => {
    assert.match(PAGE, /error: \[OrderInAnotherAccount\]/);
    assert.match(PAGE, /any other code/i);
  });
});
