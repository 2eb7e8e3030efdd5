import { CasError } from "./errors";
import { isLoopbackHost } from "./endpoints";
import type { ProxySettings } from "./transport";

/** The stack config key of the proxy setting. */
export const PROXY_KEY = "alicloud-cas:proxy";

/** A proxy URL without its credentials, for messages. */
export function withoutCredentials(uri: string): string {
  let u: URL | undefined;
  try {
    u = new URL(uri);
  } catch {
    u = undefined;
  }
  // An `@` past the authority (`http://user:pa#ss@host`: the password's `#`, `/` or `?` ended the
  // authority early) means part of the credentials parsed as a path, query or fragment.
  if (u && u.host !== "" && !`${u.pathname}${u.search}${u.hash}`.includes("@")) {
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  }
  // No authority (`user:password@host:port` parses with `user:` as its scheme and the rest as a
  // path), or credentials spilling past it: whatever precedes the last `@` may be credentials, so
  // only the host part is shown.
  const at = uri.lastIndexOf("@");
  if (at >= 0) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)?.[0] ?? "";
    return `${scheme}…@${uri.slice(at + 1)}`;
  }
  return u ? uri : "(a proxy URL that does not parse)";
}

/**
 * The proxy settings from the explicit setting (`alicloud-cas:proxy` or the option; `direct` for
 * none) or the environment's `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (either case; not for a loopback
 * endpoint), and how requests
 * leave, for messages. A setting that is not an http(s) URL is refused, naming it.
 */
export function resolveProxy(
  [explicit, source]: [string | undefined, string],
  env: Readonly<Record<string, string | undefined>>,
  endpointHost: string,
): { settings: ProxySettings; route: string } {
  const pick = (...names: string[]) => {
    for (const n of names) if (env[n] !== undefined && env[n] !== "") return [n, env[n]] as const;
    return undefined;
  };
  const noProxy = pick("no_proxy", "NO_PROXY");
  const unless = noProxy ? `, except hosts ${noProxy[0]} lists` : "";
  const check = (uri: string, from: string) => {
    let u: URL | undefined;
    try {
      u = new URL(uri);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:"))
      throw new CasError(
        "InvalidConfig",
        `${from}: ${JSON.stringify(withoutCredentials(uri))} is not a proxy URL; set it to http://host:port (or https://; ` +
          `credentials as http://user:password@host:port)${from.includes(PROXY_KEY) ? ", or direct for no proxy" : ""}`,
      );
    // A proxy is an origin: a path, query or fragment is a password whose `/`, `?` or `#` ended the
    // authority early (or a mistake); undici would refuse it only when the first request is built.
    if ((u.pathname !== "" && u.pathname !== "/") || u.search !== "" || u.hash !== "")
      throw new CasError(
        "InvalidConfig",
        `${from}: ${JSON.stringify(withoutCredentials(uri))} is not a proxy URL: a proxy is http://host:port, with no path, query or fragment. ` +
          "A password with /, ?, # or @ must be percent-encoded (%2F, %3F, %23, %40).",
      );
  };
  if (explicit !== undefined && explicit.trim() !== "") {
    if (explicit.trim() === "direct") return { settings: {}, route: "" };
    check(explicit.trim(), source);
    return {
      settings: { proxy: explicit.trim(), noProxy: noProxy?.[1] },
      route: ` through the proxy ${withoutCredentials(explicit.trim())} (from ${source}${unless})`,
    };
  }
  // An endpoint on this machine (the emulator) is never reached through the environment's proxy,
  // whose loopback is another machine's; the explicit setting above still applies to it.
  if (isLoopbackHost(endpointHost)) return { settings: {}, route: "" };
  const https = pick("https_proxy", "HTTPS_PROXY");
  const http = pick("http_proxy", "HTTP_PROXY");
  if (!https && !http) return { settings: {}, route: "" };
  for (const p of [https, http]) if (p) check(p[1], `environment ${p[0]}`);
  const shown = [https, http]
    .filter((p) => p !== undefined)
    .map((p) => `${p[0]}=${withoutCredentials(p[1])}`)
    .join(", ");
  return {
    settings: { httpsProxy: https?.[1], httpProxy: http?.[1], noProxy: noProxy?.[1] },
    route: ` through the environment's proxy (${shown}${unless})`,
  };
}
