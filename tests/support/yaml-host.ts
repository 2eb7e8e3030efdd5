import { execFile } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * The YAML language host built when none is found: pulumi-yaml v1.25.0 (built against
 * github.com/pulumi/pulumi v3.206, it speaks the language-host protocol of CLI v3.274.1).
 */
const YAML_HOST_VERSION = "v1.25.0";
const MODULE = "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml";
const NAME = "pulumi-language-yaml";

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where it is cached: beside the built Pulumi CLI (`PULUMI_CAS_CACHE`, else `~/.cache/pulumi-alicloud-cas`). */
function cacheBin(env: NodeJS.ProcessEnv): string {
  const cache =
    env.PULUMI_CAS_CACHE ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "pulumi-alicloud-cas");
  return join(cache, `${NAME}-${YAML_HOST_VERSION}`, "bin");
}

/**
 * The folder of a `pulumi-language-yaml`: on PATH, else in the cache, else built there from the Go
 * module proxy (`go install`, Go ≥ 1.24; about 10 minutes on 2 busy cores, seconds later). Fails
 * naming what to install when there is no Go.
 */
export async function findOrBuildYamlHost(
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const onPath = (env.PATH ?? "").split(delimiter).find((d) => d && executable(join(d, NAME)));
  if (onPath) return onPath;
  const bin = cacheBin(env);
  if (executable(join(bin, NAME))) return bin;
  const staging = join(bin, "..", "..");
  mkdirSync(staging, { recursive: true });
  const tmp = mkdtempSync(join(staging, `.${NAME}-build-`));
  const started = Date.now();
  log(`building ${MODULE}@${YAML_HOST_VERSION} into ${bin} (go install)`);
  try {
    // PULUMI_CAS_GO names another Go toolchain.
    const go = env.PULUMI_CAS_GO || "go";
    await new Promise<void>((ok, fail) =>
      execFile(
        go,
        ["install", `${MODULE}@${YAML_HOST_VERSION}`],
        { env: { ...env, GOBIN: join(tmp, "bin"), GOFLAGS: "-mod=mod" }, maxBuffer: 64 * 1024 * 1024 },
        (e, _out, err) =>
          e
            ? fail(
                new Error(
                  `building the YAML language host failed (\`go install ${MODULE}@${YAML_HOST_VERSION}\`; it needs Go ≥ 1.24 and the Go module proxy, or put ${NAME} on PATH): ${e.message}\n${err.slice(-2000)}`,
                ),
              )
            : ok(),
      ),
    );
    mkdirSync(join(bin, ".."), { recursive: true });
    try {
      renameSync(join(tmp, "bin"), bin);
    } catch (e) {
      // Another run built it meanwhile: theirs is the same build.
      if (!executable(join(bin, NAME))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`built ${NAME} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}
