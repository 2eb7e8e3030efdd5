// Mocha's spec reporter, plus one line `passed failed` appended to $CAS_TEST_COUNTS when the run
// ends, so .ci/run can add up every suite (unit, integration, e2e) into its closing line.
const fs = require("node:fs");
const Mocha = require("mocha");

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.CAS_TEST_COUNTS;
      if (file) fs.appendFileSync(file, `${runner.stats.passes} ${runner.stats.failures}\n`);
    });
  }
}
module.exports = CountReporter;
