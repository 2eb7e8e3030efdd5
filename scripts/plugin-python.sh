#!/usr/bin/env bash
# Makes (once) the virtual environment the plugin's Python programs run in: Pulumi's Python SDK
# (with its Automation API) pinned in scripts/plugin-python-requirements.txt, and the generated SDK
# plugin-sdk/python installed into it. Prints its interpreter's path.
#
#   python="$(scripts/plugin-python.sh)"
#
# It lives in ${PULUMI_CAS_CACHE:-~/.cache/pulumi-alicloud-cas}/plugin-python-<hash>-py<version>,
# the hash taken over the pins and every file of plugin-sdk/python: a changed pin or a regenerated
# SDK makes a new one (pip's own cache keeps that quick); an environment whose install did not
# finish is made again. The interpreter is ${PULUMI_CAS_PYTHON:-python3} (3.9 or later, with venv
# and pip); the packages come from PyPI (or what pip is configured with).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PULUMI_CAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-alicloud-cas}"
python="${PULUMI_CAS_PYTHON:-python3}"
requirements="$here/scripts/plugin-python-requirements.txt"
sdk="$here/plugin-sdk/python"

log() { printf '[plugin-python] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ -f "$sdk/pyproject.toml" ] || die "no generated Python SDK at $sdk: run npm run sdk:generate"
command -v "$python" >/dev/null 2>&1 || die "no $python on PATH: install Python 3.9 or later (with venv and pip), or set PULUMI_CAS_PYTHON to one"
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || die "$python does not run"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "$python is Python $version; Pulumi's SDK needs 3.9 or later (set PULUMI_CAS_PYTHON)"
"$python" -c 'import venv, ensurepip' 2>/dev/null || die "$python has no venv/ensurepip module: install it (Debian: apt-get install python3-venv)"

hash="$( (cat "$requirements"; cd "$sdk" && find . -type f ! -path '*/__pycache__/*' ! -path './build/*' ! -path './*.egg-info/*' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-12)"
dir="$cache/plugin-python-$hash-py$version"
mkdir -p "$cache"

# One maker at a time (test runs of several clones share the cache); the others wait, then reuse it.
exec 9>"$cache/plugin-python.lock"
flock 9

if [ -f "$dir/.complete" ] && "$dir/bin/python" -c 'import pulumi_alicloudcas, pulumi.automation' 2>/dev/null; then
  log "using $dir"
  printf '%s\n' "$dir/bin/python"
  exit 0
fi

log "making $dir (first run for these pins and this SDK)"
start=$(date +%s)
rm -rf "$dir"
"$python" -m venv "$dir" >&2 || die "python -m venv $dir failed (see above)"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$dir/bin/python" -m pip install --no-input --quiet -r "$requirements" >&2 ||
  die "pip install -r $requirements failed (see above); is PyPI (or your pip index) reachable?"
# The SDK is built from a copy (setuptools writes build/ and *.egg-info beside the sources), with the
# pinned setuptools (no build isolation, so nothing unpinned is fetched) and no dependency of its own
# beyond the pins.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R "$sdk" "$work/sdk"
"$dir/bin/python" -m pip install --no-input --quiet --no-deps --no-build-isolation "$work/sdk" >&2 ||
  die "installing the generated SDK $sdk failed (see above)"
"$dir/bin/python" -m pip check >&2 || die "the pinned packages and the SDK do not fit together (pip check above)"
# Every installed package is one of the pins or the SDK: a dependency the list misses would come unpinned.
"$dir/bin/python" - "$requirements" >&2 <<'PY' || die "installed packages differ from the pins (above): add them to $requirements"
import re, sys
from importlib import metadata
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
pins = {}
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        pins[norm(name)] = version
own = {"pip", "pulumi-alicloudcas"}
installed = {norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
extra = sorted(f"{n}=={v}" for n, v in installed.items() if n not in pins and n not in own)
wrong = sorted(f"{n}=={v} (pinned {pins[n]})" for n, v in installed.items() if n in pins and pins[n] != v)
missing = sorted(n for n in pins if n not in installed)
for kind, names in (("unpinned", extra), ("not the pinned version", wrong), ("not installed", missing)):
    if names:
        print(f"{kind}: {', '.join(names)}")
sys.exit(1 if extra or wrong or missing else 0)
PY
"$dir/bin/python" -c 'import pulumi_alicloudcas, pulumi.automation' || die "the SDK or Pulumi's Automation API does not import"
touch "$dir/.complete"
log "made in $(( $(date +%s) - start ))s"
printf '%s\n' "$dir/bin/python"
