// Imported first by every entry point of the package (its body runs before any other module
// loads): on Node < 22 the dependencies fail later with errors that do not name the cause
// (undici 8: "Cannot read properties of undefined (reading 'bind')").

/** The oldest Node.js major this package runs on (also `engines.node` in package.json). */
export const MIN_NODE_MAJOR = 22;

/** The message for a Node.js version older than {@link MIN_NODE_MAJOR}, or undefined when it is new enough. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isFinite(major) || major >= MIN_NODE_MAJOR) return undefined;
  return (
    `pulumi-alicloud-cas needs Node >= ${MIN_NODE_MAJOR} (found ${version.replace(/^v/, "")}). ` +
    `Install Node ${MIN_NODE_MAJOR} or later and make it the first \`node\` on PATH: the Pulumi ` +
    "provider process runs the `node` it finds there."
  );
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) throw new Error(problem);
