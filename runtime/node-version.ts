// The Node.js version the package needs, and the message for an older one. node-guard.ts (entry
// points) and bin-node-guard.ts (commands) act on it.

/**
 * The oldest Node.js this package runs on, and `engines.node` in package.json: undici 8, the
 * client's HTTP stack, declares `node >= 22.19.0`.
 */
export const MIN_NODE_VERSION = "22.19.0";

/** The dependency whose `engines.node` sets {@link MIN_NODE_VERSION}. */
const MIN_NODE_DEPENDENCY = "undici 8";

/** `major.minor.patch` of a Node.js version string (`v22.19.0`, `22.19.0-nightly…`), or undefined. */
export function parseNodeVersion(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Whether `version` is `minimum` or later, comparing major, then minor, then patch. */
export function isAtLeast(version: [number, number, number], minimum: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return version[i]! > minimum[i]!;
  return true;
}

/**
 * The message for a Node.js version older than {@link MIN_NODE_VERSION}, or undefined when it is
 * new enough or cannot be read (the check never stops a Node it does not understand).
 */
export function nodeVersionProblem(version: string): string | undefined {
  const found = parseNodeVersion(version);
  if (!found || isAtLeast(found, parseNodeVersion(MIN_NODE_VERSION)!)) return undefined;
  const [major, minor] = parseNodeVersion(MIN_NODE_VERSION)!;
  return (
    `pulumi-alicloud-cas needs Node >= ${MIN_NODE_VERSION} (found ${version.trim().replace(/^v/, "")}): ` +
    `its dependency ${MIN_NODE_DEPENDENCY} requires it. Install Node ${major}.${minor} or later ` +
    `(nodejs.org, or a version manager: \`nvm install ${major}\`; \`npm i -D node@${major}\` puts one in ` +
    "node_modules/.bin for npm scripts) and make it the first `node` on PATH: the Pulumi provider " +
    "process runs the `node` it finds there."
  );
}
