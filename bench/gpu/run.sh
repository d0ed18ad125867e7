#!/usr/bin/env bash
# GPU first-contact run. Executed on the GPU machine, in the repository root,
# with no network and no Go toolchain: it only runs bench/gpu/bin/gpucheck,
# built here by bench/gpu/build.sh. Everything is teed into $OUT/gpucheck.log;
# results go to $OUT/results*.jsonl. Each step reports its own failure and
# the script goes on; it always exits 0 and stays under 3 minutes.
#
# Attempt A exercises the library's own discovery (package xla: python3,
# /opt/*/.venv, …, preloading the NVIDIA wheels' libraries). Only if that
# fails to give a CUDA backend, or crashes, attempt B runs with the plugin
# found here by python3 and LD_LIBRARY_PATH set to the wheels' lib folders.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 0

OUT="${OUT:-$PWD/out}"
mkdir -p "$OUT"
LOG="$OUT/gpucheck.log"
exec > >(tee -a "$LOG") 2>&1

SECONDS=0
TOTAL=165 # seconds for the whole script
BIN=bench/gpu/bin/gpucheck
DUMP=/tmp/gpucheck-xla-dump

step() { printf '\n=== %s (t=%ss) ===\n' "$*" "$SECONDS"; }
left() { echo $((TOTAL - SECONDS)); }

step "machine"
uname -a
grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release
ldd --version 2>&1 | head -1
echo "cpus: $(nproc)"
free -g | head -2

step "nvidia-smi"
timeout 20 nvidia-smi || echo "nvidia-smi failed (rc=$?)"
timeout 10 nvidia-smi --query-gpu=index,name,memory.total,driver_version,compute_cap --format=csv ||
  echo "nvidia-smi query failed (rc=$?)"

step "python3 / jax CUDA plugin"
# Candidates: python3 on PATH, then the image's venv.
PLUGIN="" SITE=""
probe_py='
import importlib.metadata as md, os, site, sys
print("python=" + sys.executable + " " + sys.version.split()[0])
for p in ("jax", "jaxlib", "jax-cuda13-pjrt", "jax-cuda13-plugin", "jax-cuda12-pjrt",
          "nvidia-cudnn-cu13", "nvidia-cuda-nvcc", "nvidia-nccl-cu13"):
    try:
        print("pkg " + p + "=" + md.version(p))
    except Exception:
        pass
dirs = list(site.getsitepackages())
for sub in ("xla_cuda13", "xla_cuda12"):
    for sp in dirs:
        f = os.path.join(sp, "jax_plugins", sub, "xla_cuda_plugin.so")
        if os.path.exists(f):
            print("PLUGIN=" + os.path.realpath(f))
            print("SITE=" + os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(f)))))
            raise SystemExit(0)
'
echo "python3 on PATH: $(command -v python3 || echo none)"
for py in "$(command -v python3 || true)" /opt/torch/.venv/bin/python3; do
  [[ -n "$py" && -x "$py" ]] || continue
  probe="$(timeout 30 "$py" -I -c "$probe_py" 2>&1)" || echo "$py probe failed (rc=$?)"
  echo "$probe"
  PLUGIN="$(sed -n 's/^PLUGIN=//p' <<<"$probe" | head -1)"
  SITE="$(sed -n 's/^SITE=//p' <<<"$probe" | head -1)"
  [[ -n "$PLUGIN" ]] && break
done
NVLIBS=""
if [[ -n "$PLUGIN" ]]; then
  echo "plugin: $PLUGIN ($(du -h "$PLUGIN" | cut -f1))"
  echo "plugin RPATH/RUNPATH and NEEDED:"
  readelf -d "$PLUGIN" 2>/dev/null | grep -E 'RPATH|RUNPATH|NEEDED' | sed 's/^/  /'
  echo "libraries ldd cannot find (without LD_LIBRARY_PATH):"
  ldd "$PLUGIN" 2>&1 | grep -i 'not found' | sed 's/^/  /' || echo "  none"
  for f in "$SITE"/nvidia/*/ "$SITE/nvidia/cu13/bin/ptxas" "$SITE"/nvidia/cu13/nvvm/libdevice/*; do
    [[ -e "$f" ]] && echo "  wheel file: $f"
  done
  for d in "$SITE"/nvidia/*/lib; do
    [[ -d "$d" ]] && NVLIBS="${NVLIBS:+$NVLIBS:}$d"
  done
else
  echo "no jax CUDA plugin found by python3"
fi

run_check() { # name, timeout seconds, extra args...
  local name="$1" limit="$2"
  shift 2
  step "gpucheck $name (limit ${limit}s)"
  timeout --kill-after=5 "$limit" "$BIN" -require-cuda -json "$OUT/results_$name.jsonl" "$@"
  local rc=$?
  echo "gpucheck $name exit code: $rc"
  return "$rc"
}

if [[ ! -x "$BIN" ]]; then
  echo "ERROR: $BIN missing: run bench/gpu/build.sh before carrying bench/gpu/bin"
else
  # Attempt A: the library's discovery, with an XLA dump of the fused
  # attention modules to see whether cuDNN fMHA is in the compiled HLO.
  rm -rf "$DUMP"
  limit=$(($(left) - 20))
  XLA_FLAGS="--xla_dump_to=$DUMP --xla_dump_hlo_as_text --xla_dump_hlo_module_re=.*_fused_.*" \
    TF_CPP_MIN_LOG_LEVEL=1 run_check A "$limit" -budget "$((limit - 40))s"
  rc=$?
  # Attempt B only when A gave no CUDA backend (3), crashed (signal) or timed out.
  if [[ $rc -ne 0 && -n "$PLUGIN" && $(left) -gt 45 ]]; then
    extra=()
    if [[ $rc -ne 3 ]] && grep -q '"check":"overhead"' "$OUT/results_A.jsonl" 2>/dev/null; then
      # A ran checks, then died: most likely inside cuDNN fused attention.
      echo "attempt A died mid-run (rc=$rc): retrying without the fused attention variant"
      extra=(-variants "decomposed_f32softmax,core_decomposed" -mm 1024)
    else
      # No CUDA backend, or died before the first check (plugin load, XLA_FLAGS).
      echo "attempt A gave no CUDA backend or died at start (rc=$rc): full retry"
    fi
    limit=$(($(left) - 10))
    IPADAPTER_PJRT_PLUGIN="$PLUGIN" LD_LIBRARY_PATH="${NVLIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      TF_CPP_MIN_LOG_LEVEL=0 run_check B "$limit" -budget "$((limit - 30))s" "${extra[@]}"
  fi
fi

step "XLA dump"
if [[ -d "$DUMP" ]]; then
  echo "$(find "$DUMP" -type f | wc -l) files, $(du -sh "$DUMP" | cut -f1)"
  find "$DUMP" -name '*after_optimizations.txt' -exec grep -lF "cudnn\$fmha" {} + >"$OUT/hlo_with_cudnn_fmha.txt" 2>/dev/null
  echo "modules calling cuDNN fMHA after optimisation:"
  sed 's/^/  /' "$OUT/hlo_with_cudnn_fmha.txt"
  mkdir -p "$OUT/hlo"
  find "$DUMP" -name '*after_optimizations.txt' -size -2M | head -40 | xargs -r cp -t "$OUT/hlo/"
else
  echo "no dump (attempt A did not compile anything?)"
fi

step "done"
ls -la "$OUT"
exit 0
