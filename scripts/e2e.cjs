// Runs the end-to-end suite (the real Pulumi engine) after putting an engine on PATH with
// scripts/pulumi-cli.sh (an installed `pulumi`, or one built from the Go module proxy and cached).
const { execFileSync, spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
let bin;
try {
  bin = execFileSync("bash", [path.join(root, "scripts", "pulumi-cli.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
  })
    .toString()
    .trim();
} catch {
  console.error("e2e: no Pulumi engine could be found or built; see the messages above.");
  process.exit(1);
}
const env = {
  ...process.env,
  PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  PULUMI_CAS_ENGINE_BIN: bin,
};
const mocha = path.join(root, "node_modules", "mocha", "bin", "mocha.js");
// Arguments pass through to mocha: `npm run test:e2e -- --grep "destroy"` runs one test.
const args = ["--config", path.join(root, "tests", "e2e", ".mocharc.json"), ...process.argv.slice(2)];
const r = spawnSync(process.execPath, [mocha, ...args], {
  stdio: "inherit",
  env,
  cwd: root,
});
process.exit(r.status ?? 1);
