/**
 * Where the provider's log lines go. In Pulumi's dynamic-provider host they go to its stderr, which
 * the Pulumi CLI shows as diagnostics: the only channel to the user there. A program or test that
 * runs the provider in its own process passes a sink with `configure` instead (as pulumi-command's
 * provider logs through the context it is handed) and reads the lines from it.
 */
export type LogSink = (line: string) => void;

/** The default sink: the process's stderr. */
const stderrSink: LogSink = (line) => console.error(line);

/** One provider log line, prefixed `[alicloud-cas] `. */
export type Log = (message: string) => void;

/** The provider's log over `sink` (stderr when absent): each line prefixed `[alicloud-cas] `. */
export function providerLog(sink: LogSink | undefined): Log {
  const to = sink ?? stderrSink;
  return (message) => to(`[alicloud-cas] ${message}`);
}
