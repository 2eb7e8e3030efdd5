// What the two typed models (plan orders in model.ts, certificate instances in instances.ts) are
// built on: the state they alone write, the CA, the life-cycle settings, the seeded generator, the
// clock and the save. One constructor, and the few constants both use.
import type { EmulatorCa } from "./ca";
import type { SeededRandom } from "./rng";
import type { EmulatorState } from "./state";
import type { LifecycleOptions } from "./timing";

/** A day in milliseconds. */
export const DAY = 86400_000;

/** Where a FILE validation's content is served, under the validated name. */
export const FILE_VALIDATION_PATH = "/.well-known/pki-validation/fileauth.txt";

/** `map[key]` when it is the map's own property (state maps are plain objects keyed by ids). */
export const own = <T>(map: Record<string, T>, key: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;

/** What one emulator's models share. */
export interface ModelContext {
  state: EmulatorState;
  ca: EmulatorCa;
  /** One object, shared: the control API's changes reach both models. */
  lifecycle: LifecycleOptions;
  rng: SeededRandom;
  now: () => number;
  /** Writes the state to its store (a no-op in memory). */
  persist: () => void;
}

/** The fields every model holds, from one {@link ModelContext}. */
export abstract class ModelBase {
  readonly state: EmulatorState;
  readonly lifecycle: LifecycleOptions;
  protected readonly ca: EmulatorCa;
  protected readonly rng: SeededRandom;
  protected readonly now: () => number;
  protected readonly persist: () => void;

  constructor(context: ModelContext) {
    this.state = context.state;
    this.lifecycle = context.lifecycle;
    this.ca = context.ca;
    this.rng = context.rng;
    this.now = context.now;
    this.persist = context.persist;
  }
}
