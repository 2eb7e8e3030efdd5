// Mocha's spec reporter, plus one line `passed failed` appended to $CAS_TEST_COUNTS when mocha
// exits, so .ci/run can add up every suite (unit, integration, e2e) into its closing line.
//
// Written at exit, not at the end of the run: in parallel mode failures can still arrive after the
// run's end (files that fail to load), and a worker that dies between files can stop mocha before
// the run ends at all, with exit code 0. Such a run counts one more failure and exits 1.
const fs = require("node:fs");
const Mocha = require("mocha");

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let ended = false;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => (ended = true));
    process.once("exit", () => {
      let { passes = 0, failures = 0 } = runner.stats ?? {};
      if (!ended) {
        failures += 1;
        process.exitCode = 1;
        process.stderr.write("count-reporter: mocha stopped before the run ended (a worker died?)\n");
      }
      const file = process.env.CAS_TEST_COUNTS;
      if (file) fs.appendFileSync(file, `${passes} ${failures}\n`);
    });
  }
}
module.exports = CountReporter;
