# PyTorch peer for scripts/bench-train.ts: the same Qwen2 model, completion-only SFT loss and AdamW
# step, timed on CPU in float32, so TF.js training throughput can be compared with it.
# Usage: /usr/bin/python3 scripts/bench_train_torch.py PRESET.json [--batch 4] [--seq 128] [--steps 5]
#        [--warmup 1] [--threads 2] [--check FIXTURE_DIR]     (prints one JSON object)
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F


class Config:
    """The config.json keys the model needs (a preset's "config" object or a bare config.json)."""

    def __init__(self, c):
        self.vocab = c["vocab_size"]
        self.hidden = c["hidden_size"]
        self.inter = c["intermediate_size"]
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or self.hidden // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.theta = c.get("rope_theta", 10000.0)
        self.tied = c.get("tie_word_embeddings", True)


def rms_norm(x, w, eps):
    # eps inside the square root, weight after normalising (no 1 + w offset)
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)


class Qwen2(torch.nn.Module):
    def __init__(self, cfg, seed=0):
        super().__init__()
        self.cfg = cfg
        g = torch.Generator().manual_seed(seed)
        D, H, KV, hd, I = cfg.hidden, cfg.heads, cfg.kv_heads, cfg.head_dim, cfg.inter

        def normal(*shape):
            return torch.nn.Parameter(torch.randn(*shape, generator=g) * 0.02)

        def zeros(*shape):
            return torch.nn.Parameter(torch.zeros(*shape))

        def ones(*shape):
            return torch.nn.Parameter(torch.ones(*shape))

        # Weights named and shaped as Hugging Face stores them ([out, in]) so a safetensors file loads as is.
        p = {"model.embed_tokens.weight": normal(cfg.vocab, D), "model.norm.weight": ones(D)}
        for i in range(cfg.layers):
            a = f"model.layers.{i}."
            p[a + "self_attn.q_proj.weight"] = normal(H * hd, D)
            p[a + "self_attn.q_proj.bias"] = zeros(H * hd)
            p[a + "self_attn.k_proj.weight"] = normal(KV * hd, D)
            p[a + "self_attn.k_proj.bias"] = zeros(KV * hd)
            p[a + "self_attn.v_proj.weight"] = normal(KV * hd, D)
            p[a + "self_attn.v_proj.bias"] = zeros(KV * hd)
            p[a + "self_attn.o_proj.weight"] = normal(D, H * hd)
            p[a + "mlp.gate_proj.weight"] = normal(I, D)
            p[a + "mlp.up_proj.weight"] = normal(I, D)
            p[a + "mlp.down_proj.weight"] = normal(D, I)
            p[a + "input_layernorm.weight"] = ones(D)
            p[a + "post_attention_layernorm.weight"] = ones(D)
        if not cfg.tied:
            p["lm_head.weight"] = normal(cfg.vocab, D)
        self.names = list(p)
        # ParameterDict keys cannot contain dots
        self.p = torch.nn.ParameterDict({k.replace(".", "/"): v for k, v in p.items()})

    def w(self, name):
        return self.p[name.replace(".", "/")]

    def lm_head(self):
        return self.w("model.embed_tokens.weight") if self.cfg.tied else self.w("lm_head.weight")

    def hidden(self, ids, attn_mask):
        """Final-norm hidden states [B, T, D] for right-padded ids (positions 0..T-1)."""
        cfg = self.cfg
        B, T = ids.shape
        H, KV, hd = cfg.heads, cfg.kv_heads, cfg.head_dim
        x = F.embedding(ids, self.w("model.embed_tokens.weight"))
        inv_freq = cfg.theta ** (-torch.arange(0, hd // 2, dtype=torch.float64) * 2 / hd)
        ang = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq[None, :]
        ang = torch.cat((ang, ang), dim=-1)
        cos, sin = ang.cos().float(), ang.sin().float()  # [T, hd]
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        allowed = causal[None, :, :] & attn_mask.bool()[:, None, :]  # [B, Tq, Tk]
        bias = torch.zeros(B, 1, T, T).masked_fill(~allowed[:, None], float("-inf"))
        for i in range(cfg.layers):
            a = f"model.layers.{i}."
            n = rms_norm(x, self.w(a + "input_layernorm.weight"), cfg.eps)
            q = F.linear(n, self.w(a + "self_attn.q_proj.weight"), self.w(a + "self_attn.q_proj.bias"))
            k = F.linear(n, self.w(a + "self_attn.k_proj.weight"), self.w(a + "self_attn.k_proj.bias"))
            v = F.linear(n, self.w(a + "self_attn.v_proj.weight"), self.w(a + "self_attn.v_proj.bias"))
            q = q.view(B, T, H, hd).transpose(1, 2)
            k = k.view(B, T, KV, hd).transpose(1, 2)
            v = v.view(B, T, KV, hd).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            # query head h reads kv head h // (H / KV)
            k = k.repeat_interleave(H // KV, dim=1)
            v = v.repeat_interleave(H // KV, dim=1)
            s = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
            o = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H * hd)
            x = x + F.linear(o, self.w(a + "self_attn.o_proj.weight"))
            n = rms_norm(x, self.w(a + "post_attention_layernorm.weight"), cfg.eps)
            g = F.linear(n, self.w(a + "mlp.gate_proj.weight"))
            u = F.linear(n, self.w(a + "mlp.up_proj.weight"))
            x = x + F.linear(F.silu(g) * u, self.w(a + "mlp.down_proj.weight"))
        return rms_norm(x, self.w("model.norm.weight"), cfg.eps)

    def sft_loss(self, ids, attn_mask, completion_mask):
        """Mean NLL over completion tokens: logits at t scored against token t + 1 when
        completion_mask[t + 1] = 1. Only those rows reach the LM head, as in the TF.js trainer."""
        h = self.hidden(ids, attn_mask)
        sel = completion_mask[:, 1:].bool()
        rows = h[:, :-1][sel]  # [N, D]
        targets = ids[:, 1:][sel]
        logits = rows @ self.lm_head().t()
        return F.cross_entropy(logits, targets)


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError(f"{path}: {name}: only F32 is read here, got {e['dtype']}")
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(buf[base + b : base + end]), dtype=torch.float32)
        out[name] = t.reshape(e["shape"])
    return out


def check(fixture_dir):
    """SFT loss and global gradient norm on the shared qwen2-tiny fixture vs. its float64 goldens."""
    cfg = Config(json.load(open(os.path.join(fixture_dir, "config.json"))))
    exp = json.load(open(os.path.join(fixture_dir, "expected.json")))["sft"]
    model = Qwen2(cfg)
    weights = read_safetensors(os.path.join(fixture_dir, "model.safetensors"))
    with torch.no_grad():
        for name in model.names:
            model.w(name).copy_(weights[name])
    ids = torch.tensor(exp["input_ids"])
    loss = model.sft_loss(ids, torch.tensor(exp["attention_mask"]), torch.tensor(exp["completion_mask"]))
    loss.backward()
    gnorm = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters()))
    ok = abs(loss.item() - exp["loss"]) < 1e-4 and abs(gnorm - exp["global_grad_norm"]) < 1e-3 * exp["global_grad_norm"]
    return {
        "loss": loss.item(),
        "expected_loss": exp["loss"],
        "global_grad_norm": gnorm,
        "expected_global_grad_norm": exp["global_grad_norm"],
        "ok": ok,
    }


def blas_library():
    """The BLAS shared object actually loaded: Debian's python3-torch calls whatever libblas.so.3
    points to, and the reference libblas3 is ~20x slower than libopenblas0-pthread."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.split()[-1]}
    except OSError:
        return None
    for lib in sorted(libs):
        return os.path.realpath(lib)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("preset", nargs="?", help="models/<name>.json (or a bare config.json)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--max-grad-norm", type=float, default=0.1)
    ap.add_argument("--check", metavar="FIXTURE_DIR", help="also verify the loss on fixtures/qwen2-tiny")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library()}
    if a.check:
        result["check"] = check(a.check)
    if a.preset:
        raw = json.load(open(a.preset))
        cfg = Config(raw.get("config", raw))
        if a.seq < 2 or a.batch < 1 or a.steps < 1:
            sys.exit("bench_train_torch: --seq must be >= 2, --batch and --steps >= 1")
        model = Qwen2(cfg)
        decay = [model.w(n) for n in model.names if not n.endswith(".bias") and "norm" not in n]
        no_decay = [model.w(n) for n in model.names if n.endswith(".bias") or "norm" in n]
        opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=a.lr, betas=(0.9, 0.999), eps=1e-8,
        )
        g = torch.Generator().manual_seed(1)
        B, T = a.batch, a.seq
        attn = torch.ones(B, T, dtype=torch.long)
        comp = torch.zeros(B, T, dtype=torch.long)
        comp[:, T // 2 :] = 1  # completion = second half of each row

        def step():
            ids = torch.randint(0, cfg.vocab, (B, T), generator=g)
            opt.zero_grad(set_to_none=True)
            loss = model.sft_loss(ids, attn, comp)
            loss.backward()
            if a.max_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.max_grad_norm)
            opt.step()
            return loss.item()

        losses = [step() for _ in range(a.warmup)]
        times = []
        cpu_times = []  # CPU time of the whole process (all threads): steadier than wall time under load
        for _ in range(a.steps):
            t0 = time.perf_counter()
            c0 = time.process_time()
            losses.append(step())
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        total = sum(times)
        result.update({
            "parameters": sum(p.numel() for p in model.parameters()),
            "batch": B,
            "seq": T,
            "steps": a.steps,
            "warmup": a.warmup,
            "step_seconds": times,
            "cpu_step_seconds": cpu_times,
            "tokens_per_s": B * T * a.steps / total,
            "first_loss": losses[0],
            "last_loss": losses[-1],
        })
    print(json.dumps(result))
    if a.check and not result["check"]["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
