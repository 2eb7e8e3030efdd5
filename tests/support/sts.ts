import { startEmulator, type RunningEmulator } from "../../emulator/server";

/**
 * STS for a test whose CAS is a scripted server: an emulator holding these credentials, whose
 * `GetCallerIdentity` tells the provider which account they belong to (point
 * `ALIBABA_CLOUD_ENDPOINT_STS` at its endpoint). Its CAS side is not used.
 */
export function stsFor(credentials: Record<string, string>): Promise<RunningEmulator> {
  return startEmulator({
    accessKeyId: credentials["alicloud:accessKey"],
    accessKeySecret: credentials["alicloud:secretKey"],
  });
}
