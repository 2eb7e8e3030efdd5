import type { CredentialProvider, Credentials } from "./credentials";
import { redact } from "./redact";

/** How many earlier secrets are kept for scrubbing: a process rotating tokens for days keeps the latest ones. */
const EARLIER_SECRETS = 16;

/**
 * The credentials a client signs with, taken per attempt from their provider, and the secrets
 * they and earlier ones hold, so server text is scrubbed of every secret this client has sent.
 */
export class ClientCredentials {
  /** The credentials of the latest attempt; none before the first for sessions. */
  private latest: Credentials | undefined;
  private readonly earlierSecrets: string[] = [];

  constructor(private readonly provider: CredentialProvider) {
    this.latest = provider.peek?.();
  }

  /** The credentials in use, if any were taken yet. */
  get current(): Credentials | undefined {
    return this.latest;
  }

  /** The access key id in use (not secret), where it came from, and whether it is temporary (STS). */
  get identity(): { accessKeyId: string; source: string; temporary: boolean } {
    const c = this.latest;
    if (!c)
      // A session not obtained yet: its keys are temporary, whatever they will be.
      return { accessKeyId: "", source: this.provider.source, temporary: true };
    return { accessKeyId: c.accessKeyId, source: c.source, temporary: Boolean(c.securityToken) };
  }

  /** Takes the provider's current credentials (a session is obtained or renewed here). */
  async take(): Promise<Credentials> {
    const next = await this.provider.current();
    this.use(next);
    return next;
  }

  /** After an expired-token answer: reads the sources again; whether they now give other credentials. */
  async refresh(): Promise<boolean> {
    try {
      if (!(await this.provider.refresh())) return false;
      await this.take();
    } catch {
      // The source cannot give new credentials now: the expired-token answer is reported as is.
      return false;
    }
    return true;
  }

  /** Server text with this client's credentials (current and earlier) removed and its length bounded. */
  scrub(text: string, max?: number): string {
    const c = this.latest;
    return redact(text, [c?.accessKeySecret, c?.securityToken, ...this.earlierSecrets], max);
  }

  private use(next: Credentials): void {
    const c = this.latest;
    if (next === c) return;
    for (const secret of [c?.accessKeySecret, c?.securityToken])
      if (secret && !this.earlierSecrets.includes(secret)) this.earlierSecrets.push(secret);
    this.earlierSecrets.splice(0, Math.max(0, this.earlierSecrets.length - EARLIER_SECRETS));
    this.latest = next;
  }
}
