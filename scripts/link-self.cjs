// Makes `require("pulumi-alicloud-cas/...")` resolve to this checkout, exactly as it does in a
// user's project. The serialized provider loads its implementation by bare package name from the
// Pulumi program's directory, and the examples import the package by name.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-alicloud-cas");
// Installed as a dependency of another project: nothing to do.
if (path.basename(path.dirname(root)) === "node_modules") process.exit(0);
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
} catch {
  /* absent or not a link */
}
fs.rmSync(link, { recursive: true, force: true });
fs.symlinkSync("..", link, "dir");
