# Sourced by every script of this repository: the toolchain the project is
# built with. Go 1.27.3 is fetched by the go command itself (GOTOOLCHAIN);
# GOEXPERIMENT=simd enables the pure-Go backend's SIMD kernels (about 30×
# faster matrix products on the CPU).
export GOTOOLCHAIN=go1.27.3
export GOEXPERIMENT=simd
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
# Tests run on the pure-Go backend; programs choose with package xla.
export PATH="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:$PATH"
