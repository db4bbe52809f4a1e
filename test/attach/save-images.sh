#!/usr/bin/env bash
# Saves the service images the container tests use under $cache/attach-images/ (containers.py
# loads them back into podman or the Docker engine when the shared store lost them): the stacks
# branch's 3.12 and 3.13 images and test/images' 3.14 one, tagged attach-service:py3.X.
set -euo pipefail
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}/attach-images"
mkdir -p "$cache"
for pair in 3.12:service:py3.12-stacks 3.13:service:py3.13-stacks 3.14:service:py3.14; do
  v="${pair%%:*}" src="localhost/pycov-harvest/${pair#*:}"
  podman tag "$src" "localhost/pycov-harvest/attach-service:py$v"
  podman save -o "$cache/py$v.tar" "localhost/pycov-harvest/attach-service:py$v"
done
# The shell-less variant of the 3.12 image (distroless/Containerfile).
podman build -q -t localhost/pycov-harvest/attach-service:py3.12-distroless "$(dirname "$0")/distroless"
podman save -o "$cache/py3.12-distroless.tar" localhost/pycov-harvest/attach-service:py3.12-distroless
