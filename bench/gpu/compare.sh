#!/usr/bin/env bash
# GPU comparison: one SDXL base UNet step (fp16, batch 2, 128x128 latents,
# random weights) in this project (bench/unetstep/gpu -only-full, built here
# by `bash bench/gpu/build_compare.sh`) and in diffusers on torch (peer,
# measured in the same run on the same card). Runs on the device in the
# repository root; carry bench/gpu/carry (the gzipped binary and diffusers'
# source). Prints both JSON lines and the ratio.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 0
OUT="${OUT:-$PWD/out}"
mkdir -p "$OUT" /tmp/peer bench/gpu/bin
exec > >(tee -a "$OUT/compare.log") 2>&1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
gunzip -c bench/gpu/carry/unetgpu.gz > bench/gpu/bin/unetgpu && chmod +x bench/gpu/bin/unetgpu
tar xzf bench/gpu/carry/diffusers-src.tgz -C /tmp/peer
echo "== ours"
timeout 150 bench/gpu/bin/unetgpu -only-full -reps 10 | tee "$OUT/ours.jsonl"
echo "== diffusers"
PY=python3; [ -x /opt/torch/.venv/bin/python3 ] && PY=/opt/torch/.venv/bin/python3
DIFFUSERS_SRC=/tmp/peer PYTHONUNBUFFERED=1 timeout 150 "$PY" bench/gpu/peer_unet.py testdata/golden/manifests/sdxl_base_unet.json 10 | tee "$OUT/peer.jsonl"
"$PY" - "$OUT/ours.jsonl" "$OUT/peer.jsonl" <<'PYEOF'
import json, sys
def timing(p):
    for line in open(p):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("check") == "timing" and "median_s" in r:
            return r
ours, peer = timing(sys.argv[1]), timing(sys.argv[2])
if ours and peer:
    print(json.dumps({"bench": "sdxl_unet_step_fp16_b2_128", "ours_median_s": ours["median_s"],
                      "diffusers_median_s": peer["median_s"], "speedup": peer["median_s"] / ours["median_s"]}))
else:
    print("comparison incomplete:", ours, peer)
PYEOF
exit 0
