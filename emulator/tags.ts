import { invalid } from "./errors";

/** One tag as sent in `Tags.N.Key` / `Tags.N.Value`. */
export interface Tag {
  Key: string;
  Value: string;
}

/** Per-action tag limits, as each action's `Tags` remarks state them. */
interface TagRules {
  maxTags: number;
  keyMax: number;
  /** `CreateCertificateRequest`: "The key must start with a letter" and letters, digits, `.`, `_`, `-` only. */
  keyLetterFirst: boolean;
  valueMax: number;
  /** `RenewCertificateOrderForPackageRequest` applies the prefix and URL rules to values too. */
  valueRules: boolean;
}

const RULES: Record<string, TagRules | undefined> = {
  // "up to 20 tag keys … up to 64 characters … letters, digits, periods, underscores, hyphens … must
  // start with a letter but cannot start with aliyun or acs: … cannot contain http:// or https://";
  // value "up to 128 characters", "can be an empty string".
  CreateCertificateRequest: {
    maxTags: 20,
    keyMax: 64,
    keyLetterFirst: true,
    valueMax: 128,
    valueRules: false,
  },
  // "Valid values of N: 1 to 20 … up to 128 characters … cannot start with acs: or aliyun … cannot
  // contain http:// or https://"; nothing said about values (the 128 limit is assumed).
  CreateCertificateWithCsrRequest: {
    maxTags: 20,
    keyMax: 128,
    keyLetterFirst: false,
    valueMax: 128,
    valueRules: false,
  },
  // "at most 20 tag keys … up to 128 characters … cannot start with aliyun or acs: … http(s)://",
  // and the same for values, which may be empty.
  RenewCertificateOrderForPackageRequest: {
    maxTags: 20,
    keyMax: 128,
    keyLetterFirst: false,
    valueMax: 128,
    valueRules: true,
  },
  // CreateCertificateForPackageRequest documents no limits ("The tag key." / "The tag value."): UNCONFIRMED, nothing is checked.
};

/** Reads `Tags.N.Key`/`Tags.N.Value` (N from 1, contiguous) and applies the action's documented limits. */
export function readTags(action: string, p: Readonly<Record<string, string>>): Tag[] {
  const tags: Tag[] = [];
  for (let i = 1; p[`Tags.${i}.Key`] !== undefined || p[`Tags.${i}.Value`] !== undefined; i++)
    tags.push({ Key: p[`Tags.${i}.Key`] ?? "", Value: p[`Tags.${i}.Value`] ?? "" });
  const rules = RULES[action];
  if (!rules) return tags;
  if (tags.length > rules.maxTags) throw invalid("Tags", `at most ${rules.maxTags} tags, got ${tags.length}`);
  const reserved = (s: string) => /^(aliyun|acs:)/i.test(s) || /https?:\/\//i.test(s);
  tags.forEach(({ Key, Value }, n) => {
    const k = `Tags.${n + 1}.Key`;
    const v = `Tags.${n + 1}.Value`;
    if (!Key) throw invalid(k, "a tag key cannot be empty");
    if (Key.length > rules.keyMax) throw invalid(k, `at most ${rules.keyMax} characters`);
    if (reserved(Key)) throw invalid(k, "cannot start with aliyun or acs: or contain http:// or https://");
    if (rules.keyLetterFirst && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(Key))
      throw invalid(k, "starts with a letter; letters, digits, periods, underscores and hyphens only");
    if (Value.length > rules.valueMax) throw invalid(v, `at most ${rules.valueMax} characters`);
    if (rules.valueRules && Value && reserved(Value))
      throw invalid(v, "cannot start with aliyun or acs: or contain http:// or https://");
  });
  return tags;
}
