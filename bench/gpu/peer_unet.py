"""Peer measurement for bench/gpu/compare.sh: one SDXL UNet step in diffusers
on torch (eager, fp16, default attention processor = SDPA/flash), random
weights, the same shapes as bench/unetstep/gpu -only-full: batch 2 (CFG),
128x128 latents, 77 text tokens of width 2048. Prints one JSON line.

diffusers is not installed on the GPU machines: compare.sh unpacks its
source (carried, git-ignored) and puts it on sys.path."""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.environ["DIFFUSERS_SRC"])
import diffusers  # noqa: E402
from diffusers import UNet2DConditionModel  # noqa: E402

cfg = json.load(open(sys.argv[1]))["config"]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
t0 = time.perf_counter()
with torch.device("cuda"):
    unet = UNet2DConditionModel.from_config(cfg).to(torch.float16).eval()
torch.cuda.synchronize()
init_s = time.perf_counter() - t0
g = torch.Generator("cuda").manual_seed(0)
dev, dt = "cuda", torch.float16
B = 2
x = torch.randn(B, 4, 128, 128, generator=g, device=dev, dtype=dt)
ehs = torch.randn(B, 77, 2048, generator=g, device=dev, dtype=dt)
cond = {"text_embeds": torch.randn(B, 1280, generator=g, device=dev, dtype=dt),
        "time_ids": torch.tensor([[1024, 1024, 0, 0, 1024, 1024]] * B, device=dev, dtype=dt)}
t = torch.tensor(999.0, device=dev)
with torch.inference_mode():
    t0 = time.perf_counter()
    unet(x, t, encoder_hidden_states=ehs, added_cond_kwargs=cond)
    torch.cuda.synchronize()
    first = time.perf_counter() - t0
    for _ in range(3):
        unet(x, t, encoder_hidden_states=ehs, added_cond_kwargs=cond)
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = unet(x, t, encoder_hidden_states=ehs, added_cond_kwargs=cond).sample
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"check": "timing", "peer": "diffusers " + diffusers.__version__ + " torch " + torch.__version__,
                  "model": "sdxl_base_128x128_b2", "dtype": "float16",
                  "attn_processor": type(next(iter(unet.attn_processors.values()))).__name__,
                  "params": sum(p.numel() for p in unet.parameters()), "init_s": init_s, "first_call_s": first,
                  "median_s": times[len(times) // 2], "min_s": times[0], "max_s": times[-1],
                  "finite": bool(torch.isfinite(out).all())}), flush=True)
