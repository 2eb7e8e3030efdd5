import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { misspelledSettings, SETTING_KEYS } from "../../provider/order/settings";

const ROOT = resolve(__dirname, "..", "..", "..");

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** Every `alicloud-cas:<key>` a file names (not a type token such as `alicloud-cas:index:…`). */
function keysIn(paths: string[]): Set<string> {
  const found = new Set<string>();
  for (const path of paths)
    for (const m of readFileSync(path, "utf8").matchAll(/(?<![\w-])alicloud-cas:([A-Za-z]+)(?!\w|:\S)/g))
      if (!/^[A-Z]/.test(m[1]!)) found.add(`alicloud-cas:${m[1]}`);
  return found;
}

describe("stack settings: the known keys and the typo check", () => {
  it("every alicloud-cas: key the provider and the docs name is a known setting, and every known one is used", () => {
    const known = new Set<string>(SETTING_KEYS);
    const inCode = keysIn(files(join(ROOT, "provider"), /\.ts$/));
    const inDocs = keysIn([join(ROOT, "README.md"), ...files(join(ROOT, "docs"), /\.md$/)]);
    for (const key of [...inCode, ...inDocs])
      assert.ok(known.has(key), `${key} is named but not in SETTING_KEYS`);
    for (const key of known) assert.ok(inDocs.has(key), `${key} is not documented`);
  });

  it("names a mistyped key and what was meant; leaves other namespaces alone", () => {
    assert.deepEqual(
      misspelledSettings(["alicloud-cas:qps", "alicloud:accessKey", "aws:region", "proj:x"]),
      [],
    );
    const [typo] = misspelledSettings(["alicloud-cas:operationTimeoutSecond"]);
    assert.match(
      typo!,
      /^alicloud-cas:operationTimeoutSecond is not a setting of this provider; did you mean alicloud-cas:operationTimeoutSeconds\?/,
    );
    const [cased] = misspelledSettings(["alicloud-cas:QPS"]);
    assert.match(cased!, /did you mean alicloud-cas:qps\?/);
    const [far] = misspelledSettings(["alicloud-cas:somethingElse"]);
    assert.match(
      far!,
      /^alicloud-cas:somethingElse is not a setting of this provider \(settings: adoptAfterLostAnswer, /,
    );
    assert.deepEqual(misspelledSettings(["alicloud:secretkey", "alicloud:unknownKey"]), [
      "alicloud:secretkey is spelled alicloud:secretKey (letter case matters); the provider does not read alicloud:secretkey",
    ]);
  });

  it("names a near miss of an alicloud: key it reads, and leaves every @pulumi/alicloud setting alone", () => {
    assert.deepEqual(misspelledSettings(["alicloud:regoin", "alicloud:acessKey"]), [
      "alicloud:regoin is not a setting of this provider or of @pulumi/alicloud; did you mean alicloud:region? (the provider does not read alicloud:regoin)",
      "alicloud:acessKey is not a setting of this provider or of @pulumi/alicloud; did you mean alicloud:accessKey? (the provider does not read alicloud:acessKey)",
    ]);
    // Every key @pulumi/alicloud's config module reads (the installed copy): none is taken for a typo.
    const vars = readFileSync(require.resolve("@pulumi/alicloud/config/vars"), "utf8");
    const keys = [...vars.matchAll(/\.get[A-Za-z]*\("([A-Za-z]+)"/g)].map((m) => `alicloud:${m[1]!}`);
    assert.ok(keys.length > 20, `read ${keys.length} keys of @pulumi/alicloud`);
    assert.deepEqual(misspelledSettings(keys), []);
  });
});
