#!/usr/bin/env bash
# Builds what bench/gpu/compare.sh carries to the GPU machine: the UNet GPU
# program (cgo, gzipped) and a tarball of diffusers' source taken from a
# local clone given as $1 (never committed: bench/gpu/carry is ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/env.sh
mkdir -p bench/gpu/carry
CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /tmp/unetgpu ./bench/unetstep/gpu
gzip -9 -c /tmp/unetgpu > bench/gpu/carry/unetgpu.gz
if [ -n "${1:-}" ]; then
  tmp=$(mktemp -d)
  git -C "$1" archive HEAD src/diffusers | tar -x -C "$tmp"
  tar czf bench/gpu/carry/diffusers-src.tgz -C "$tmp/src" diffusers
  rm -rf "$tmp"
fi
ls -la bench/gpu/carry
