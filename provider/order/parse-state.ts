import type { z } from "zod";
import { CasError } from "../cas/errors";

/**
 * Parses what the engine hands a provider method (inputs, or state written by this or an earlier
 * version) with `schema`, so the method works on typed values. The engine's own `__provider` key
 * is dropped. A value that does not fit names the resource, the property and the fix.
 */
export function parseProps<S extends z.ZodType>(
  schema: S,
  props: Record<string, unknown>,
  what: string,
): z.output<S> {
  const { __provider: _provider, ...rest } = props;
  const parsed = schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`)
    .join("; ");
  throw new CasError(
    "InvalidState",
    `${what} cannot be read (${problems}). If the stack's state was edited by hand, restore it (pulumi stack export/import); otherwise report this with the property named`,
  );
}
