import { AsyncLocalStorage } from "node:async_hooks";

// The account one provider operation acts for. An operation learns it once (the first time it asks
// which account its credentials belong to) and from then on every call it makes carries it
// (`CallOptions.account`): credentials that switch to another account while the operation runs (a
// profile rewritten, another key rotated in) are refused before anything is sent (`AccountChanged`),
// including in the steps that are far from the check (retries, look-ups, read-backs, waits).

interface Scope {
  accountId?: string;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Records the account the running operation acts for; the first one recorded stays. */
export function actingFor(accountId: string): void {
  const scope = scopes.getStore();
  if (scope && scope.accountId === undefined) scope.accountId = accountId;
}

/** The account the running operation acts for, once it has learnt it. */
export function actingAccount(): string | undefined {
  return scopes.getStore()?.accountId;
}

/** Wraps every method of a provider object so that each call runs as one operation with its own account. */
export function withAccountScope<P extends object>(provider: P): P {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(provider)) {
    wrapped[name] =
      typeof value === "function"
        ? (...args: unknown[]) =>
            scopes.run({}, () => (value as (...a: unknown[]) => unknown).apply(provider, args))
        : value;
  }
  return wrapped as P;
}
