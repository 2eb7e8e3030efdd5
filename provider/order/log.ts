/**
 * Where the provider's log lines go. In Pulumi's dynamic-provider host they go to its stderr, which
 * the Pulumi CLI shows as diagnostics: the only channel to the user there. A program or test that
 * runs the provider in its own process passes a sink with `configure` instead (as pulumi-command's
 * provider logs through the context it is handed) and reads the lines from it.
 */
export type LogSink = (line: string) => void;

/** The default sink: the process's stderr. */
export const stderrSink: LogSink = (line) => console.error(line);

let sink: LogSink = stderrSink;

/** Sends every following log line to `next`; `undefined` sends them to stderr again. */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? stderrSink;
}

/** One provider log line, prefixed `[alicloud-cas] `. */
export function log(message: string): void {
  sink(`[alicloud-cas] ${message}`);
}
