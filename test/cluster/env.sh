# Shared settings of the single-node test cluster (sourced by up.sh, down.sh, ci.sh).
# shellcheck shell=bash
CLUSTER_DIR="${PYCOV_HARVEST_CLUSTER_DIR:-/var/tmp/pycov-harvest-cluster}"
CLUSTER_NODE=pch-node
# The pod bridge is created up front and its gateway address is the node's address (this
# kernel has no dummy interfaces); nothing is routed or masqueraded off this machine.
CLUSTER_BRIDGE=pchbr0
CLUSTER_POD_SUBNET=10.244.77.0/24
CLUSTER_NODE_IP=10.244.77.1
CLUSTER_SERVICE_SUBNET=10.96.0.0/24
CLUSTER_API_PORT=16443
CLUSTER_ETCD_PORT=12379
CLUSTER_ETCD_PEER_PORT=12380
CLUSTER_PAUSE_IMAGE=localhost/pycov-harvest/pause:1
CLUSTER_IMAGES="${PYCOV_HARVEST_CLUSTER_IMAGES:-localhost/pycov-harvest/service:py3.11${PYCOV_HARVEST_IMAGE_TAG_SUFFIX:-}}"
CLUSTER_CONTAINERD_SOCK="$CLUSTER_DIR/containerd/containerd.sock"
CLUSTER_KUBECONFIG="$CLUSTER_DIR/admin.kubeconfig"
CLUSTER_CACHE="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
