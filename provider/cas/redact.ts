import { percentEncode } from "../../protocol/percent-encode";

/** Longest piece of server-supplied text (an error `Message`, a body excerpt) put into an error. */
export const MAX_ECHOED_CHARS = 500;

const REDACTED = "[REDACTED]";

// Names whose values are credentials, in every form a server echoes them: `k=v` in a query,
// `k%3Dv` inside a percent-encoded string to sign (RPC), `k%253Dv` when encoded twice, and
// `k:v` as a signed header line (ACS3), `"k":"v"` when a header map is echoed as JSON.
const SECRET_PARAMS = /((?:SecurityToken|Signature|AccessKeySecret)(?:=|%3D|%253D))[^&\s"',]*/gi;
const SECRET_HEADERS = /((?:x-acs-security-token|authorization)(?:\s*:|\\?"\s*:\s*\\?"))[^\n"\\]*/gi;

// A PEM private key (PKCS#1 `RSA`, SEC1 `EC`, PKCS#8, encrypted PKCS#8, OpenSSH): the whole block,
// and to the end of the text when an excerpt cut it before its END line. The body between the
// lines is the secret (an EC key's scalar sits in its first line), whatever escapes the JSON used.
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * Removes credentials and private keys from text that came from a server (an error body can echo
 * the string to sign, which carries the STS token; a certificate answer carries a key) and bounds
 * its length. `secrets` are the values in use; each is also removed in the forms a server or a
 * proxy echoes it: percent-encoded (once, twice, either hex case), JSON-escaped (`\/`) and base64
 * (standard and URL-safe, at any alignment inside a longer base64 text).
 */
export function redact(
  text: string,
  secrets: ReadonlyArray<string | undefined>,
  max = MAX_ECHOED_CHARS,
): string {
  let out = text.replace(PEM_PRIVATE_KEY, "[PRIVATE KEY REDACTED]");
  for (const secret of secrets) {
    // Very short values would blank unrelated text and are not real credentials.
    if (!secret || secret.length < 6) continue;
    for (const form of secretForms(secret)) out = out.replace(formPattern(form), REDACTED);
    out = withoutFragments(out, secret);
  }
  out = out
    .replace(SECRET_PARAMS, `$1${REDACTED}`)
    .replace(SECRET_HEADERS, (_m, name: string) =>
      name.endsWith('"') ? `${name}${REDACTED}` : `${name} ${REDACTED}`,
    );
  return bound(out, max);
}

/** Shortest run of a secret's characters that is removed wherever it appears on its own. */
const FRAGMENT_LENGTH = 16;

/**
 * Removes every run of at least {@link FRAGMENT_LENGTH} characters of `secret`, or of its hex
 * form, found in `text`: a server that echoes a cut or re-cased piece of the token (a prefix, its
 * bytes in hex) leaks part of it, and a run this long of a random token is not ordinary text.
 */
function withoutFragments(text: string, secret: string): string {
  if (secret.length < FRAGMENT_LENGTH) return text;
  const pieces = new Set<string>();
  const hex = Buffer.from(secret, "utf8").toString("hex");
  for (const source of [secret, hex, hex.toUpperCase()])
    for (let i = 0; i + FRAGMENT_LENGTH <= source.length; i++)
      pieces.add(source.slice(i, i + FRAGMENT_LENGTH));
  const covered = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + FRAGMENT_LENGTH <= text.length; i++)
    if (pieces.has(text.slice(i, i + FRAGMENT_LENGTH))) {
      covered.fill(1, i, i + FRAGMENT_LENGTH);
      any = true;
    }
  if (!any) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += REDACTED;
  }
  return out;
}

/** Every encoding of `secret` that {@link redact} removes, longest first. */
function secretForms(secret: string): string[] {
  const once = percentEncode(secret);
  const forms = new Set([secret, once, percentEncode(once), encodeURIComponent(secret)]);
  for (const form of [...forms]) forms.add(form.replace(/\//g, "\\/"));
  for (const b64 of base64Cores(secret)) {
    forms.add(b64);
    forms.add(b64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...forms].filter((f) => f.length >= 6).sort((a, b) => b.length - a.length);
}

/**
 * The base64 characters that depend only on `secret`'s bytes, for each of the three alignments
 * it can have inside a longer base64 text (the characters at both ends also carry bits of the
 * neighbouring bytes, so they are left out).
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const start = offset === 0 ? 0 : offset + 1;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const core = encoded.slice(start, end);
    if (core.length >= 8) cores.push(core);
  }
  return cores;
}

/**
 * Matches `form` in any letter case when it is long enough to be unmistakable (a proxy that
 * lowercases a URL still echoes the token), else exactly except for the hex case of its percent
 * escapes: a short secret that is also a word (a test token `expired`) must not blank an error
 * code such as `InvalidSecurityToken.Expired`.
 */
function formPattern(form: string): RegExp {
  const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (form.length >= CASE_BLIND_LENGTH) return new RegExp(escaped, "gi");
  return new RegExp(
    escaped.replace(
      /%([0-9A-F])([0-9A-F])/g,
      (_m, a: string, b: string) => `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`,
    ),
    "g",
  );
}

/** Length from which a secret's forms are matched in any letter case. */
const CASE_BLIND_LENGTH = 16;

/** Cuts `text` to {@link MAX_ECHOED_CHARS}, saying how much was left out. */
export function bound(text: string, max = MAX_ECHOED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
