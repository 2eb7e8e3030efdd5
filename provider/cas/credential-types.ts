// The credential types that credentials.ts, credential-sessions.ts and endpoints.ts share, apart
// from the resolution code, so that those modules do not import each other in a circle.

/** An access key, optionally with an STS token. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
  /** Where they came from, for messages (never the values). */
  source: string;
  /** The profile file they were read from, when they came from one (it is read again when it changes). */
  file?: string;
  /** When temporary credentials expire (milliseconds since the epoch), when known. */
  expiresAt?: number;
}

/**
 * Credentials taken per request: {@link current} before each one, {@link refresh} after an answer
 * that says the STS token expired. A profile file is read again when it changes (the Aliyun CLI or
 * a sidecar writes a fresh token there); role, OIDC, ECS-role and credentials-URI sessions are
 * renewed before they expire. A long wait outlives any number of token rotations.
 */
export interface CredentialProvider {
  /** The credentials to sign the next request with (obtained or renewed first when due). */
  current(): Promise<Credentials>;
  /**
   * Reads the sources again (a profile file even when its modification time did not change; a new
   * session from STS or the metadata service); `true` when they now give other credentials, so the
   * refused request is worth sending again.
   */
  refresh(): Promise<boolean>;
  /** Where credentials come from, known before any request (for messages; never a secret). */
  readonly source: string;
  /** Whether the credentials are temporary (an STS token; their key id changes with each session). */
  readonly temporary: boolean;
  /** Fixed credentials known without a request (none for sessions). */
  peek?(): Credentials | undefined;
}

/** A flat view of Pulumi stack config (`alicloud:accessKey` → value), as `configure` sees it. */
export type ConfigLookup = (key: string) => string | undefined;
