// The SDKs committed in plugin-sdk/ (Python, Go, .NET, Node.js) are exactly what Pulumi's code
// generators write for the plugin's schema (provider/plugin/schema.json): every language is
// regenerated into a temporary folder by scripts/plugin-sdk.cjs (the generators are built once into
// ~/.cache/pulumi-alicloud-cas from the Go module proxy: minutes cold, nothing afterwards) and
// compared file by file. A difference names the file; `npm run sdk:generate` rewrites plugin-sdk/.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(__dirname, "..", "..", "..");

interface PluginSdkScript {
  compareWithCommitted(o: { log?: (line: string) => void }): {
    differences: string[];
    buildMs: number;
    generateMs: number;
  };
  listFiles(dir: string): string[];
  LANGUAGES: string[];
  SDK_DIR: string;
}

const script = createRequire(__filename)(resolve(ROOT, "scripts", "plugin-sdk.cjs")) as PluginSdkScript;

describe("the plugin's generated SDKs (plugin-sdk/)", function () {
  // A cold run builds both generators with Go (several minutes on 2 cores).
  this.timeout(1_500_000);

  it("every language has a committed SDK", () => {
    assert.deepEqual(script.LANGUAGES, ["python", "go", "nodejs", "dotnet"]);
    for (const language of script.LANGUAGES)
      assert.ok(
        script.listFiles(resolve(script.SDK_DIR, language)).length > 0,
        `plugin-sdk/${language} is empty: run npm run sdk:generate`,
      );
  });

  it("they are exactly what the generators write for provider/plugin/schema.json", () => {
    const { differences, buildMs, generateMs } = script.compareWithCommitted({
      log: (line) => console.error(`[plugin-sdk] ${line}`),
    });
    console.error(`[plugin-sdk] generators ready in ${buildMs} ms, generated in ${generateMs} ms`);
    assert.deepEqual(differences, [], "run `npm run sdk:generate` and commit plugin-sdk/");
  });
});

describe("the plugin's generated Node.js SDK", function () {
  this.timeout(300_000);

  it("type-checks with its own tsconfig against this repository's @pulumi/pulumi", async () => {
    const tsc = resolve(ROOT, "node_modules", "typescript", "bin", "tsc");
    const sdk = resolve(ROOT, "plugin-sdk", "nodejs");
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [tsc, "-p", resolve(sdk, "tsconfig.json"), "--noEmit"],
      { cwd: sdk, maxBuffer: 16 << 20 },
    ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`tsc found errors in plugin-sdk/nodejs:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
    });
    assert.equal(stdout + stderr, "");
  });
});
