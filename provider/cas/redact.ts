import { percentEncode } from "../../protocol/percent-encode";

/** Longest piece of server-supplied text (an error `Message`, a body excerpt) put into an error. */
export const MAX_ECHOED_CHARS = 500;

const REDACTED = "[REDACTED]";

// Names whose values are credentials, in every form a server echoes them: `k=v` in a query,
// `k%3Dv` inside a percent-encoded string to sign (RPC), `k%253Dv` when encoded twice, and
// `k:v` as a signed header line (ACS3).
const SECRET_PARAMS = /((?:SecurityToken|Signature|AccessKeySecret)(?:=|%3D|%253D))[^&\s"',]*/gi;
const SECRET_HEADERS = /((?:x-acs-security-token|authorization)\s*:)[^\n"]*/gi;

/**
 * Removes credentials from text that came from a server (an error body can echo the string to
 * sign, which carries the STS token) and bounds its length. `secrets` are the values in use; each
 * is also removed in its percent-encoded forms.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would blank unrelated text and are not real credentials.
    if (!secret || secret.length < 6) continue;
    const once = percentEncode(secret);
    for (const form of new Set([secret, once, percentEncode(once)])) out = out.split(form).join(REDACTED);
  }
  out = out.replace(SECRET_PARAMS, `$1${REDACTED}`).replace(SECRET_HEADERS, `$1 ${REDACTED}`);
  return bound(out);
}

/** Cuts `text` to {@link MAX_ECHOED_CHARS}, saying how much was left out. */
export function bound(text: string, max = MAX_ECHOED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
