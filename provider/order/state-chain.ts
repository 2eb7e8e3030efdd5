import type { z } from "zod";
import { CasError } from "../cas/errors";
import { parseProps } from "./parse-state";

type Props = Record<string, unknown>;

/** What an upgrader may need beyond the stored properties: the resource's id, when the method has one. */
interface UpgradeContext {
  id?: string;
}

/** One step of a chain: brings state of version `to - 1` to version `to`. */
export interface Upgrader {
  readonly to: number;
  /** What changed at this version, in a few words (shown in errors and the changelog). */
  readonly change: string;
  up(props: Props, context: UpgradeContext): Props;
}

/**
 * One resource's stored state: the current schema, its version, and the ordered upgraders that bring
 * state written by any earlier release to it. State without `schemaVersion` is version 1.
 */
export interface StoredState<S extends z.ZodType> {
  /** What the state is, for messages ("CertificateOrder state"). */
  readonly what: string;
  /** The version this release writes: one more than the number of upgraders. */
  readonly version: number;
  /** The current stored state, as it is written. */
  readonly schema: S;
  readonly upgraders: readonly Upgrader[];
  /**
   * Stored state of any version, upgraded and parsed: what every provider method that receives old
   * state works on. State written by a newer release is refused (its fields may mean something this
   * release does not know).
   */
  read(props: Props, context?: UpgradeContext): z.output<S>;
}

/** The version `props` was written with (1 when unversioned); any other value is refused, never guessed. */
function versionOf(props: Props, what = "state"): number {
  const v = props.schemaVersion;
  if (v === undefined) return 1;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  throw new CasError(
    "InvalidState",
    `${what} cannot be read (schemaVersion: ${JSON.stringify(v)} is not a version). If the stack's state was edited by hand, restore it (pulumi stack export/import)`,
  );
}

/** Defines a stored state; the upgraders must be in order, one per version from 2 up. */
export function storedState<S extends z.ZodType>(
  what: string,
  schema: S,
  upgraders: readonly Upgrader[],
): StoredState<S> {
  upgraders.forEach((u, i) => {
    if (u.to !== i + 2) throw new Error(`${what}: upgrader ${i} goes to version ${u.to}, expected ${i + 2}`);
  });
  const version = upgraders.length + 1;
  return {
    what,
    version,
    schema,
    upgraders,
    read(props, context = {}) {
      const from = versionOf(props, what);
      if (from > version)
        throw new CasError(
          "StateFromNewerRelease",
          `${what} was written by a newer release of pulumi-alicloud-cas (state version ${from}; this release reads up to ${version}). Install the release the stack was last deployed with, or a later one`,
        );
      let upgraded = props;
      for (const u of upgraders.slice(from - 1))
        upgraded = { ...u.up(upgraded, context), schemaVersion: u.to };
      return parseProps(schema, upgraded, what);
    },
  };
}
