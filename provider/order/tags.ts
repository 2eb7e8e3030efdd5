import type { chooseAction, Failure } from "./inputs";

type Action = ReturnType<typeof chooseAction>;

/** Tag limits of one create action, as its SDK `Tags` remarks state them (`null`: not documented). */
interface TagLimits {
  maxTags: number | null;
  maxKey: number | null;
  /** The key must start with a letter. */
  keyStartsWithLetter: boolean;
  maxValue: number | null;
}

/**
 * Per action, from `node_modules/@alicloud/cas20200407/src/client.ts`:
 * - `CreateCertificateRequestRequestTags`: up to 20; key ≤ 64, starts with a letter, not `aliyun`
 *   or `acs:`, no `http://`/`https://`; value ≤ 128, may be empty.
 * - `CreateCertificateWithCsrRequestRequestTags`: N from 1 to 20; key not empty, ≤ 128, not
 *   `acs:`/`aliyun`, no `http://`/`https://`; value: no limit stated.
 * - `CreateCertificateForPackageRequestRequestTags`: "The tag key." / "The tag value." only.
 */
export const TAG_LIMITS: Record<Action, TagLimits> = {
  CreateCertificateRequest: { maxTags: 20, maxKey: 64, keyStartsWithLetter: true, maxValue: 128 },
  CreateCertificateWithCsrRequest: { maxTags: 20, maxKey: 128, keyStartsWithLetter: false, maxValue: null },
  CreateCertificateForPackageRequest: {
    maxTags: null,
    maxKey: null,
    keyStartsWithLetter: false,
    maxValue: null,
  },
};

/**
 * Checks `tags` against the limits of the action the order will use. The reserved prefixes and
 * URL ban are stated for two actions and are applied to all: no action documents the opposite,
 * and a key CAS refuses would fail the order only at `up`. An empty key is refused everywhere.
 */
export function checkTags(tags: Record<string, string>, action: Action): Failure[] {
  const limits = TAG_LIMITS[action];
  const failures: Failure[] = [];
  const fail = (reason: string) => failures.push({ property: "tags", reason });
  const entries = Object.entries(tags);
  if (limits.maxTags !== null && entries.length > limits.maxTags)
    fail(`${action} takes at most ${limits.maxTags} tags; this order has ${entries.length}`);
  for (const [key, value] of entries) {
    if (key.length === 0) fail("a tag key must not be empty");
    else if (limits.maxKey !== null && key.length > limits.maxKey)
      fail(
        `tag key "${key.slice(0, 20)}…" is ${key.length} characters; ${action} allows at most ${limits.maxKey}`,
      );
    if (limits.keyStartsWithLetter && key.length > 0 && !/^[A-Za-z]/.test(key))
      fail(`tag key "${key}" must start with a letter (${action})`);
    if (/^(aliyun|acs:)/i.test(key))
      fail(`tag key "${key}" must not start with "aliyun" or "acs:" (reserved)`);
    if (/https?:\/\//i.test(key)) fail(`tag key "${key}" must not contain http:// or https://`);
    if (limits.maxValue !== null && value.length > limits.maxValue)
      fail(
        `the value of tag "${key}" is ${value.length} characters; ${action} allows at most ${limits.maxValue}`,
      );
  }
  return failures;
}
