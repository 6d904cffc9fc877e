#!/usr/bin/env python3
"""Checks an `inkling export --format hf` folder with code that shares nothing with Inkling.

Reads config.json and model.safetensors with make-hf-fixtures.py's own safetensors reader and float64 GPT-2
forward pass (written from transformers' modeling_gpt2.py), checks that the keys and shapes are the ones
GPT2LMHeadModel's state dict has, and compares the logits with the ones Inkling gave for the same ids.
    python3 scripts/check-hf-export.py EXPORTED_DIR INKLING_LOGITS.json
INKLING_LOGITS.json: {"ids": [...], "logits": [[...vocab...] per position]}. Needs python3-torch and numpy (apt).
"""
import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fixtures", os.path.join(here, "make-hf-fixtures.py"))
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
torch = fixtures.torch

folder, logits_file = sys.argv[1], sys.argv[2]
cfg = json.load(open(os.path.join(folder, "config.json")))
assert cfg["architectures"] == ["GPT2LMHeadModel"], cfg["architectures"]
assert cfg["model_type"] == "gpt2", cfg.get("model_type")
w = fixtures.read_safetensors(os.path.join(folder, "model.safetensors"))
prefix = "transformer." if "transformer.wte.weight" in w else ""
E, L, V, P = cfg["n_embd"], cfg["n_layer"], cfg["vocab_size"], cfg["n_positions"]
inner = cfg.get("n_inner") or 4 * E
want = {"wte.weight": [V, E], "wpe.weight": [P, E], "ln_f.weight": [E], "ln_f.bias": [E]}
for i in range(L):
    for name, shape in [("ln_1.weight", [E]), ("ln_1.bias", [E]), ("attn.c_attn.weight", [E, 3 * E]), ("attn.c_attn.bias", [3 * E]),
                        ("attn.c_proj.weight", [E, E]), ("attn.c_proj.bias", [E]), ("ln_2.weight", [E]), ("ln_2.bias", [E]),
                        ("mlp.c_fc.weight", [E, inner]), ("mlp.c_fc.bias", [inner]), ("mlp.c_proj.weight", [inner, E]), ("mlp.c_proj.bias", [E])]:
        want[f"h.{i}.{name}"] = shape
got = {k[len(prefix):]: list(v.shape) for k, v in w.items() if k != "lm_head.weight"}
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
wrong = sorted(k for k in want if k in got and got[k] != want[k])
assert not missing and not extra and not wrong, (missing, extra, wrong)
ref = json.load(open(logits_file))
ours = fixtures.gpt2_forward(w, cfg, ref["ids"], prefix=prefix)
theirs = torch.tensor(ref["logits"], dtype=torch.float64)
diff = (ours - theirs).abs().max().item()
print(json.dumps({"keys": len(got), "prefix": prefix, "positions": len(ref["ids"]), "max_abs_diff": diff}))
sys.exit(0 if diff < 1e-4 else 1)
