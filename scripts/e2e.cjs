// Runs the end-to-end suite (the real Pulumi engine) after finding a Pulumi CLI or building one from
// the Go module proxy into the cache, as `cas-offline` and `npm run demo` do (dist/offline/pulumi-cli.js).
const { spawnSync } = require("node:child_process");
const { existsSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const shared = path.join(root, "dist", "offline", "pulumi-cli.js");

async function main() {
  if (!existsSync(shared)) {
    console.error(
      `e2e: ${shared} is not built: run \`npm run test:e2e\` (it builds first) or \`npm run build\``,
    );
    return 1;
  }
  const { findOrBuildPulumiCli, PulumiCliUnavailable } = require(shared);
  let bin;
  try {
    ({ bin } = await findOrBuildPulumiCli({
      log: (line) => console.error(`[pulumi-cli] ${line}`),
      toolOutput: (line) => console.error(`  ${line}`),
      rerun: "`npm run test:e2e`",
    }));
  } catch (e) {
    if (!(e instanceof PulumiCliUnavailable)) throw e;
    console.error(`e2e: ${e.message}`);
    return 1;
  }
  const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    PULUMI_CAS_ENGINE_BIN: bin,
  };
  const mocha = path.join(root, "node_modules", "mocha", "bin", "mocha.js");
  // Arguments pass through to mocha: `npm run test:e2e -- --grep "destroy"` runs one test.
  const args = ["--config", path.join(root, "tests", "e2e", ".mocharc.json"), ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, [mocha, ...args], { stdio: "inherit", env, cwd: root });
  return r.status ?? 1;
}

main().then((code) => process.exit(code));
