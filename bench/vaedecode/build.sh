#!/usr/bin/env bash
# Builds bench/vaedecode/bin/gpucheck.gz for the GPU machine (which has no Go
# toolchain). cgo is on: go-xla dlopens the PJRT plugin. The folder is
# excluded from git (.git/info/exclude) and carried by the device call.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}" GOEXPERIMENT="${GOEXPERIMENT:-simd}" CGO_ENABLED=1
mkdir -p bench/vaedecode/bin
go build -trimpath -ldflags='-s -w' -o bench/vaedecode/bin/gpucheck ./bench/vaedecode/gpucheck
gzip -f -9 bench/vaedecode/bin/gpucheck
ls -l bench/vaedecode/bin
