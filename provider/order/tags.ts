import * as z from "zod";
import type { CreateAction as Action, Failure } from "./check-failure";
import { OBJECT_KEYS, objectInternalKeys, objectKeyReason } from "./object-keys";
import { CONTROL_CHARACTER } from "./input-values";

/** Tag limits of one create action, as its SDK `Tags` remarks state them (`null`: not documented). */
interface TagLimits {
  maxTags: number | null;
  maxKey: number | null;
  /** The key starts with a letter and holds letters, digits, `.`, `_`, `-` only. */
  keyLetterFirst: boolean;
  maxValue: number | null;
}

/**
 * Per action, from `node_modules/@alicloud/cas20200407/src/client.ts`:
 * - `CreateCertificateRequestRequestTags`: up to 20; key ≤ 64, "letters, digits, periods (.),
 *   underscores (_), and hyphens (-)", starts with a letter, not `aliyun` or `acs:`, no
 *   `http://`/`https://`; value ≤ 128, may be empty.
 * - `CreateCertificateWithCsrRequestRequestTags`: N from 1 to 20; key not empty, ≤ 128, not
 *   `acs:`/`aliyun`, no `http://`/`https://`; value: no limit stated. The 128 of the other
 *   actions is applied (a named guess in docs/guesses.md, the emulator's guess too): a longer value
 *   would pass here and fail at `up` if CAS shares its siblings' limit.
 * - `CreateCertificateForPackageRequestRequestTags`: "The tag key." / "The tag value." only. The
 *   laxest limits of its siblings (20 tags, key and value ≤ 128) are applied, a named guess in the
 *   README: with no bound, 2,000 tags or a 20 KB value passed check and failed at `up` with an
 *   HTTP 431 (the query string was too long) that named no property.
 */
const TAG_LIMITS: Record<Action, TagLimits> = {
  CreateCertificateRequest: { maxTags: 20, maxKey: 64, keyLetterFirst: true, maxValue: 128 },
  CreateCertificateWithCsrRequest: { maxTags: 20, maxKey: 128, keyLetterFirst: false, maxValue: 128 },
  CreateCertificateForPackageRequest: { maxTags: 20, maxKey: 128, keyLetterFirst: false, maxValue: 128 },
};

/** Control, format (bidi overrides, zero-width) and line/paragraph separators: never in a tag. */
const CONTROL_MESSAGE = "must not contain control characters (CR/LF, tabs, bidi or zero-width marks)";
/** A key quoted for a message, control characters written as `\uXXXX` so none reaches a terminal. */
const quote = (s: string) =>
  `"${s.replace(new RegExp(CONTROL_CHARACTER, "gu"), (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`)}"`;

/**
 * The `tags` input: a string-to-string record whose keys are not JavaScript object internals.
 * Looked at before parsing, since parsing into a fresh object drops a `__proto__` key. (Pulumi's
 * wire format drops a `__proto__` key too, so the SDK refuses it in the program as well.)
 */
export const tagsSchema = z.preprocess(
  (raw, ctx) => {
    const bad = objectInternalKeys(raw);
    if (bad.length === 0) return raw;
    for (const k of bad) ctx.addIssue({ code: "custom", message: objectKeyReason(k) });
    return Object.fromEntries(Object.entries(raw as object).filter(([k]) => !OBJECT_KEYS.includes(k)));
  },
  z.record(z.string(), z.string()),
);

/**
 * Checks `tags` against the limits of the action the order will use. The reserved prefixes and
 * URL ban are stated for two actions and are applied to all: no action documents the opposite,
 * and a key CAS refuses would fail the order only at `up`. An empty key and control characters
 * are refused everywhere.
 */
export function checkTags(tags: Record<string, string>, action: Action): Failure[] {
  const limits = TAG_LIMITS[action];
  const failures: Failure[] = [];
  const fail = (reason: string) => failures.push({ property: "tags", reason });
  const entries = Object.entries(tags);
  if (limits.maxTags !== null && entries.length > limits.maxTags)
    fail(`${action} takes at most ${limits.maxTags} tags; this order has ${entries.length}`);
  for (const [key, value] of entries) {
    const k = quote(key.length > 40 ? `${key.slice(0, 20)}…` : key);
    if (key.length === 0) fail("a tag key must not be empty");
    else if (limits.maxKey !== null && key.length > limits.maxKey)
      fail(`tag key ${k} is ${key.length} characters; ${action} allows at most ${limits.maxKey}`);
    if (CONTROL_CHARACTER.test(key)) fail(`tag key ${k} ${CONTROL_MESSAGE}`);
    else if (limits.keyLetterFirst && key.length > 0 && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(key))
      fail(
        `tag key ${k} must start with a letter and hold only letters, digits, periods, underscores and hyphens (${action})`,
      );
    if (/^(aliyun|acs:)/i.test(key)) fail(`tag key ${k} must not start with "aliyun" or "acs:" (reserved)`);
    if (/https?:\/\//i.test(key)) fail(`tag key ${k} must not contain http:// or https://`);
    if (CONTROL_CHARACTER.test(value)) fail(`the value of tag ${k} ${CONTROL_MESSAGE}`);
    if (limits.maxValue !== null && value.length > limits.maxValue)
      fail(
        `the value of tag ${k} is ${value.length} characters; ${action} allows at most ${limits.maxValue}`,
      );
  }
  return failures;
}
