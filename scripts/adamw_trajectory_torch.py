# Float64 PyTorch reference for packages/train/test/adamw-trajectory.test.ts: 10 AdamW steps of
# completion-only SFT on the qwen2-tiny fixture's batch (cosine schedule with warmup, global-norm
# clipping, decay on matrices and embeddings only), writing the loss and gradient norm per step and
# samples of the final weights. Usage (Debian's python3 with python3-torch):
#   /usr/bin/python3 scripts/adamw_trajectory_torch.py > packages/train/test/fixtures/adamw-trajectory.json
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bench_train_torch import Config, Qwen2, read_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
FIXTURE = os.path.join(ROOT, "fixtures", "qwen2-tiny")
SETTINGS = {
    "steps": 10,
    "lr": 1e-2,
    "schedule": "cosine",
    "warmup_steps": 2,
    "min_lr_ratio": 0.1,
    "beta1": 0.9,
    "beta2": 0.95,
    "eps": 1e-8,
    "weight_decay": 0.1,
    "max_grad_norm": 1.0,
    "sample_every": 97,
}


def learning_rate(step):
    """packages/train/src/schedule.ts, cosine with linear warmup (step is 0-based)."""
    s = SETTINGS
    warm = s["warmup_steps"]
    if step < warm:
        return s["lr"] * (step + 1) / warm
    span = max(1, s["steps"] - warm)
    progress = min(1.0, (step - warm) / span)
    low = s["lr"] * s["min_lr_ratio"]
    return low + (s["lr"] - low) * 0.5 * (1 + math.cos(math.pi * progress))


def main():
    torch.set_default_dtype(torch.float64)
    cfg = Config(json.load(open(os.path.join(FIXTURE, "config.json"))))
    batch = json.load(open(os.path.join(FIXTURE, "expected.json")))["sft"]
    model = Qwen2(cfg).double()
    weights = read_safetensors(os.path.join(FIXTURE, "model.safetensors"))
    with torch.no_grad():
        for name in model.names:
            model.w(name).copy_(weights[name].double())
    decay = [model.w(n) for n in model.names if not n.endswith(".bias") and "norm" not in n]
    keep = [model.w(n) for n in model.names if n.endswith(".bias") or "norm" in n]
    s = SETTINGS
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": s["weight_decay"]}, {"params": keep, "weight_decay": 0.0}],
        lr=s["lr"],
        betas=(s["beta1"], s["beta2"]),
        eps=s["eps"],
    )
    ids = torch.tensor(batch["input_ids"])
    mask = torch.tensor(batch["attention_mask"])
    comp = torch.tensor(batch["completion_mask"])
    losses, norms, lrs = [], [], []
    for step in range(s["steps"]):
        opt.zero_grad()
        loss = model.sft_loss(ids, mask, comp)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), s["max_grad_norm"])
        lr = learning_rate(step)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        losses.append(loss.item())
        norms.append(float(norm))
        lrs.append(lr)
    final = {}
    for n in model.names:
        w = model.w(n).detach().reshape(-1)
        final[n] = {
            "sum": float(w.sum()),
            "sumsq": float((w * w).sum()),
            "samples": [float(x) for x in w[:: s["sample_every"]]],
        }
    json.dump(
        {
            "made_by": "/usr/bin/python3 scripts/adamw_trajectory_torch.py (torch %s, float64)" % torch.__version__,
            "settings": s,
            "loss": losses,
            "grad_norm": norms,
            "lr": lrs,
            "final": final,
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
