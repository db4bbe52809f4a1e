#!/usr/bin/env bash
# Tears down what up.sh started: pods (so CNI releases their network
# namespaces and veths), kubelet, containerd and its shims, the control plane,
# mounts and cgroups under the cluster, the bridge and the node interface, and
# the kernel settings the kubelet changed. Safe to run twice.
#   usage: down.sh [--keep-logs]
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
source "$here/env.sh"
keep_logs=0
[[ "${1:-}" == "--keep-logs" ]] && keep_logs=1

[[ -d "$CLUSTER_DIR" ]] || exit 0
pki="$CLUSTER_DIR/pki"
ctr_() { ctr --address "$CLUSTER_CONTAINERD_SOCK" -n k8s.io "$@"; }
api() {
  curl -sf --max-time 10 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$CLUSTER_API_PORT$1" "${@:2}"
}
# alive PID: running and not a zombie (whoever adopted it may reap late)
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ "${stat##*) }" != Z* ]]
}
# stop NAME: SIGTERM the process up.sh recorded, SIGKILL after 10 s
stop() {
  local file="$CLUSTER_DIR/pids/$1"
  [[ -f "$file" ]] || return 0
  local pid
  pid="$(cat "$file")"
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do
      alive "$pid" || break
      sleep 0.25
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# 1. No new pods, then let the kubelet stop every sandbox through CNI.
stop kube-controller-manager
stop kube-scheduler
if [[ -f "$CLUSTER_DIR/pids/kubelet" ]] && api /readyz >/dev/null 2>&1; then
  namespaces="$(api /api/v1/namespaces | tr -d ' \n' | grep -o '"metadata":{"name":"[^"]*"' | cut -d'"' -f6)"
  for ns in $namespaces; do
    api "/api/v1/namespaces/$ns/pods?gracePeriodSeconds=0" -X DELETE >/dev/null 2>&1
  done
  for _ in $(seq 1 60); do
    [[ -z "$(ctr_ tasks ls -q 2>/dev/null)" ]] && break
    sleep 0.5
  done
fi
stop kubelet

# 2. Whatever is still running in containerd is killed and removed.
if [[ -S "$CLUSTER_CONTAINERD_SOCK" ]]; then
  for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$task" >/dev/null 2>&1; done
  sleep 1
  for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks rm -f "$task" >/dev/null 2>&1; done
  for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers rm "$c" >/dev/null 2>&1; done
fi
stop containerd
# Shims outlive containerd; they carry our socket path on their command line.
for proc in /proc/[0-9]*; do
  if { tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null | grep -qF -- "$CLUSTER_CONTAINERD_SOCK"; then
    kill -KILL "${proc#/proc/}" 2>/dev/null
  fi
done
stop kube-apiserver
stop etcd

# 3. Mounts under the cluster directory, deepest first.
for _ in 1 2 3; do
  mounts="$(awk -v dir="$CLUSTER_DIR" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r)"
  [[ -z "$mounts" ]] && break
  for m in $mounts; do umount -l "$m" 2>/dev/null; done
done

# 4. Network namespaces CNI created during this run, then the bridge (its veths go with it).
if [[ -f "$CLUSTER_DIR/netns.before" ]]; then
  for ns in $(ls /run/netns 2>/dev/null); do
    if [[ "$ns" == cni-* ]] && ! grep -qxF "$ns" "$CLUSTER_DIR/netns.before"; then
      ip netns delete "$ns" 2>/dev/null
    fi
  done
fi
ip link show "$CLUSTER_BRIDGE" >/dev/null 2>&1 && ip link delete "$CLUSTER_BRIDGE"

# 5. KUBE-* iptables chains that did not exist before up.sh: first the rules that jump to
#    them (deleted by number), then the chains.
# delete_jumps FAMILY TABLE CHAIN
delete_jumps() {
  local parent n
  for parent in $("$1" -t "$2" -S 2>/dev/null |
    awk -v c="$3" '$1 == "-A" { for (i = 3; i < NF; i++) if ($i == "-j" && $(i + 1) == c) print $2 }' | sort -u); do
    for n in $("$1" -t "$2" -L "$parent" -n --line-numbers 2>/dev/null | awk -v c="$3" 'NR > 2 && $2 == c { print $1 }' | sort -rn); do
      "$1" -t "$2" -D "$parent" "$n" 2>/dev/null
    done
  done
}
if [[ -f "$CLUSTER_DIR/iptables.before" ]]; then
  for family in iptables ip6tables; do
    for table in filter nat mangle; do
      chains="$("$family" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }')"
      new_chains=()
      for chain in $chains; do
        grep -qxF "$family $table $chain" "$CLUSTER_DIR/iptables.before" || new_chains+=("$chain")
      done
      for chain in "${new_chains[@]}"; do
        delete_jumps "$family" "$table" "$chain"
        "$family" -t "$table" -F "$chain" 2>/dev/null
      done
      for chain in "${new_chains[@]}"; do "$family" -t "$table" -X "$chain" 2>/dev/null; done
    done
  done
fi

# 6. Cgroups the kubelet created (empty once the containers are gone).
for hierarchy in /sys/fs/cgroup/*/; do
  for top in kubepods kubepods.slice; do
    [[ -d "$hierarchy$top" ]] || continue
    find "$hierarchy$top" -depth -type d -exec rmdir {} + 2>/dev/null
  done
done

# 7. Kernel settings back to what they were before up.sh.
if [[ -f "$CLUSTER_DIR/sysctl.saved" ]]; then
  while read -r key value; do
    [[ "$(cat "/proc/sys/$key" 2>/dev/null)" == "$value" ]] || echo "$value" >"/proc/sys/$key" 2>/dev/null
  done <"$CLUSTER_DIR/sysctl.saved"
fi

if ((keep_logs)); then
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null
else
  rm -rf "$CLUSTER_DIR"
fi
echo "down.sh: cluster torn down" >&2
