#!/usr/bin/env bash
# The main job on a fresh machine: build the command-line tool and run the
# seed example of diffusers' IP-Adapter guide (SDXL base from the Hugging
# Face Hub, ip-adapter_sdxl.bin at scale 0.6, the diner image as image
# prompt, 100 steps, seed 0). Needs network access to the Hub the first time
# (about 11 GB into the Hugging Face cache, shared with Python) and, to be
# quick, an NVIDIA GPU with jax's CUDA plugin installed
# (`pip install "jax[cuda13]"`); on the CPU the same command works but takes
# hours. Extra arguments are passed to `ipadapter generate`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
command -v go >/dev/null || { echo "Go is not installed: see README.md" >&2; exit 1; }
mkdir -p out
go build -o out/ipadapter ./ipadapter/cmd/ipadapter
out/ipadapter env
exec out/ipadapter generate \
  --model stabilityai/stable-diffusion-xl-base-1.0 --variant fp16 \
  --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin --scale 0.6 \
  --ip-image https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/ip_adapter_diner.png \
  --prompt "a polar bear sitting in a chair drinking a milkshake" \
  --negative-prompt "deformed, ugly, wrong proportion, low res, bad anatomy, worst quality, low quality" \
  --steps 100 --seed 0 --out out/polar_bear.png "$@"
