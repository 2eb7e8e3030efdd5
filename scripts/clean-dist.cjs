// Runs before every build: tsc never deletes the output of a source file that was renamed or
// removed. Mocha's spec glob would still run a stale test (twice-run tests share process-wide
// state), and `npm pack` would ship a stale module. tsc re-emits every file anyway (no incremental
// build), so starting from an empty dist/ costs nothing.
const { rmSync } = require("node:fs");
const { join } = require("node:path");

rmSync(join(__dirname, "..", "dist"), { recursive: true, force: true });
