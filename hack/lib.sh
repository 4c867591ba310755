# Shared by the hack/ scripts: versions, cache locations, progress output.
# Sourced, not run.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
PULSAR_VERSION="${PULSAR_VERSION:-4.0.7}" # newest 4.0.x whose whole dependency tree Maven Central serves here (4.0.8 lacks jetcd-core-shaded, pulsar-opentelemetry)
KEDA_VERSION="${KEDA_VERSION:-v2.20.2}"

# Built binaries and the Pulsar classpath live outside the checkout, keyed by version,
# so a fresh clone (and CI) reuses them.
FM_CACHE="${FM_CACHE:-$HOME/.cache/function-mesh-ts}"
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$HACK_DIR/.." && pwd)"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# step NAME CMD...: runs a long step, printing a heartbeat every 30 s so CI never looks hung.
step() {
  local name="$1"; shift
  local start=$SECONDS
  log "$name: started"
  ( while sleep 30; do log "$name: still running ($((SECONDS - start)) s)"; done ) &
  local beat=$!
  local rc=0
  "$@" || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then die "$name: failed (exit $rc)"; fi
  log "$name: done in $((SECONDS - start)) s"
}
