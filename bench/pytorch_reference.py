#!/usr/bin/env python3
"""PyTorch (1.13, CPU, float32) speed reference for Inkling's bench workloads (d) and (e).

Plain PyTorch, random weights (seed 0), no downloads. Run it through bench/pytorch-reference.sh,
which points torch at the OpenBLAS pthread build; the JSON says which BLAS was really mapped.

  (d) GPT-2-124M shape: prefill, decode, full fine-tune (AdamW), LoRA fine-tune
  (e) SmolLM2-135M shape (Llama, GQA, RoPE): prefill, decode, LoRA fine-tune

Timing (time.perf_counter wall clock, torch.set_num_threads(--threads), OPENBLAS_NUM_THREADS too):
  prefill   one batch-1 forward over a 256-token prompt that fills the KV cache and computes the
            logits of the last position only; 1 warm-up, median of 3; tokens = 256 prompt tokens.
  decode    after a 256-token prefill (not timed), 100 steps of: one-token forward with the KV
            cache, greedy argmax of the last logits, feed it back; 1 short warm-up run, median of
            3 runs; tokens = generated tokens; tok/s = 100 / time of the 100 steps.
  finetune  batch 4 x 128 random tokens, next-token cross-entropy on all 128 positions, one step =
            zero_grad + forward + loss + backward + AdamW step (lr 1e-4, wd 0.01); no dropout;
            2 warm-up steps, median of 5; tokens = 4 * 128 = 512 per step.
  lora      same step, base weights (embeddings and tied head included) frozen, rank-8 adapters
            (alpha 16, B = 0 at start) on the listed projections, AdamW on the adapters only.
--quick: 1 warm-up and 1-2 timed repeats, 20 decode tokens (same shapes otherwise).

Every (workload, phase) runs in its own child process (the script re-invokes itself with --phase),
so each phase's peak RSS is that child's resource.getrusage ru_maxrss (model + phase) and one phase's
heap does not inflate the next; peak_rss_mb is the largest of them. Prints ONE JSON object on stdout;
progress goes to stderr.
"""
import argparse, json, os, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--workload", choices=["d", "e", "all"], default="all")
ap.add_argument("--quick", action="store_true")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--phase", help=argparse.SUPPRESS)  # internal: run one phase, print its JSON
args = ap.parse_args()
# OpenBLAS reads its thread count when it is loaded (at `import torch`): set it first.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[var] = str(args.threads)
# For the phase children (read at their start; set yours to override, an empty value disables):
# - glibc malloc: tensors over 32 MB are fresh mmaps every step and freed heap tops are trimmed, so
#   each step re-faults its memory in 4 KiB pages; in this VM a fault costs ~25 us (a 100 MB softmax:
#   690 ms with 4 KiB faults, 55 ms with transparent huge pages). hugetlb=1 madvises THP; the
#   thresholds keep freed memory for reuse (the jemalloc/tcmalloc advice of PyTorch's CPU tuning guide).
# - libgomp's spinning idle workers compete with OpenBLAS's own pthreads for the 2 cores: PASSIVE.
os.environ.setdefault("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=4294967296:"
                      "glibc.malloc.mmap_threshold=33554432")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import resource, statistics
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(args.threads)
Q = args.quick
PROMPT, NEW, BATCH, SEQ = 256, (20 if Q else 100), 4, 128
REPS = 1 if Q else 3
WARM, STEPS = (1, 2) if Q else (2, 5)
PHASES = {"d": ["prefill", "decode", "finetune", "lora"], "e": ["prefill", "decode", "lora"]}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Linear(nn.Module):
    """nn.Linear with an optional LoRA adapter: y = x W^T + b + (alpha/r) x A^T B^T."""
    def __init__(self, i, o, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i) * 0.02)
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None
        self.lora = None

    def add_lora(self, r=8, alpha=16):
        o, i = self.weight.shape
        self.lora = nn.ParameterList([nn.Parameter(torch.randn(r, i) / r), nn.Parameter(torch.zeros(o, r))])
        self.scale = alpha / r

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.lora is not None:
            y = y + F.linear(F.linear(x, self.lora[0]), self.lora[1]) * self.scale
        return y


def attend(q, k, v):
    """q: (B,H,Tq,hd), k/v: (B,H,Tk,hd) incl. cache; causal, the queries are the last Tq positions."""
    s = (q @ k.transpose(-2, -1)) * q.shape[-1] ** -0.5
    tq, tk = q.shape[2], k.shape[2]
    if tq > 1:
        s = s.masked_fill(torch.ones(tq, tk, dtype=torch.bool).triu(tk - tq + 1), float("-inf"))
    return s.softmax(-1) @ v


# ---- (d) GPT-2-124M: 12 layers, d768, 12 heads (hd 64), MLP 3072 gelu-tanh, LayerNorm,
#      learned positions (1024), vocab 50257, head tied to wte, biases everywhere.
class GPT2Block(nn.Module):
    def __init__(s, d=768, h=12):
        super().__init__()
        s.h, s.ln1, s.ln2 = h, nn.LayerNorm(d), nn.LayerNorm(d)
        s.c_attn, s.c_proj = Linear(d, 3 * d), Linear(d, d)        # fused qkv, attention out
        s.c_fc, s.mlp_proj = Linear(d, 4 * d), Linear(4 * d, d)    # MLP 768 -> 3072 -> 768

    def forward(s, x, cache):
        B, T, D = x.shape
        q, k, v = (t.view(B, T, s.h, D // s.h).transpose(1, 2) for t in s.c_attn(s.ln1(x)).split(D, -1))
        if cache is not None:
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        x = x + s.c_proj(attend(q, k, v).transpose(1, 2).reshape(B, T, D))
        x = x + s.mlp_proj(F.gelu(s.c_fc(s.ln2(x)), approximate="tanh"))
        return x, (k, v)


class GPT2(nn.Module):
    lora_targets = ("c_attn", "c_proj", "c_fc", "mlp_proj")

    def __init__(s, L=12, d=768, V=50257, P=1024):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(V, d), nn.Embedding(P, d)
        nn.init.normal_(s.wte.weight, std=0.02), nn.init.normal_(s.wpe.weight, std=0.01)
        s.blocks, s.ln_f = nn.ModuleList(GPT2Block(d) for _ in range(L)), nn.LayerNorm(d)

    def forward(s, ids, caches=None, last_only=False):
        past = 0 if caches is None else caches[0][0].shape[2]
        x = s.wte(ids) + s.wpe(torch.arange(past, past + ids.shape[1]))
        new = []
        for i, b in enumerate(s.blocks):
            x, kv = b(x, None if caches is None else caches[i])
            new.append(kv)
        x = s.ln_f(x[:, -1:] if last_only else x)
        return F.linear(x, s.wte.weight), new                     # tied head


# ---- (e) SmolLM2-135M: Llama, 30 layers, hidden 576, 9 q heads / 3 kv heads (hd 64, GQA x3),
#      SwiGLU MLP 1536, RMSNorm eps 1e-5, RoPE theta 100000 (rotate-half), vocab 49152, tied, no biases.
class RMSNorm(nn.Module):
    def __init__(s, d, eps=1e-5):
        super().__init__()
        s.weight, s.eps = nn.Parameter(torch.ones(d)), eps

    def forward(s, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps) * s.weight


def rope(x, cos, sin):
    a, b = x.chunk(2, -1)
    return x * cos + torch.cat([-b, a], -1) * sin


class LlamaBlock(nn.Module):
    def __init__(s, d=576, h=9, kvh=3, ff=1536):
        super().__init__()
        s.h, s.kvh, s.hd = h, kvh, d // h
        s.ln1, s.ln2 = RMSNorm(d), RMSNorm(d)
        s.q, s.k, s.v, s.o = Linear(d, d, False), Linear(d, kvh * s.hd, False), Linear(d, kvh * s.hd, False), Linear(d, d, False)
        s.gate, s.up, s.down = Linear(d, ff, False), Linear(d, ff, False), Linear(ff, d, False)

    def forward(s, x, cache, cos, sin):
        B, T, D = x.shape
        y = s.ln1(x)
        q = rope(s.q(y).view(B, T, s.h, s.hd).transpose(1, 2), cos, sin)
        k = rope(s.k(y).view(B, T, s.kvh, s.hd).transpose(1, 2), cos, sin)
        v = s.v(y).view(B, T, s.kvh, s.hd).transpose(1, 2)
        if cache is not None:                                     # cache holds the 3 kv heads only
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        rep = lambda t: t[:, :, None].expand(B, s.kvh, s.h // s.kvh, *t.shape[2:]).reshape(B, s.h, *t.shape[2:])
        x = x + s.o(attend(q, rep(k), rep(v)).transpose(1, 2).reshape(B, T, D))
        y = s.ln2(x)
        return x + s.down(F.silu(s.gate(y)) * s.up(y)), (k, v)


class Llama(nn.Module):
    lora_targets = ("q", "k", "v", "o", "gate", "up", "down")

    def __init__(s, L=30, d=576, V=49152, theta=100000.0, maxpos=2048):
        super().__init__()
        s.embed = nn.Embedding(V, d)
        nn.init.normal_(s.embed.weight, std=0.02)
        s.blocks, s.norm = nn.ModuleList(LlamaBlock(d) for _ in range(L)), RMSNorm(d)
        hd = d // 9
        f = torch.outer(torch.arange(maxpos).float(), 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd))
        s.cos, s.sin = torch.cat([f, f], -1).cos(), torch.cat([f, f], -1).sin()

    def forward(s, ids, caches=None, last_only=False):
        past, T = (0 if caches is None else caches[0][0].shape[2]), ids.shape[1]
        cos, sin, x, new = s.cos[past:past + T], s.sin[past:past + T], s.embed(ids), []
        for i, b in enumerate(s.blocks):
            x, kv = b(x, None if caches is None else caches[i], cos, sin)
            new.append(kv)
        x = s.norm(x[:, -1:] if last_only else x)
        return F.linear(x, s.embed.weight), new                   # tied head


def median_time(fn, warm, reps):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def run_phase(workload, phase):
    torch.manual_seed(0)
    model = GPT2() if workload == "d" else Llama()
    V = model.wte.num_embeddings if workload == "d" else model.embed.num_embeddings
    log(f"[{workload}/{phase}] {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M params")
    if phase in ("prefill", "decode"):
        model.eval()
        prompt = torch.randint(V, (1, PROMPT))
        with torch.inference_mode():
            if phase == "prefill":
                return PROMPT / median_time(lambda: model(prompt, last_only=True), 1, REPS)

            def gen(n):
                logits, cache = model(prompt, last_only=True)
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                t = time.perf_counter()
                for _ in range(n):
                    logits, cache = model(nxt, cache, last_only=True)
                    nxt = logits[:, -1].argmax(-1, keepdim=True)
                return time.perf_counter() - t
            gen(5)
            return NEW / statistics.median(gen(NEW) for _ in range(REPS))
    if phase == "lora":
        for p in model.parameters():
            p.requires_grad_(False)
        for b in model.blocks:
            for t in model.lora_targets:
                getattr(b, t).add_lora()
    params = [p for p in model.parameters() if p.requires_grad]
    log(f"[{workload}/{phase}] training {sum(p.numel() for p in params) / 1e6:.2f}M params")
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    model.train()
    data = torch.randint(V, (BATCH, SEQ + 1))

    def step():
        opt.zero_grad(set_to_none=True)
        logits, _ = model(data[:, :-1])
        F.cross_entropy(logits.reshape(-1, V), data[:, 1:].reshape(-1)).backward()
        opt.step()
    return BATCH * SEQ / median_time(step, WARM, STEPS)


def blas_in_use():
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if any(n in l for n in ("blas", "mkl", "blis"))})
    kind = ("openblas" if any("openblas" in l for l in libs) else "mkl" if any("mkl" in l for l in libs)
            else "blis" if any("blis" in l for l in libs) else "reference" if any("/blas/" in l for l in libs) else "unknown")
    return kind, libs


if args.phase:  # child: one phase, one JSON line
    w, ph = args.phase.split("/")
    rate = run_phase(w, ph)
    print(json.dumps({"tok_s": round(rate, 2), "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "load": round(os.getloadavg()[0], 2)}))
    sys.exit(0)

kind, libs = blas_in_use()
out = {"torch": torch.__version__, "threads": args.threads, "blas": kind, "blas_libs": libs, "quick": Q,
       "torch_blas_info": next((t.split("=")[1] for t in torch.__config__.show().replace(",", " ").split() if t.startswith("BLAS_INFO=")), None),
       "env": {k: os.environ.get(k) for k in ("LD_LIBRARY_PATH", "GLIBC_TUNABLES", "OMP_WAIT_POLICY")},
       "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
log(f"torch {torch.__version__}, {args.threads} threads, BLAS {kind}: {libs}")
t0 = time.time()
for w in (["d", "e"] if args.workload == "all" else [args.workload]):
    res, rss, load = {}, {}, {}
    for ph in PHASES[w]:
        cmd = [sys.executable, os.path.abspath(__file__), "--phase", f"{w}/{ph}", "--threads", str(args.threads)] + (["--quick"] if Q else [])
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            res[f"{ph}_error"] = f"exit {p.returncode}"
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        res[f"{ph}_tok_s"], rss[ph], load[ph] = r["tok_s"], r["rss_mb"], r["load"]
        log(f"[{w}/{ph}] {r['tok_s']} tok/s, peak RSS {r['rss_mb']} MB, load {r['load']}")
    res["peak_rss_mb"], res["peak_rss_mb_by_phase"] = max(rss.values(), default=None), rss
    res["loadavg_1min_by_phase"] = load  # at the end of each phase
    out[w] = res
out["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
out["seconds"] = round(time.time() - t0, 1)
print(json.dumps(out))
