// The values the enumerated inputs take, in one place: the input schema (inputs.ts) checks them
// and the SDK's argument types (sdk/certificate-order.ts) are derived from them. This module
// imports nothing: the SDK is loaded into the user's program.

/** `validateType`: how CAS checks domain ownership (the API has no EMAIL validation). */
export const VALIDATE_TYPES = ["DNS", "FILE"] as const;
/** `onDelete`: what destroy does with the order. */
export const ON_DELETE_VALUES = ["cancel", "revoke", "retain"] as const;
/** `quotaCheck`: what a preview does when the plan has too few orders left. */
export const QUOTA_CHECK_VALUES = ["warn", "fail", "off"] as const;

/** `a, b or c`, for a failure that lists the accepted values. */
export function oneOf(values: readonly string[]): string {
  return values.length > 1 ? `${values.slice(0, -1).join(", ")} or ${values.at(-1)!}` : (values[0] ?? "");
}

/**
 * Characters no name, tag or echoed server text may carry: controls (an ANSI escape, a bell, a line
 * break that would fake a second log line), format characters, and the Unicode line separators.
 */
export const CONTROL_CHARACTER = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
