#!/usr/bin/env bash
# Brings up a single-node Kubernetes cluster on this machine: etcd and
# kube-apiserver on 127.0.0.1, kube-controller-manager, kube-scheduler, a real
# kubelet driving its own containerd + runc, and a CNI bridge in a private
# range with no masquerading (pod traffic stays on this machine). Images come
# from local podman storage, no registry. Writes the admin kubeconfig to
# $CLUSTER_DIR/admin.kubeconfig. Tear down with down.sh.
#   usage: up.sh [bin-dir]   (default: the output of build.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
source "$here/env.sh"

bin="${1:-$(bash "$here/build.sh")}"
started=$SECONDS
log() { echo "up.sh [$((SECONDS - started))s]: $*" >&2; }
fail() {
  echo "up.sh: $*" >&2
  exit 1
}

if [[ -e "$CLUSTER_DIR/pids" ]]; then
  fail "a cluster is already up in $CLUSTER_DIR; run test/cluster/down.sh first"
fi
for image in $CLUSTER_IMAGES; do
  podman image exists "$image" || fail "image $image is not in podman storage; build it with test/images/build.sh"
done

pki="$CLUSTER_DIR/pki"
mkdir -p "$pki" "$CLUSTER_DIR"/{pids,logs,kubeconfigs,cni/net.d,containerd,kubelet}
# Anything that went wrong from here on leaves nothing behind.
trap 'status=$?; if ((status)); then echo "up.sh: failed, logs in $CLUSTER_DIR/logs; tearing down" >&2; bash "$here/down.sh" --keep-logs >&2 || true; fi' EXIT

# --- host settings the kubelet changes; down.sh puts them back ---------------
for key in vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/ip_forward; do
  echo "$key $(cat "/proc/sys/$key")"
done >"$CLUSTER_DIR/sysctl.saved"
ls /run/netns 2>/dev/null >"$CLUSTER_DIR/netns.before" || true
# The kubelet adds KUBE-* chains (canary, hint); down.sh removes the ones that are new.
for family in iptables ip6tables; do
  for table in filter nat mangle; do
    "$family" -t "$table" -S 2>/dev/null | awk -v f="$family" -v t="$table" '$1 == "-N" && $2 ~ /^KUBE-/ { print f, t, $2 }'
  done
done >"$CLUSTER_DIR/iptables.before"

ip link add "$CLUSTER_BRIDGE" type bridge
ip addr add "$CLUSTER_NODE_IP/${CLUSTER_POD_SUBNET#*/}" dev "$CLUSTER_BRIDGE"
ip link set "$CLUSTER_BRIDGE" up

# --- certificates ------------------------------------------------------------
log "certificates"
openssl_quiet() { openssl "$@" 2>/dev/null; }
new_key() { openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$1"; }
new_key "$pki/ca.key"
openssl_quiet req -x509 -new -key "$pki/ca.key" -subj "/CN=pycov-harvest-test-ca" -days 3650 -out "$pki/ca.crt"
# sign NAME SUBJECT [SANS]
sign() {
  local name="$1" subject="$2" sans="${3:-}"
  new_key "$pki/$name.key"
  openssl_quiet req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr"
  local ext="$pki/$name.ext"
  if [[ -n "$sans" ]]; then
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$sans" >"$ext"
  else
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$ext"
  fi
  openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$ext" -out "$pki/$name.crt"
}
api_service_ip="${CLUSTER_SERVICE_SUBNET%.*}.1"
sign apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$CLUSTER_NODE_IP,IP:$api_service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
sign admin "/O=system:masters/CN=pycov-harvest-admin"
sign controller-manager "/CN=system:kube-controller-manager"
sign scheduler "/CN=system:kube-scheduler"
sign node "/O=system:nodes/CN=system:node:$CLUSTER_NODE"
sign kubelet-serving "/CN=$CLUSTER_NODE" "IP:$CLUSTER_NODE_IP,DNS:$CLUSTER_NODE"
new_key "$pki/sa.key"
openssl_quiet ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub"

# kubeconfig FILE USER CERT-NAME
kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pycov-harvest
  cluster:
    server: https://127.0.0.1:$CLUSTER_API_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$pki/$3.crt")
    client-key-data: $(base64 -w0 "$pki/$3.key")
contexts:
- name: $2@pycov-harvest
  context: {cluster: pycov-harvest, user: $2}
current-context: $2@pycov-harvest
EOF
  chmod 600 "$1"
}
kubeconfig "$CLUSTER_KUBECONFIG" admin admin
kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager" controller-manager controller-manager
kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler" scheduler scheduler
kubeconfig "$CLUSTER_DIR/kubeconfigs/node" node node

# start NAME ARGV... : runs in its own session, logs to logs/NAME.log, pid to pids/NAME
start() {
  local name="$1"
  shift
  setsid "$@" >"$CLUSTER_DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_DIR/pids/$name"
}
# wait_for WHAT SECONDS COMMAND...
wait_for() {
  local what="$1" limit="$2"
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what not ready after ${limit}s; see $CLUSTER_DIR/logs"
    sleep 0.5
  done
}
api() { curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$CLUSTER_API_PORT$1"; }

# --- etcd and the API server -------------------------------------------------
log "etcd"
start etcd "$bin/etcd" --name pch --data-dir "$CLUSTER_DIR/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" \
  --initial-cluster "pch=http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" --listen-metrics-urls "" --log-level warn
wait_for etcd 30 curl -sf "http://127.0.0.1:$CLUSTER_ETCD_PORT/health"

log "kube-apiserver"
apiserver=("$bin/kube-apiserver"
  --etcd-servers "http://127.0.0.1:$CLUSTER_ETCD_PORT"
  --bind-address 127.0.0.1 --secure-port "$CLUSTER_API_PORT" --advertise-address "$CLUSTER_NODE_IP"
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key"
  --client-ca-file "$pki/ca.crt"
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key"
  --kubelet-preferred-address-types InternalIP
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub"
  --service-account-signing-key-file "$pki/sa.key"
  --service-cluster-ip-range "$CLUSTER_SERVICE_SUBNET"
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction
  --profiling=false --v=1)
# Tests that need a second API server (other flags, same etcd) start it from this argv.
printf '%s\n' "${apiserver[@]}" >"$CLUSTER_DIR/kube-apiserver.argv"
start kube-apiserver "${apiserver[@]}"

# --- containerd, CNI and images, while the API server starts -----------------
log "containerd"
cat >"$CLUSTER_DIR/cni/net.d/10-pycov-harvest.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "pycov-harvest",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CLUSTER_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$CLUSTER_POD_SUBNET" }]],
                "dataDir": "$CLUSTER_DIR/cni/ipam" }
    },
    { "type": "loopback" }
  ]
}
EOF
cat >"$CLUSTER_DIR/containerd/config.toml" <<EOF
version = 2
root = "$CLUSTER_DIR/containerd/root"
state = "$CLUSTER_DIR/containerd/state"
[grpc]
  address = "$CLUSTER_CONTAINERD_SOCK"
[ttrpc]
  address = "$CLUSTER_CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CLUSTER_PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # This sandbox refuses negative oom_score_adj even to root ("failed to update
  # /proc/self/oom_score_adj: Permission denied" from runc for the kubelet's -998 sandbox
  # setting): clamp to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
        Root = "$CLUSTER_DIR/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
EOF
start containerd containerd --config "$CLUSTER_DIR/containerd/config.toml"
wait_for containerd 30 ctr --address "$CLUSTER_CONTAINERD_SOCK" version

# import NAME TARBALL
import_image() {
  ctr --address "$CLUSTER_CONTAINERD_SOCK" -n k8s.io images import --no-unpack=false "$2" >/dev/null ||
    fail "could not import $1 into containerd from $2"
}
image_cache="$CLUSTER_CACHE/images"
mkdir -p "$image_cache"
log "images"
pause_tar="$image_cache/pause-$(sha256sum "$bin/pause" | cut -c1-12).tar"
if [[ ! -s "$pause_tar" ]]; then
  context="$(mktemp -d)"
  cp "$bin/pause" "$context/pause"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$context/Containerfile"
  podman build -q -t "$CLUSTER_PAUSE_IMAGE" "$context" >/dev/null
  podman save -q --format docker-archive -o "$pause_tar.partial" "$CLUSTER_PAUSE_IMAGE" >/dev/null
  mv "$pause_tar.partial" "$pause_tar"
  rm -rf "$context"
fi
import_image "$CLUSTER_PAUSE_IMAGE" "$pause_tar"
for image in $CLUSTER_IMAGES; do
  id="$(podman image inspect --format '{{.Id}}' "$image")"
  tar="$image_cache/$(echo "$image" | tr '/:' '__')-${id:0:12}.tar"
  if [[ ! -s "$tar" ]]; then
    rm -f "$image_cache/$(echo "$image" | tr '/:' '__')"-*.tar
    podman save -q --format docker-archive -o "$tar.partial" "$image" >/dev/null
    mv "$tar.partial" "$tar"
  fi
  import_image "$image" "$tar"
done

wait_for kube-apiserver 90 api /readyz

# --- controllers, scheduler, kubelet ------------------------------------------
log "kube-controller-manager, kube-scheduler"
start kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager" \
  --authentication-kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager" \
  --authorization-kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --controllers '*,-nodeipam,-cloud-node-lifecycle,-service,-route' --profiling=false --v=1
start kube-scheduler "$bin/kube-scheduler" \
  --kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler" \
  --authentication-kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler" \
  --authorization-kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1

log "kubelet"
cat >"$CLUSTER_DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $CLUSTER_NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
containerRuntimeEndpoint: unix://$CLUSTER_CONTAINERD_SOCK
# This machine is cgroup v1 (hybrid); kubelet 1.34 still runs there when told to.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: AlwaysAllow}
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
resolvConf: ""
registerNode: true
# No KUBE-FIREWALL localnet rules on the host: nothing here uses route_localnet.
makeIPTablesUtilChains: false
nodeStatusUpdateFrequency: 4s
EOF
start kubelet "$bin/kubelet" --config "$CLUSTER_DIR/kubelet/config.yaml" \
  --kubeconfig "$CLUSTER_DIR/kubeconfigs/node" --root-dir "$CLUSTER_DIR/kubelet/root" \
  --cert-dir "$CLUSTER_DIR/kubelet/pki" --oom-score-adj 0 --hostname-override "$CLUSTER_NODE" --node-ip "$CLUSTER_NODE_IP" --v=1

node_ready() { api "/api/v1/nodes/$CLUSTER_NODE" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }
wait_for "node $CLUSTER_NODE" 120 node_ready
wait_for "service account default/default" 60 api /api/v1/namespaces/default/serviceaccounts/default

trap - EXIT
log "cluster up; KUBECONFIG=$CLUSTER_KUBECONFIG"
