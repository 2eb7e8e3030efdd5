// The emulator's request logs: what the control API and `EmulatorControl.requests()` show.
import type { StsLogEntry } from "./identity";

/** One line of the request log (never parameters or secrets). */
export interface RequestLogEntry {
  time: number;
  action: string;
  /** The key that signed (temporary keys from the emulator's STS included); `null` when unknown or anonymous. */
  accessKeyId: string | null;
  /** `OK`, an error code, or the fault applied (`reset`, `ambiguous`). */
  outcome: string;
  orderId?: string | undefined;
}

/** The request logs of one emulator, bounded so a long run does not grow without end. */
export class RequestLog {
  /** CAS actions and STS AssumeRole* requests, oldest first. */
  readonly entries: RequestLogEntry[] = [];
  /** GetCallerIdentity requests, apart from the CAS log (the provider asks it before its first call). */
  readonly stsEntries: StsLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > 100_000) this.entries.splice(0, this.entries.length - 100_000);
  }

  recordSts(entry: StsLogEntry): void {
    this.stsEntries.push(entry);
    if (this.stsEntries.length > 10_000) this.stsEntries.splice(0, this.stsEntries.length - 10_000);
  }

  clear(): void {
    this.entries.length = 0;
    this.stsEntries.length = 0;
  }
}
