/** What the plugin's command line asks for: serve the engine (its arguments), or answer and exit. */
export type PluginArguments =
  { serve: string[]; exit?: undefined } | { exit: { code: number; text: string } };

const USAGE = `Usage: pulumi-resource-alicloudcas [--logtostderr] [-v=N] [--tracing <endpoint>] [<engine address>]

The alicloudcas Pulumi resource provider plugin. The Pulumi engine starts it for a program that uses
alicloudcas resources; it is not run by hand (docs/plugin.md).

  --version   print the plugin's version and exit
  --help      print this text and exit`;

/**
 * The plugin's arguments checked: `--version` and `--help` answer and exit 0, any other flag the
 * engine never passes is refused (exit 2) instead of starting a server that waits for an engine.
 * The engine passes `--logtostderr`, `-v=N` and `--tracing <endpoint>` before the engine's address
 * (pulumi/pulumi sdk/go/common/resource/plugin/plugin.go `buildPluginArguments`); those are served.
 */
export function pluginArguments(args: readonly string[], version: string): PluginArguments {
  if (args.includes("--version")) return { exit: { code: 0, text: version } };
  if (args.includes("--help") || args.includes("-h")) return { exit: { code: 0, text: USAGE } };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--tracing") {
      i++;
      continue;
    }
    if (arg === "--logtostderr" || /^-v=\d+$/.test(arg) || !arg.startsWith("-")) continue;
    return {
      exit: {
        code: 2,
        text: `pulumi-resource-alicloudcas: unknown argument ${JSON.stringify(arg)}; the Pulumi engine starts this plugin (--help for its usage)`,
      },
    };
  }
  return { serve: [...args] };
}
