#!/usr/bin/env python3
"""A small random LlamaForCausalLM in the Hugging Face folder layout, to be trained and then quantised (q8).

    python3 bench/q8-quality-model.py OUT_DIR [--hidden 128] [--layers 4] [--context 128]

The q8 quality figure (README, bench/RESULTS.md) needs a model that has learned something: random weights say
nothing about perplexity. This writes the untrained starting point; bench/q8-quality.sh imports it, fine-tunes it
on a shipped corpus, quantises it and scores both on the corpus's held-out split.

Shape: SmolLM2-like proportions at a size that trains in minutes on 2 cores: grouped-query attention (heads / 2
kv heads), SwiGLU MLP of 3 x hidden, RMSNorm, RoPE theta 10000, tied embeddings. Weights are drawn as
transformers' _init_weights does (normal, std 0.02; norms 1). The tokenizer is the byte-level BPE of
test/fixtures/hf/tiny-llama-untied (299 tokens, no chat template: a base model). Needs only NumPy.
"""

import argparse
import json
import os
import shutil
import struct

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOKENIZER = os.path.join(ROOT, "test", "fixtures", "hf", "tiny-llama-untied")


def write_safetensors(path, tensors):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(tensors):
        raw = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for raw in blobs:
            f.write(raw)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    tokenizer = json.load(open(os.path.join(TOKENIZER, "tokenizer.json")))
    tok_config = json.load(open(os.path.join(TOKENIZER, "tokenizer_config.json")))
    vocab = len(tokenizer["model"]["vocab"]) + sum(1 for t in tokenizer["added_tokens"] if t["content"] not in tokenizer["model"]["vocab"])
    eot = tokenizer["model"]["vocab"].get("<|endoftext|>") or next(t["id"] for t in tokenizer["added_tokens"] if t["content"] == "<|endoftext|>")
    E, L, H, Hkv = a.hidden, a.layers, a.heads, a.kv_heads
    d, I = E // H, 3 * E
    cfg = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": eot, "eos_token_id": eot, "hidden_act": "silu", "hidden_size": E,
        "initializer_range": 0.02, "intermediate_size": I, "max_position_embeddings": a.context,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": H, "num_hidden_layers": L,
        "num_key_value_heads": Hkv, "pretraining_tp": 1, "rms_norm_eps": 1e-5, "rope_scaling": None,
        "rope_theta": 10000.0, "tie_word_embeddings": True, "torch_dtype": "float32", "use_cache": True,
        "vocab_size": vocab,
    }
    rng = np.random.default_rng(a.seed)
    normal = lambda *shape: rng.normal(0.0, 0.02, size=shape).astype(np.float32)
    w = {"model.embed_tokens.weight": normal(vocab, E), "model.norm.weight": np.ones(E, np.float32)}
    for i in range(L):
        pre = f"model.layers.{i}."
        w.update({
            pre + "input_layernorm.weight": np.ones(E, np.float32),
            pre + "post_attention_layernorm.weight": np.ones(E, np.float32),
            pre + "self_attn.q_proj.weight": normal(H * d, E),
            pre + "self_attn.k_proj.weight": normal(Hkv * d, E),
            pre + "self_attn.v_proj.weight": normal(Hkv * d, E),
            pre + "self_attn.o_proj.weight": normal(E, H * d),
            pre + "mlp.gate_proj.weight": normal(I, E),
            pre + "mlp.up_proj.weight": normal(I, E),
            pre + "mlp.down_proj.weight": normal(E, I),
        })

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    write_safetensors(os.path.join(a.out, "model.safetensors"), w)
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    json.dump(tokenizer, open(os.path.join(a.out, "tokenizer.json"), "w"), ensure_ascii=False)
    json.dump({**tok_config, "model_max_length": a.context}, open(os.path.join(a.out, "tokenizer_config.json"), "w"), indent=2)
    params = sum(v.size for v in w.values())
    print(f"{a.out}: LlamaForCausalLM hidden {E}, {L} layers, {H} heads / {Hkv} kv, MLP {I}, vocab {vocab}, "
          f"context {a.context}, tied; {params:,} parameters")


if __name__ == "__main__":
    main()
