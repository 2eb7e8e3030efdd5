import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ORDER_STATE } from "../../provider/order/state";
import type { StoredState } from "../../provider/order/state-chain";
import { VALIDATION_STATE } from "../../provider/order/validation-inputs";
import { INSTANCE_STATE } from "../../provider/instance/inputs";

// Compiled to dist/tests/unit; the snapshots live in the source tree.
const DIR = join(__dirname, "..", "..", "..", "tests", "fixtures", "state-schemas");

const STATES: Record<string, StoredState<z.ZodType>> = {
  "certificate-order": ORDER_STATE,
  "certificate-order-validation": VALIDATION_STATE,
  "instance-certificate": INSTANCE_STATE,
};

/** The stored schema as JSON Schema, in the shape state is written (its input side). */
const jsonSchema = (s: StoredState<z.ZodType>) =>
  `${JSON.stringify(z.toJSONSchema(s.schema, { io: "input" }), null, 2)}\n`;

describe("a stored-state change bumps the version", () => {
  for (const [name, state] of Object.entries(STATES)) {
    it(`${name}: the schema of version ${state.version} is the committed snapshot`, () => {
      const file = join(DIR, `${name}.v${state.version}.json`);
      const now = jsonSchema(state);
      // A new version's snapshot is written only when asked; an existing one is never rewritten.
      if (!existsSync(file) && process.env.UPDATE_GOLDEN) writeFileSync(file, now);
      assert.ok(
        existsSync(file),
        `${file} is missing: a new state version needs its snapshot (run the unit tests with UPDATE_GOLDEN=1 once, then review and commit it)`,
      );
      assert.equal(
        now,
        readFileSync(file, "utf8"),
        `${state.what}'s stored schema changed but its version is still ${state.version}: ` +
          `bump the version, add an upgrader from ${state.version} (upgrade.ts), record a release fixture of the version before, and add a CHANGELOG line under "State"`,
      );
    });

    it(`${name}: every earlier version has its snapshot, and none is newer than the current one`, () => {
      const versions = readdirSync(DIR)
        .flatMap((f) => new RegExp(`^${name}\\.v(\\d+)\\.json$`).exec(f) ?? [])
        .filter((_, i) => i % 2 === 1)
        .map(Number)
        .sort((a, b) => a - b);
      assert.ok(versions.length > 0, `no snapshot of ${name} in ${DIR}`);
      assert.equal(versions.at(-1), state.version, "the newest snapshot is of the current version");
      const first = versions[0]!;
      assert.deepEqual(
        versions,
        Array.from({ length: state.version - first + 1 }, (_, i) => first + i),
        "no version skipped since the first snapshot",
      );
    });
  }
});
