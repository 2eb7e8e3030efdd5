#!/usr/bin/env node
/**
 * The `pulumi-resource-alicloudcas` plugin: a Pulumi resource provider the engine starts for
 * programs in any language (one process per provider instance), serving the CAS resources from the
 * dynamic provider's controllers. Pulumi finds it on PATH, or in the folder a project names
 * (`plugins.providers[].path` in Pulumi.yaml).
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../../runtime/bin-node-guard";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pluginArguments } from "./arguments";
import { checkProviderConfig, diffProviderConfig, pluginProvider } from "./plugin";
import { SCHEMA_TEXT } from "./schema-text";
import { serve } from "./serve";

const root = join(__dirname, "..", "..", "..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const args = pluginArguments(process.argv.slice(2), version);
if (args.exit) {
  (args.exit.code === 0 ? process.stdout : process.stderr).write(`${args.exit.text}\n`);
  process.exitCode = args.exit.code;
} else {
  const plugin = pluginProvider({
    version,
    schema: () => SCHEMA_TEXT,
  });
  serve(
    plugin.provider,
    {
      configure: (variables, config, log) => plugin.configure(variables, config, log),
      check: checkProviderConfig,
      diff: diffProviderConfig,
    },
    args.serve,
  ).catch((e: unknown) => {
    console.error(`pulumi-resource-alicloudcas: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
