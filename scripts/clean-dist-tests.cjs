// Runs before every build: tsc never deletes the output of a test file that was renamed or removed,
// and mocha's spec glob would still run the stale copy (twice-run tests share process-wide state).
const { rmSync } = require("node:fs");
const { join } = require("node:path");

rmSync(join(__dirname, "..", "dist", "tests"), { recursive: true, force: true });
