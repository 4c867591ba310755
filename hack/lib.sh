# Shared by the hack/ scripts: versions, cache locations, progress output.
# Sourced, not run.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
PULSAR_VERSION="${PULSAR_VERSION:-4.0.7}" # newest 4.0.x whose whole dependency tree Maven Central serves here (4.0.8 lacks jetcd-core-shaded, pulsar-opentelemetry)
KEDA_VERSION="${KEDA_VERSION:-v2.20.2}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.4.2}" # Kubernetes 1.36 needs containerd 2.x
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
GHZ_VERSION="${GHZ_VERSION:-v0.93.0}" # gRPC load generator (Go, like KEDA's client) for the scaler bench only
HELM_VERSION="${HELM_VERSION:-v4.3.2}" # the chart tests only (test/integration/helm)

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

# free_ports N: N distinct free TCP ports on 127.0.0.1, on one line.
# Picked on the wildcard address, so a port is free on 127.0.0.1 and on the pod gateway alike.
free_ports() {
  node -e '
    const net = require("net"), n = Number(process.argv[1]), servers = [];
    (async () => {
      for (let i = 0; i < n; i++) servers.push(await new Promise((r) => { const s = net.createServer(); s.listen(0, "0.0.0.0", () => r(s)); }));
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    })();' "$1"
}

# launch NAME CMD...: starts a process in the background, its output in logs/NAME.log
launch() {
  local name="$1"; shift
  setsid "$@" >"$S/logs/$name.log" 2>&1 </dev/null &
  echo "$name $!" >> "$S/pids"
}

# wait_for NAME SECONDS CMD...: polls CMD until it succeeds, or fails naming the component's log
wait_for() {
  local name="$1" timeout="$2"; shift 2
  local t0=$SECONDS
  until "$@" >/dev/null 2>&1; do
    local pid; pid=$(awk -v n="$name" '$1==n{print $2}' "$S/pids")
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$S/logs/$name.log" >&2; die "$name exited during start-up (log: $S/logs/$name.log)"
    fi
    if (( SECONDS - t0 > timeout )); then
      tail -20 "$S/logs/$name.log" >&2; die "$name not ready after ${timeout}s (log: $S/logs/$name.log)"
    fi
    sleep 0.5
  done
  log "$name: ready ($((SECONDS - t0)) s)"
}


# The real node (FM_REAL_NODE=1): one per machine. Its pods live on a bridge and subnet that exist
# only on this machine; the gateway address is the host's side, where pods reach the platform.
NODE_NAME="${FM_NODE_NAME:-fm-real-node}"
NODE_BRIDGE=fmbr0
# The bridge's MAC, set so that it never changes: a bridge without one takes the lowest MAC of its
# ports, so it changed whenever a pod's veth came or went, and a pod that had cached the old one
# could not reach the gateway until its ARP entry expired (its SYNs to Pulsar went unanswered).
NODE_BRIDGE_MAC=02:00:0a:7b:00:01
NODE_SUBNET=10.123.0.0/24
NODE_GATEWAY=10.123.0.1
SERVICE_CIDR=10.0.0.0/16
# What the node changed on the host (saved sysctls, directories it created) survives a killed
# run here, outside the platform dir, so the next local-up / local-down can restore it.
NODE_HOST_RECORD=/run/function-mesh-ts/real-node
NODE_TAINT_KEY=function-mesh.io/real-node # taint (NoSchedule) and label: only pods that ask land there
NODE_ROUTE_TABLE=4123                     # policy routing table (and rule priority) of the pod subnet
PAUSE_IMAGE="${PAUSE_IMAGE:-localhost/function-mesh-ts/pause:1}"
TEST_IMAGE="${TEST_IMAGE:-localhost/function-mesh-ts/busybox:1}" # busybox-static: the node tests' containers
# Host state the node's parts change: saved before, restored by hack/stop-node.
HOST_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.netfilter.nf_conntrack_max)
HOST_DIRS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /etc/cni /opt/cni)
# Shared with any other containerd on the machine (shim sockets): removed only when empty.
HOST_SHARED_DIRS=(/run/containerd/s /run/containerd)
