import { CasError } from "./cas/errors";

/**
 * How an error's code shows in the engine's output: in brackets before the message
 * (`error: [OrderInAnotherAccount] order 12000001 was placed …`), the word to look up in
 * docs/troubleshooting.md, which is organised by code.
 */
function codeTag(code: string): string {
  return `[${code}]`;
}

/**
 * Puts its code in front of the message of an error leaving the provider (CAS's code, such as
 * `InvalidSecurityToken.Expired`, or this package's own, such as `ReconcileFailed`). The error is
 * changed in place, so what the engine reads from it (a partial failure's `id` and `properties`)
 * stays as it was; an error that already shows its code (thrown again through a second wrapper) is
 * left alone. Errors without a {@link CasError} code pass unchanged.
 */
export function tagWithCode(e: unknown): unknown {
  if (!(e instanceof CasError)) return e;
  const tag = `${codeTag(e.code)} `;
  if (e.message.startsWith(tag)) return e;
  // Read first: V8 writes the stack's first line (the message) when it is first read.
  const stack = e.stack;
  e.message = `${tag}${e.message}`;
  // Hosts that print the stack print the message in its first line too.
  if (typeof stack === "string") e.stack = stack.replace(/^([^:\n]*: )?/, (head) => `${head}${tag}`);
  return e;
}

/**
 * Wraps every method of a provider object so that an error it throws to the engine carries its code
 * in the message (see {@link tagWithCode}). The one place errors leave the provider for the engine:
 * the objects the serialized stubs call (hosted.ts).
 */
export function withCodedErrors<P extends object>(provider: P): P {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(provider)) {
    wrapped[name] =
      typeof value === "function"
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => unknown).apply(provider, args);
            } catch (e) {
              throw tagWithCode(e);
            }
          }
        : value;
  }
  return wrapped as P;
}
