#!/usr/bin/env bash
# Builds bench/gpu/bin/gpucheck for the GPU machine. Runs here (the GPU
# machine has no Go toolchain); bench/gpu/bin/ is git-ignored and carried.
#
# cgo is on (go-xla loads the PJRT plugin with dlopen). The binary links
# dynamically to glibc only: a fully static glibc binary cannot dlopen the
# plugin reliably on another glibc, and glibc is backward compatible, so
# building against this machine's older glibc runs on the newer one there.
set -euo pipefail
cd "$(dirname "$0")/../.."

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}" GOEXPERIMENT="${GOEXPERIMENT:-simd}" CGO_ENABLED=1
out=bench/gpu/bin/gpucheck
mkdir -p "$(dirname "$out")"
go build -trimpath -ldflags='-s -w' -o "$out" ./bench/gpu/gpucheck

echo "built $out ($(du -h "$out" | cut -f1))"
echo "dynamic dependencies:"
ldd "$out" | sed 's/^/  /'
if command -v objdump >/dev/null; then
  echo "newest glibc symbol version needed: $(objdump -T "$out" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
fi

# Smoke run on the pure-Go backend, tiny shapes: the same code paths as on the GPU.
if [[ "${SKIP_SMOKE:-}" != 1 ]]; then
  smoke="$(mktemp -d)"
  GOMLX_BACKEND=go "$out" -small -json "$smoke/results.jsonl" >"$smoke/log" 2>&1 || {
    cat "$smoke/log"; echo "smoke run failed"; exit 1; }
  echo "smoke run OK: $(wc -l <"$smoke/results.jsonl") records in $smoke/results.jsonl"
fi
