#!/usr/bin/env bash
# Puts a working Pulumi engine on PATH and prints the directory that holds it.
#
#   eval "$(scripts/pulumi-cli.sh --env)"   # or: dir=$(scripts/pulumi-cli.sh)
#
# 1. `pulumi` already on PATH (a user's machine): use it.
# 2. Otherwise build the CLI from the Go module proxy into a cache outside the repo
#    (${PULUMI_CAS_CACHE:-~/.cache/pulumi-alicloud-cas}); later runs reuse it.
# The nodejs language host is not served by the module proxy (no tagged or pseudo version is
# available), so programs run through the Automation API as inline programs, which need only the
# CLI and the `pulumi-resource-pulumi-nodejs` launcher shipped inside @pulumi/pulumi.
set -euo pipefail

PULUMI_VERSION="${PULUMI_CAS_CLI_VERSION:-v3.274.1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PULUMI_CAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-alicloud-cas}"
mode="${1:-}"

log() { printf '[pulumi-cli] %s\n' "$*" >&2; }

launcher="$here/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

emit() {
  local bin="$1"
  if [ "$mode" = "--env" ]; then
    printf 'export PATH=%q:"$PATH"\n' "$bin"
  else
    printf '%s\n' "$bin"
  fi
}

if [ -z "${PULUMI_CAS_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  bin="$(dirname "$(command -v pulumi)")"
  log "using installed $(pulumi version 2>/dev/null || echo pulumi) from $bin"
  emit "$bin"
  exit 0
fi

bin="$cache/pulumi-$PULUMI_VERSION/bin"
if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
  log "using cached pulumi $PULUMI_VERSION from $bin"
  emit "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "no pulumi on PATH and no Go toolchain to build one: install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go >= 1.25"; exit 1; }
[ -f "$launcher" ] || { log "missing $launcher: run 'npm ci' first"; exit 1; }

log "building pulumi $PULUMI_VERSION from the Go module proxy (first run only; several minutes on 2 cores)"
start=$(date +%s)
work="$cache/build-$PULUMI_VERSION"
mkdir -p "$work" "$bin"
cd "$work"
[ -f go.mod ] || go mod init local/pulumi-cli >/dev/null 2>&1
cat > tools.go <<GO
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2
go mod tidy >&2
go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv "$bin/pulumi.tmp" "$bin/pulumi"
cp "$launcher" "$bin/pulumi-resource-pulumi-nodejs"
chmod +x "$bin/pulumi-resource-pulumi-nodejs"
log "built $("$bin/pulumi" version) in $(( $(date +%s) - start ))s"
emit "$bin"
