#!/usr/bin/env bash
# Build hyperion-go-peer offline from Debian's Go packages (GOPATH mode).
# Usage: interop/go-peer/build.sh [OUT_DIR]   (default: interop/go-peer/.build-go)
# Installs the apt packages first if any is missing (needs root for that).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/.build-go}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

packages=(golang-go golang-github-hashicorp-yamux-dev golang-github-flynn-noise-dev golang-golang-x-crypto-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "build.sh: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "build.sh: ERROR: missing packages ${missing[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || { echo "build.sh: ERROR: apt-get update failed" >&2; exit 1; }
  apt-get install -y -q "${missing[@]}" >&2 || { echo "build.sh: ERROR: apt-get install failed" >&2; exit 1; }
fi

gobin=go
command -v go >/dev/null 2>&1 || gobin=/usr/lib/go/bin/go
if ! "$gobin" version >/dev/null 2>&1; then
  echo "build.sh: ERROR: no usable go toolchain" >&2
  exit 1
fi

# GOPATH mode: imports resolve from Debian's /usr/share/gocode/src; nothing is fetched.
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off CGO_ENABLED=0
export GOCACHE="${GOCACHE:-$out/.gocache}"
cd "$here"
if ! "$gobin" vet . >&2; then
  echo "build.sh: ERROR: go vet failed" >&2
  exit 1
fi
if ! "$gobin" build -trimpath -o "$out/hyperion-go-peer" . >&2; then
  echo "build.sh: ERROR: go build failed" >&2
  exit 1
fi
echo "build.sh: built $out/hyperion-go-peer ($("$gobin" version | awk '{print $3}'))" >&2
echo "$out/hyperion-go-peer"
