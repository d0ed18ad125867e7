#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, carrying bench/vaedecode/bin
# (see build.sh). Results: $OUT/vae_gpu.jsonl, log: $OUT/vae_gpu.log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 0
OUT="${OUT:-$PWD/out}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/vae_gpu.log") 2>&1
BIN=/tmp/vae-gpucheck
gunzip -c bench/vaedecode/bin/gpucheck.gz >"$BIN" && chmod +x "$BIN" || exit 0
J="$OUT/vae_gpu.jsonl"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc

# The library's own plugin discovery first; if it gives no CUDA backend,
# point it at jax's plugin and the NVIDIA wheels' libraries.
if ! timeout 120 "$BIN" -variants f32 -sizes "" -label discovery >>"$J" || ! grep -q '"backend":"xla' "$J"; then
  SITE="$(python3 -c 'import jax_plugins.xla_cuda13 as p, os; print(os.path.dirname(os.path.dirname(os.path.dirname(p.__file__))))')"
  export IPADAPTER_PJRT_PLUGIN="$SITE/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
  for d in "$SITE"/nvidia/*/lib; do LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; done
  export LD_LIBRARY_PATH
  echo "retrying with IPADAPTER_PJRT_PLUGIN=$IPADAPTER_PJRT_PLUGIN"
fi
timeout 240 "$BIN" -label main >>"$J"; echo "main rc=$?"
NVIDIA_TF32_OVERRIDE=0 timeout 90 "$BIN" -variants f32 -time-variants f32 -sizes 128 -label tf32_override_0 >>"$J"; echo "override rc=$?"
GOMAXPROCS=2 timeout 60 "$BIN" -gobench -label go_2cpu >>"$J"; echo "gobench2 rc=$?"
timeout 60 "$BIN" -gobench -label go_allcpu >>"$J"; echo "gobench rc=$?"
exit 0
