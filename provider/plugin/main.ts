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
import { pluginProvider } from "./plugin";
import { SCHEMA_TEXT } from "./schema-text";
import { serve } from "./serve";

const root = join(__dirname, "..", "..", "..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const plugin = pluginProvider({
  version,
  schema: () => SCHEMA_TEXT,
});
serve(
  plugin.provider,
  (variables, args, log) => plugin.configure(variables, args, log),
  process.argv.slice(2),
).catch((e: unknown) => {
  console.error(`pulumi-resource-alicloudcas: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
