import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ESLint } from "eslint";

const ROOT = resolve(__dirname, "..", "..", "..");
const load = createRequire(__filename);

interface GraphResult {
  files: number;
  upward: Array<{ from: string; specifier: string; fromLayer: string; toLayer: string }>;
  cycles: string[][];
}
const { checkImportGraph } = load(join(ROOT, "scripts", "check-import-graph.cjs")) as {
  checkImportGraph(root: string): GraphResult;
};
const { renderTable } = load(join(ROOT, "scripts", "layers.cjs")) as { renderTable(): string };

/**
 * The layer-rule messages ESLint gives `code` as if it were the file `path` of this repository. The
 * planted file exists in no TypeScript project, so it is parsed without type information and only
 * the layer rule runs (the repository's config, the layer blocks included, is otherwise the same).
 */
async function layerMessages(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === "@typescript-eslint/no-restricted-imports",
  });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  assert.deepEqual(
    result!.messages.filter((m) => m.fatal),
    [],
    `${path} was not parsed`,
  );
  return result!.messages
    .filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports")
    .map((m) => `${m.line}: ${m.message}`);
}

/** A tree of files under a fresh temporary folder. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "import-graph-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("layers: the linter and the import-graph check enforce the table", function () {
  this.timeout(120_000);

  it("the linter refuses an emulator file importing the provider or the SDK, type imports included", async () => {
    const messages = await layerMessages(
      "emulator/planted.ts",
      [
        'import { checkOrderInputs } from "../provider/order/inputs";',
        'import type { CertificateOrderArgs } from "../sdk/certificate-order";',
        'import { stringifyWithLongs } from "../protocol/lossless-json";',
        'import "../runtime/node-version";',
        'import { parseRecordDomainStyle } from "./records";',
        "export const all = [checkOrderInputs, stringifyWithLongs, parseRecordDomainStyle] as unknown as CertificateOrderArgs;",
        "",
      ].join("\n"),
    );
    assert.equal(messages.length, 2, messages.join("\n"));
    assert.match(messages[0]!, /^1: .*emulator \(emulator\/\) may not import provider \(provider\/\)/);
    assert.match(messages[1]!, /^2: .*emulator \(emulator\/\) may not import sdk \(sdk\/\)/);
  });

  it("the linter refuses the SDK a controller and the client, and allows the shared rules", async () => {
    const messages = await layerMessages(
      "sdk/planted.ts",
      [
        'import { certificateOrderProvider } from "../provider/order/order-provider";',
        'import { CasClient } from "../provider/cas/client";',
        'import { hostRecord } from "../provider/order/record-name";',
        'import { normalizeDomain } from "../provider/pki/csr";',
        "export const all = [certificateOrderProvider, CasClient, hostRecord, normalizeDomain];",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      messages.map((m) => m.split(":")[0]),
      ["1", "2"],
      messages.join("\n"),
    );
  });

  it("the linter refuses the client a provider module, and a shared rule a controller's module", async () => {
    assert.equal(
      (await layerMessages("provider/cas/planted.ts", 'export { setting } from "../order/settings";\n'))
        .length,
      1,
    );
    assert.deepEqual(
      await layerMessages(
        "provider/cas/planted.ts",
        'export { signRpcV1 } from "../../protocol/sign-rpc-v1";\n',
      ),
      [],
    );
    const rule = await layerMessages(
      "provider/order/record-name.ts",
      'import { setting } from "./settings";\nimport { ORDER_OUTPUT_NAMES } from "./output-names";\nexport const all = [setting, ORDER_OUTPUT_NAMES];\n',
    );
    assert.deepEqual(
      rule.map((m) => m.split(":")[0]),
      ["1"],
    );
  });

  it("the graph check finds a planted cycle of type imports and an upward import", () => {
    const root = tree({
      "emulator/a.ts": 'import type { B } from "./b";\nexport interface A { b?: B }\n',
      "emulator/b.ts": 'import type { A } from "./a";\nexport interface B { a?: A }\n',
      "emulator/c.ts": 'export const c = (): unknown => require("../provider/x");\n',
      "emulator/d.ts": 'export type D = typeof import("../sdk/y").y;\n',
      "provider/x.ts": "export const x = 1;\n",
      "sdk/y.ts": "export const y = 1;\n",
      "protocol/p.ts": 'import { c } from "../emulator/c";\nexport const p = c;\n',
    });
    try {
      const result = checkImportGraph(root);
      assert.equal(result.files, 7);
      assert.deepEqual(result.cycles, [["emulator/a.ts", "emulator/b.ts"]]);
      assert.deepEqual(
        result.upward.map((u) => `${u.from} → ${u.specifier}: ${u.fromLayer} → ${u.toLayer}`).sort(),
        [
          "emulator/c.ts → ../provider/x: emulator → provider",
          "emulator/d.ts → ../sdk/y: emulator → sdk",
          "protocol/p.ts → ../emulator/c: protocol → emulator",
        ],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("this repository has no upward import and no import cycle", () => {
    const result = checkImportGraph(ROOT);
    assert.ok(result.files > 200, `the check reads the sources (${result.files} files)`);
    assert.deepEqual(result.upward, []);
    assert.deepEqual(result.cycles, []);
  });

  it("docs/architecture.md shows the table the checks use", () => {
    const page = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
    assert.ok(page.includes(renderTable()), "run `node scripts/check-import-graph.cjs --table` and paste it");
  });
});
