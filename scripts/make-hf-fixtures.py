#!/usr/bin/env python3
"""Tiny random Hugging Face models, and their reference outputs, for Inkling's offline tests.

    python3 scripts/make-hf-fixtures.py

Needs Python 3 with PyTorch and NumPy (Debian: `apt-get install python3-torch python3-numpy`); nothing
from PyPI, no network. If the first `python3` on PATH has no torch (a pyenv shim, say) the script re-runs
itself with /usr/bin/python3.

It writes exactly these folders under test/fixtures/hf/ (each is emptied first, so a re-run leaves no stale
files) and nothing else; test/fixtures/hf/README.md is written by hand:

    tiny-gpt2          GPT2LMHeadModel, F32 model.safetensors with `transformer.` keys, a stored `attn.bias`
                       causal-mask buffer in layer 0, tied lm_head; tokenizer.json + vocab.json + merges.txt
    tiny-gpt2-f16      the same weights rounded to F16, keys without the `transformer.` prefix (as the original
                       openai gpt2 repo stores them), sharded in two files with model.safetensors.index.json;
                       vocab.json + merges.txt only (no tokenizer.json)
    tiny-llama         LlamaForCausalLM, GQA (4 heads, 2 kv heads), llama3 rope_scaling, BF16, tied embeddings,
                       SmolLM2-135M-Instruct's chat template
    tiny-llama-untied  LlamaForCausalLM, separate lm_head.weight, linear rope_scaling (old `type` key), F32,
                       no chat template (a base model)
    tiny-qwen2         Qwen2ForCausalLM, q/k/v biases, 1 kv head, rope_theta 1e6, F32, tied embeddings, the
                       embedding padded past the tokenizer's size (as Qwen2.5 does), Qwen2.5-Instruct's chat template

Every folder also gets config.json, tokenizer_config.json and reference.json:

    {"model", "dtype", "texts", "inputs": [[ids...]...], "logits": [seq][position][vocab],
     "greedy": {"prompt", "prompt_text", "tokens", "min_top2_gap"},
     "chat": [{"messages", "add_generation_prompt", "text", "ids"}]}   (chat: the two instruct models only)

The reference logits come from the plain-PyTorch forward passes below, run in float64 on the weights exactly as
stored (after F16/BF16 rounding), rounded to 7 significant digits. They share no code with Inkling; they follow
the conventions of Hugging Face transformers' modeling_gpt2.py, modeling_llama.py, modeling_qwen2.py and
modeling_rope_utils.py (read, not copied): GPT-2 Conv1D weights are [in, out] (y = x @ W + b), nn.Linear weights
are [out, in] (y = x @ W.T); RoPE is the rotate_half form with cos/sin = cat(freqs, freqs) over the head
dimension and inv_freq = 1 / theta ** (arange(0, d, 2) / d); llama3 rope scaling is the wavelength-banded
formula; grouped kv heads are repeated with repeat_kv (query head h reads kv head h // n_rep); RMSNorm is
weight * (x * rsqrt(mean(x^2) + eps)); gelu_new is the tanh approximation; scores are scaled by
1 / sqrt(head_dim) and causally masked. Greedy decoding recomputes the whole sequence at every step (no cache).

The tokenizer is a byte-level BPE in the exact format of Hugging Face `tokenizers`: the 256 byte symbols in
GPT-2's bytes_to_unicode order, then 40 merges learned here from a few lines of English, then the special tokens.

The script checks itself (safetensors read back bit-exact, GQA against explicitly repeated kv heads, rotate_half
RoPE against the pairwise rotation, gelu_new and layer norm against torch's, causality, the BPE round trip) and
prints a summary. Output is deterministic (fixed seeds, one thread).
"""

import os
import sys

try:
    import numpy as np
    import torch
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("make-hf-fixtures: needs numpy and torch (Debian: apt-get install python3-torch python3-numpy)")

import json
import math
import re
import shutil
import struct
from collections import Counter

torch.set_num_threads(1)
F64 = torch.float64

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "hf")
TRANSFORMERS_VERSION = "4.44.2"  # what the written config files claim to come from

# ----------------------------------------------------------------------------------------------------------------
# Tokenizer: byte-level BPE

TRAINING_TEXT = (
    "The quick brown fox jumps over the lazy dog.\n"
    "The cat sat on the mat, and the dog sat on the log.\n"
    "Once upon a time there was a little model that wanted to talk.\n"
    "It read the same lines again and again, and then it spoke.\n"
    "Hello world! Hello there, how are you today? I am fine, thank you.\n"
    "The model is small, but the model is ready to learn what the words mean.\n"
)
N_MERGES = 40

# GPT-2's pre-tokenizer pattern, with \p{L} / \p{N} narrowed to ASCII: every text this script encodes is ASCII
# (asserted), and for ASCII the two agree.
PRETOKENIZE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's byte -> printable character table, as an ordered list of (byte, char)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


BYTE_TABLE = bytes_to_unicode()
BYTE_TO_CHAR = dict(BYTE_TABLE)
CHAR_TO_BYTE = {c: b for b, c in BYTE_TABLE}


def pieces(text):
    assert text.isascii(), "the script's pre-tokenizer only handles ASCII"
    return [byte_chars(p) for p in PRETOKENIZE.findall(text)]


def byte_chars(piece):
    return "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))


def learn_merges(text, n_merges):
    """Plain BPE training: merge the most frequent adjacent pair (ties: the smallest pair) n_merges times."""
    words = Counter(tuple(p) for p in pieces(text))
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for word, freq in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += freq
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = Counter()
        for word, freq in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += freq
        words = merged
    return merges


class ByteBPE:
    def __init__(self, merges, specials):
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.vocab = {}
        for _, ch in BYTE_TABLE:
            self.vocab[ch] = len(self.vocab)
        for a, b in merges:
            assert a + b not in self.vocab, f"merge {a!r}+{b!r} makes an existing token"
            self.vocab[a + b] = len(self.vocab)
        self.specials = list(specials)
        for s in self.specials:
            self.vocab[s] = len(self.vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    def __len__(self):
        return len(self.vocab)

    def bpe(self, symbols):
        symbols = list(symbols)
        while len(symbols) > 1:
            ranked = [(self.ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(ranked)
            if rank == math.inf:
                break
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        return symbols

    def encode(self, text):
        """Special tokens are split out first (longest first), then GPT-2 pre-tokenization, bytes, BPE."""
        ids = []
        if self.specials:
            alternation = "|".join(re.escape(s) for s in sorted(self.specials, key=len, reverse=True))
            chunks = re.split(f"({alternation})", text)
        else:
            chunks = [text]
        for chunk in chunks:
            if chunk in self.specials:
                ids.append(self.vocab[chunk])
            elif chunk:
                for piece in pieces(chunk):
                    ids.extend(self.vocab[s] for s in self.bpe(piece))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if tok in self.specials:
                out += tok.encode("utf-8")
            else:
                out += bytes(CHAR_TO_BYTE[c] for c in tok)
        return out.decode("utf-8", errors="replace")

    def tokenizer_json(self, special_normalized, merges_as_pairs, post_processor):
        """tokenizer.json exactly as Hugging Face `tokenizers` writes a byte-level BPE."""
        added = [
            {"id": self.vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": special_normalized, "special": True}
            for s in self.specials
        ]
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": byte_level,
            "post_processor": (
                {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
                if post_processor else None
            ),
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": "" if not merges_as_pairs else None,
                "end_of_word_suffix": "" if not merges_as_pairs else None,
                "fuse_unk": False,
                "byte_fallback": False,
                **({"ignore_merges": False} if merges_as_pairs else {}),
                "vocab": self.vocab,
                "merges": [[a, b] for a, b in self.merges] if merges_as_pairs else [f"{a} {b}" for a, b in self.merges],
            },
        }

    def vocab_json(self):
        return self.vocab

    def merges_txt(self):
        return "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges)

    def added_tokens_decoder(self, normalized):
        return {
            str(self.vocab[s]): {"content": s, "lstrip": False, "normalized": normalized, "rstrip": False,
                                 "single_word": False, "special": True}
            for s in self.specials
        }


# ----------------------------------------------------------------------------------------------------------------
# Chat templates, verbatim.
#
# Qwen2.5-Instruct: byte-identical to trl/chat_templates/qwen2_5.jinja in github.com/huggingface/trl (TRL matches
# it with == against `tokenizer.chat_template` to recognise Qwen2.5 checkpoints; the trailing newline is part of it).
QWEN25_CHAT_TEMPLATE = (
    "{%- if tools %}\n"
    "    {{- '<|im_start|>system\\n' }}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- messages[0]['content'] }}\n"
    "    {%- else %}\n"
    "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n"
    "    {%- endif %}\n"
    "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
    "    {%- for tool in tools %}\n"
    "        {{- \"\\n\" }}\n"
    "        {{- tool | tojson }}\n"
    "    {%- endfor %}\n"
    "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
    "{%- else %}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
    "    {%- else %}\n"
    "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
    "    {%- endif %}\n"
    "{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- elif message.role == \"assistant\" %}\n"
    "        {{- '<|im_start|>' + message.role }}\n"
    "        {%- if message.content %}\n"
    "            {{- '\\n' + message.content }}\n"
    "        {%- endif %}\n"
    "        {%- for tool_call in message.tool_calls %}\n"
    "            {%- if tool_call.function is defined %}\n"
    "                {%- set tool_call = tool_call.function %}\n"
    "            {%- endif %}\n"
    "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n"
    "            {{- tool_call.name }}\n"
    "            {{- '\", \"arguments\": ' }}\n"
    "            {{- tool_call.arguments | tojson }}\n"
    "            {{- '}\\n</tool_call>' }}\n"
    "        {%- endfor %}\n"
    "        {{- '<|im_end|>\\n' }}\n"
    "    {%- elif message.role == \"tool\" %}\n"
    "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n"
    "            {{- '<|im_start|>user' }}\n"
    "        {%- endif %}\n"
    "        {{- '\\n<tool_response>\\n' }}\n"
    "        {{- message.content }}\n"
    "        {{- '\\n</tool_response>' }}\n"
    "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n"
    "            {{- '<|im_end|>\\n' }}\n"
    "        {%- endif %}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)

# SmolLM2-135M-Instruct's tokenizer_config.json chat_template (one line; `\n` inside the Jinja string literals).
SMOLLM2_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
    "{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# What the templates render (HF apply_chat_template: jinja2 with trim_blocks and lstrip_blocks) for a few
# conversations. Written out here; checked against a real Jinja render when python3-jinja2 is installed.
SMOL_SYSTEM = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
QWEN_SYSTEM = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
BRIEF_CHAT = ("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n"
              "<|im_start|>assistant\n")


def chat_examples(default_system):
    hi = {"role": "user", "content": "Hi there"}
    return [
        {"messages": [hi], "add_generation_prompt": True,
         "text": default_system + "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"},
        {"messages": [{"role": "system", "content": "Be brief."}, hi], "add_generation_prompt": True,
         "text": BRIEF_CHAT},
        {"messages": [hi, {"role": "assistant", "content": "Hello! How are you?"}, {"role": "user", "content": "Fine."}],
         "add_generation_prompt": False,
         "text": default_system + "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello! How are you?"
                 "<|im_end|>\n<|im_start|>user\nFine.<|im_end|>\n"},
    ]


def check_chat_examples(template, examples, tok):
    """Adds the token ids of each rendering; renders the template with jinja2 (as transformers does) if present."""
    try:
        import jinja2
        import jinja2.sandbox
    except ImportError:
        jinja2 = None
    out = []
    for ex in examples:
        if jinja2 is not None:
            env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                               extensions=["jinja2.ext.loopcontrols"])
            env.filters["tojson"] = lambda x, indent=None: json.dumps(x, ensure_ascii=False, indent=indent)
            text = env.from_string(template).render(messages=ex["messages"],
                                                    add_generation_prompt=ex["add_generation_prompt"])
            assert text == ex["text"], (text, ex["text"])
        out.append(dict(ex, ids=tok.encode(ex["text"])))
    return out, jinja2 is not None


# ----------------------------------------------------------------------------------------------------------------
# safetensors

DTYPES = {"F32": (torch.float32, "<f4", 4), "F16": (torch.float16, "<f2", 2), "BF16": (torch.bfloat16, "<i2", 2)}


def stored(t, dtype):
    """The tensor rounded to the file dtype (round to nearest even), and its little-endian bytes."""
    torch_dtype, np_dtype, _ = DTYPES[dtype]
    r = t.detach().to(torch.float32).contiguous().to(torch_dtype)
    raw = (r.view(torch.int16) if dtype == "BF16" else r).numpy().astype(np_dtype).tobytes()
    return r, raw


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype, shape, raw bytes)}. Header: u64 LE length, JSON padded with spaces to 8 bytes."""
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        assert len(raw) == DTYPES[dtype][2] * int(np.prod(shape, dtype=np.int64))
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    return offset


def read_safetensors(path):
    """An independent reader, for the round-trip check: {name: float64 tensor}."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = body[a:b]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=DTYPES[info["dtype"]][1])
        out[name] = torch.from_numpy(arr.astype(np.float64).reshape(info["shape"]))
    return out


# ----------------------------------------------------------------------------------------------------------------
# Reference forward passes (float64)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def causal_attention(q, k, v):
    """q: [H, T, d], k/v: [H, T, d] (already repeated for GQA). Scaled dot product with a causal mask."""
    T, d = q.shape[1], q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def repeat_kv(x, n_rep):
    """[Hkv, T, d] -> [Hkv * n_rep, T, d]; query head h reads kv head h // n_rep (as HF repeat_kv)."""
    hkv, t, d = x.shape
    return x[:, None, :, :].expand(hkv, n_rep, t, d).reshape(hkv * n_rep, t, d)


def gpt2_forward(w, cfg, ids, prefix="transformer."):
    """GPT2LMHeadModel: Conv1D weights are [in, out]; lm_head is wte (tied)."""
    E, H = cfg["n_embd"], cfg["n_head"]
    d = E // H
    T = len(ids)
    p = lambda name: w[prefix + name]
    x = p("wte.weight")[ids] + p("wpe.weight")[torch.arange(T)]
    for layer in range(cfg["n_layer"]):
        L = lambda name: p(f"h.{layer}.{name}")
        h = layer_norm(x, L("ln_1.weight"), L("ln_1.bias"), cfg["layer_norm_epsilon"])
        qkv = h @ L("attn.c_attn.weight") + L("attn.c_attn.bias")
        q, k, v = qkv.split(E, dim=-1)
        heads = lambda t: t.view(T, H, d).transpose(0, 1)
        a = causal_attention(heads(q), heads(k), heads(v)).transpose(0, 1).reshape(T, E)
        x = x + (a @ L("attn.c_proj.weight") + L("attn.c_proj.bias"))
        h = layer_norm(x, L("ln_2.weight"), L("ln_2.bias"), cfg["layer_norm_epsilon"])
        h = gelu_new(h @ L("mlp.c_fc.weight") + L("mlp.c_fc.bias"))
        x = x + (h @ L("mlp.c_proj.weight") + L("mlp.c_proj.bias"))
    x = layer_norm(x, p("ln_f.weight"), p("ln_f.bias"), cfg["layer_norm_epsilon"])
    return x @ p("wte.weight").T


def rope_inv_freq(cfg):
    """inv_freq as modeling_rope_utils computes it, for default, linear and llama3 rope types (in float64)."""
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=F64) / head_dim))
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return inv / rs["factor"]
    if kind == "llama3":
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / lo, old / hi
        wavelen = 2 * math.pi / inv
        out = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * out / factor + smooth * out
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, out)
    raise ValueError(f"rope type {kind}")


def rope_cos_sin(cfg, T):
    freqs = torch.outer(torch.arange(T, dtype=F64), rope_inv_freq(cfg))  # [T, d/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, d]: frequency j at both j and j + d/2
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


def llama_forward(w, cfg, ids, attention=None):
    """LlamaForCausalLM / Qwen2ForCausalLM: nn.Linear weights are [out, in]; biases where the checkpoint has them."""
    H, Hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or cfg["hidden_size"] // H
    T = len(ids)
    eps = cfg["rms_norm_eps"]
    cos, sin = rope_cos_sin(cfg, T)
    attention = attention or (lambda q, k, v: causal_attention(q, repeat_kv(k, H // Hkv), repeat_kv(v, H // Hkv)))

    def linear(x, name):
        y = x @ w[name + ".weight"].T
        return y + w[name + ".bias"] if name + ".bias" in w else y

    x = w["model.embed_tokens.weight"][ids]
    for layer in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{layer}."
        h = rms_norm(x, w[pre + "input_layernorm.weight"], eps)
        q = linear(h, pre + "self_attn.q_proj").view(T, H, d).transpose(0, 1)
        k = linear(h, pre + "self_attn.k_proj").view(T, Hkv, d).transpose(0, 1)
        v = linear(h, pre + "self_attn.v_proj").view(T, Hkv, d).transpose(0, 1)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        a = attention(q, k, v).transpose(0, 1).reshape(T, H * d)
        x = x + linear(a, pre + "self_attn.o_proj")
        h = rms_norm(x, w[pre + "post_attention_layernorm.weight"], eps)
        g = linear(h, pre + "mlp.gate_proj")
        x = x + linear(torch.nn.functional.silu(g) * linear(h, pre + "mlp.up_proj"), pre + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def greedy(forward, prompt, steps):
    """Greedy decoding, recomputing the whole sequence each step; also the smallest top-1 / top-2 logit gap."""
    ids, gap = list(prompt), math.inf
    for _ in range(steps):
        last = forward(ids)[-1]
        top = torch.topk(last, 2).values
        gap = min(gap, float(top[0] - top[1]))
        ids.append(int(last.argmax()))
    return ids[len(prompt):], gap


# ----------------------------------------------------------------------------------------------------------------
# Random weights (float32, then rounded to the file dtype)


def randn(gen, *shape, std=0.2, mean=0.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float32) * std + mean


def gpt2_weights(seed, cfg):
    g = torch.Generator().manual_seed(seed)
    E, V, P, I = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], 4 * cfg["n_embd"]
    w = {"wte.weight": randn(g, V, E), "wpe.weight": randn(g, P, E, std=0.1)}
    for i in range(cfg["n_layer"]):
        w.update({
            f"h.{i}.ln_1.weight": randn(g, E, std=0.1, mean=1.0), f"h.{i}.ln_1.bias": randn(g, E, std=0.1),
            f"h.{i}.attn.c_attn.weight": randn(g, E, 3 * E), f"h.{i}.attn.c_attn.bias": randn(g, 3 * E, std=0.1),
            f"h.{i}.attn.c_proj.weight": randn(g, E, E), f"h.{i}.attn.c_proj.bias": randn(g, E, std=0.1),
            f"h.{i}.ln_2.weight": randn(g, E, std=0.1, mean=1.0), f"h.{i}.ln_2.bias": randn(g, E, std=0.1),
            f"h.{i}.mlp.c_fc.weight": randn(g, E, I), f"h.{i}.mlp.c_fc.bias": randn(g, I, std=0.1),
            f"h.{i}.mlp.c_proj.weight": randn(g, I, E), f"h.{i}.mlp.c_proj.bias": randn(g, E, std=0.1),
        })
    w["ln_f.weight"] = randn(g, E, std=0.1, mean=1.0)
    w["ln_f.bias"] = randn(g, E, std=0.1)
    return w


def llama_weights(seed, cfg, qkv_bias, real_vocab=None):
    g = torch.Generator().manual_seed(seed)
    E, V, I = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    H, Hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or E // H
    emb = randn(g, V, E, std=0.3)
    if real_vocab is not None:
        emb[real_vocab:] = 0.0  # rows past the tokenizer, never trained (as in Qwen2.5's padded vocabulary)
    w = {"model.embed_tokens.weight": emb}
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        w.update({
            pre + "input_layernorm.weight": randn(g, E, std=0.1, mean=1.0),
            pre + "self_attn.q_proj.weight": randn(g, H * d, E),
            pre + "self_attn.k_proj.weight": randn(g, Hkv * d, E),
            pre + "self_attn.v_proj.weight": randn(g, Hkv * d, E),
            pre + "self_attn.o_proj.weight": randn(g, E, H * d),
            pre + "post_attention_layernorm.weight": randn(g, E, std=0.1, mean=1.0),
            pre + "mlp.gate_proj.weight": randn(g, I, E),
            pre + "mlp.up_proj.weight": randn(g, I, E),
            pre + "mlp.down_proj.weight": randn(g, E, I),
        })
        if qkv_bias:
            w[pre + "self_attn.q_proj.bias"] = randn(g, H * d, std=0.3)
            w[pre + "self_attn.k_proj.bias"] = randn(g, Hkv * d, std=0.3)
            w[pre + "self_attn.v_proj.bias"] = randn(g, Hkv * d, std=0.3)
    w["model.norm.weight"] = randn(g, E, std=0.1, mean=1.0)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = randn(g, V, E, std=0.3)
    return w


# ----------------------------------------------------------------------------------------------------------------
# Output helpers

SUMMARY = []


def sig7(x):
    return float(f"{x:.7g}")


def write_json(folder, name, obj):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_reference(folder, obj):
    """Compact JSON, one line per position's logits, so diffs stay readable and the file small."""
    parts = []
    for key, value in obj.items():
        if key == "logits":
            seqs = []
            for seq in value:
                rows = ",\n      ".join(json.dumps([sig7(v) for v in row], separators=(",", ":")) for row in seq)
                seqs.append("    [\n      " + rows + "\n    ]")
            parts.append('  "logits": [\n' + ",\n".join(seqs) + "\n  ]")
        else:
            parts.append("  " + json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))
    with open(os.path.join(folder, "reference.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")


def fresh_folder(name):
    folder = os.path.join(OUT, name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    return folder


def store_all(weights, dtype):
    """{name: (float64 tensor as stored, (dtype, shape, raw))}."""
    out = {}
    for name, t in weights.items():
        r, raw = stored(t, dtype)
        out[name] = (r.to(F64), (dtype, tuple(t.shape), raw))
    return out


def check_roundtrip(folder, files, expected):
    """Every tensor read back from the files equals (bit for bit, as float64) what the forward used."""
    got = {}
    for f in files:
        got.update(read_safetensors(os.path.join(folder, f)))
    assert set(got) == set(expected), (set(got) ^ set(expected))
    for name, t in expected.items():
        assert torch.equal(got[name], t), name


def reference(forward, tok, texts, extra_inputs, greedy_text, eos, greedy_steps=20, max_len=64):
    inputs = [tok.encode(t) for t in texts] + extra_inputs
    assert all(len(ids) <= max_len for ids in inputs)
    all_texts = texts + [tok.decode(ids) for ids in extra_inputs]
    for ids, text in zip(inputs, all_texts):
        assert tok.decode(ids) == text
    logits = [forward(ids) for ids in inputs]
    # Causality: the logits of a prefix are the first rows of the logits of the whole sequence.
    longest = max(range(len(inputs)), key=lambda i: len(inputs[i]))
    prefix = inputs[longest][:7]
    assert torch.allclose(forward(prefix), logits[longest][:7], rtol=0, atol=1e-10)
    prompt = tok.encode(greedy_text)
    assert len(prompt) + greedy_steps <= max_len
    tokens, gap = greedy(forward, prompt, greedy_steps)
    assert tokens[0] == int(forward(prompt)[-1].argmax())
    # Seeds are picked so the greedy run is a useful test: no near-ties a float32 forward could flip, not stuck
    # repeating one token, and no end-of-sequence token (a generation loop that stops at eos runs all 20 steps).
    assert gap > 0.02 and len(set(tokens)) >= 8 and not set(tokens) & set(eos), (gap, tokens)
    spread = max(float(l.std(dim=-1).min()) for l in logits)
    assert spread > 0.3, f"logits too flat ({spread})"
    return inputs, all_texts, logits, {"prompt": prompt, "prompt_text": greedy_text, "tokens": tokens,
                                       "min_top2_gap": sig7(gap)}


# ----------------------------------------------------------------------------------------------------------------
# Self-checks of the reference code against independent formulations


def self_checks():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(5, 9, generator=g, dtype=F64) * 3
    assert torch.allclose(gelu_new(x), torch.nn.functional.gelu(x, approximate="tanh"), rtol=0, atol=1e-12)
    w, b = torch.randn(9, generator=g, dtype=F64), torch.randn(9, generator=g, dtype=F64)
    assert torch.allclose(layer_norm(x, w, b, 1e-5), torch.nn.functional.layer_norm(x, (9,), w, b, 1e-5), atol=1e-12)

    # rotate_half RoPE == rotating the pairs (j, j + d/2) by angle pos * inv_freq[j].
    cfg = {"hidden_size": 32, "num_attention_heads": 4, "rope_theta": 10000.0}
    T, d = 11, 8
    q = torch.randn(3, T, d, generator=g, dtype=F64)
    cos, sin = rope_cos_sin(cfg, T)
    inv = rope_inv_freq(cfg)
    explicit = q.clone()
    for pos in range(T):
        for j in range(d // 2):
            a, c, s = pos * inv[j], math.cos(pos * inv[j]), math.sin(pos * inv[j])
            x1, x2 = q[:, pos, j], q[:, pos, j + d // 2]
            explicit[:, pos, j] = x1 * c - x2 * s
            explicit[:, pos, j + d // 2] = x2 * c + x1 * s
    assert torch.allclose(apply_rope(q, cos, sin), explicit, atol=1e-12)
    # ... and scores depend only on the relative position.
    k = torch.randn(1, 1, d, generator=g, dtype=F64)
    qq = q[:1, :1]
    s1 = (apply_rope(qq, cos[5], sin[5]) * apply_rope(k, cos[2], sin[2])).sum()
    s2 = (apply_rope(qq, cos[9], sin[9]) * apply_rope(k, cos[6], sin[6])).sum()
    assert abs(float(s1 - s2)) < 1e-12

    # GQA: repeat_kv attention == a loop where query head h reads kv head h // (H / Hkv).
    H, Hkv = 4, 2
    qh = torch.randn(H, T, d, generator=g, dtype=F64)
    kh = torch.randn(Hkv, T, d, generator=g, dtype=F64)
    vh = torch.randn(Hkv, T, d, generator=g, dtype=F64)
    fused = causal_attention(qh, repeat_kv(kh, H // Hkv), repeat_kv(vh, H // Hkv))
    for h in range(H):
        kv = h // (H // Hkv)
        one = causal_attention(qh[h:h + 1], kh[kv:kv + 1], vh[kv:kv + 1])
        assert torch.allclose(fused[h:h + 1], one, atol=1e-12)
    assert torch.equal(repeat_kv(kh, 2), torch.repeat_interleave(kh, 2, dim=0))

    # BF16 rounding is round-to-nearest-even on the float32 bits.
    t = torch.randn(1000, generator=g, dtype=torch.float32)
    bits = t.view(torch.int32).numpy().astype(np.int64) & 0xFFFFFFFF
    rne = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF
    _, raw = stored(t, "BF16")
    assert np.array_equal(np.frombuffer(raw, dtype="<u2").astype(np.int64), rne)
    SUMMARY.append("self-checks: gelu_new, layer_norm, rotate_half RoPE vs pairwise rotation, relative positions, "
                   "GQA vs explicit kv head per query head, BF16 round-to-nearest-even: ok")


def check_gqa_model(w, cfg, ids):
    """The model forward with repeat_kv equals one with the kv projections' heads explicitly repeated."""
    H, Hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or cfg["hidden_size"] // H
    n_rep = H // Hkv
    wide = dict(w)
    for name in list(w):
        if ".k_proj." in name or ".v_proj." in name:
            t = w[name]
            blocks = t.view(Hkv, d, *t.shape[1:])
            wide[name] = torch.cat([blocks[h // n_rep] for h in range(H)], dim=0)
    wide_cfg = dict(cfg, num_key_value_heads=H)
    a = llama_forward(w, cfg, ids)
    b = llama_forward(wide, wide_cfg, ids)
    assert torch.allclose(a, b, rtol=0, atol=1e-10), float((a - b).abs().max())


# ----------------------------------------------------------------------------------------------------------------
# Fixtures

GPT2_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world!",
]
CHAT_TEXTS = [
    BRIEF_CHAT,
    "The model is small, but it is ready to learn.",
]


def gpt2_config(vocab, eos_id, old_style):
    cfg = {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": eos_id,
        "embd_pdrop": 0.1,
        "eos_token_id": eos_id,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": 64,
        "n_embd": 32,
        "n_head": 4,
        "n_inner": None,
        "n_layer": 2,
        "n_positions": 64,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": vocab,
    }
    if old_style:  # the original openai gpt2 config.json: no dtype, no transformers_version, no newer flags
        for key in ("n_inner", "reorder_and_upcast_attn", "scale_attn_by_inverse_layer_idx", "scale_attn_weights",
                    "transformers_version", "use_cache"):
            del cfg[key]
        cfg["torch_dtype"] = "float16"
    return cfg


def make_gpt2(tok):
    eos = tok.vocab["<|endoftext|>"]
    cfg = gpt2_config(len(tok), eos, old_style=False)
    base = gpt2_weights(1236, cfg)
    mask = torch.ones(cfg["n_positions"], cfg["n_positions"]).tril().view(1, 1, cfg["n_positions"], cfg["n_positions"])

    # tiny-gpt2: F32, `transformer.` keys, layer 0 carries the stored causal-mask buffer `attn.bias`.
    folder = fresh_folder("tiny-gpt2")
    st = store_all({"transformer." + k: v for k, v in base.items()}, "F32")
    buffers = {"transformer.h.0.attn.bias": ("F32", tuple(mask.shape), stored(mask, "F32")[1])}
    write_safetensors(os.path.join(folder, "model.safetensors"), {**{k: v[1] for k, v in st.items()}, **buffers},
                      {"format": "pt"})
    w = {k: v[0] for k, v in st.items()}
    check_roundtrip(folder, ["model.safetensors"], {**w, "transformer.h.0.attn.bias": mask.to(F64)})
    write_json(folder, "config.json", cfg)
    write_json(folder, "generation_config.json", {"_from_model_config": True, "bos_token_id": eos, "eos_token_id": eos,
                                                  "transformers_version": TRANSFORMERS_VERSION})
    write_json(folder, "tokenizer.json", tok.tokenizer_json(special_normalized=True, merges_as_pairs=False,
                                                           post_processor=True))
    write_json(folder, "vocab.json", tok.vocab_json())
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write(tok.merges_txt())
    write_json(folder, "tokenizer_config.json", {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": tok.added_tokens_decoder(normalized=True),
        "bos_token": "<|endoftext|>",
        "clean_up_tokenization_spaces": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 64,
        "pad_token": None,
        "tokenizer_class": "GPT2Tokenizer",
        "unk_token": "<|endoftext|>",
    })
    fwd = lambda ids: gpt2_forward(w, cfg, ids)
    inputs, texts, logits, gr = reference(fwd, tok, GPT2_TEXTS, [[tok.vocab["Ġthe"]]], "Once upon a time", [eos])
    write_reference(folder, {"model": "tiny-gpt2", "dtype": "F32", "texts": texts, "inputs": inputs,
                             "logits": [l.tolist() for l in logits], "greedy": gr})
    summarize("tiny-gpt2", folder, inputs, gr)
    f32_logits = logits

    # tiny-gpt2-f16: the same weights in F16, original-openai key names (no prefix), two shards + index.
    folder = fresh_folder("tiny-gpt2-f16")
    cfg16 = gpt2_config(len(tok), eos, old_style=True)
    st = store_all(base, "F16")
    st["h.0.attn.bias"] = (mask.to(F64), ("F16", tuple(mask.shape), stored(mask, "F16")[1]))
    shard1 = [k for k in st if k.startswith(("wte.", "wpe.", "h.0."))]
    shard2 = [k for k in st if k not in shard1]
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    total = 0
    weight_map = {}
    for fname, keys in zip(names, (shard1, shard2)):
        total += write_safetensors(os.path.join(folder, fname), {k: st[k][1] for k in keys}, {"format": "pt"})
        weight_map.update({k: fname for k in keys})
    write_json(folder, "model.safetensors.index.json",
               {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    check_roundtrip(folder, names, {k: v[0] for k, v in st.items()})
    write_json(folder, "config.json", cfg16)
    write_json(folder, "vocab.json", tok.vocab_json())
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write(tok.merges_txt())
    write_json(folder, "tokenizer_config.json", {"model_max_length": 64})
    w16 = {k: v[0] for k, v in st.items()}
    fwd = lambda ids: gpt2_forward(w16, cfg16, ids, prefix="")
    inputs, texts, logits, gr = reference(fwd, tok, GPT2_TEXTS, [[tok.vocab["Ġthe"]]], "Once upon a time", [eos])
    drift = max(float((a - b).abs().max()) for a, b in zip(logits, f32_logits))
    assert 0 < drift < 0.05, drift
    write_reference(folder, {"model": "tiny-gpt2-f16", "dtype": "F16", "texts": texts, "inputs": inputs,
                             "logits": [l.tolist() for l in logits], "greedy": gr})
    summarize("tiny-gpt2-f16", folder, inputs, gr, f"max |logit - tiny-gpt2's| = {drift:.2e}")


def llama_config(vocab, tied, rope_scaling, dtype, bos, eos, pad, head_dim):
    cfg = {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "hidden_act": "silu",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 64,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-06,
        "rope_scaling": rope_scaling,
        "rope_theta": 10000.0,
        "tie_word_embeddings": tied,
        "torch_dtype": dtype,
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": vocab,
    }
    if pad is not None:
        cfg["pad_token_id"] = pad
    if head_dim:
        cfg["head_dim"] = head_dim
    return dict(sorted(cfg.items()))


def chat_tokenizer_config(tok, template, bos, eos, pad, unk, cls, max_len):
    cfg = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": tok.added_tokens_decoder(normalized=False),
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": bos,
        "clean_up_tokenization_spaces": False,
        "eos_token": eos,
        "errors": "replace",
        "model_max_length": max_len,
        "pad_token": pad,
        "split_special_tokens": False,
        "tokenizer_class": cls,
        "unk_token": unk,
    }
    if template is not None:
        cfg["chat_template"] = template
    return dict(sorted(cfg.items()))


def make_llama(tok):
    im_start, im_end = tok.vocab["<|im_start|>"], tok.vocab["<|im_end|>"]

    # tiny-llama: BF16, tied, GQA 4/2, llama3 rope scaling, SmolLM2-Instruct chat template.
    folder = fresh_folder("tiny-llama")
    rope = {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 16,
            "rope_type": "llama3"}
    cfg = llama_config(len(tok), True, rope, "bfloat16", im_start, im_end, im_end, head_dim=8)
    st = store_all(llama_weights(2034, cfg, qkv_bias=False), "BF16")
    write_safetensors(os.path.join(folder, "model.safetensors"), {k: v[1] for k, v in st.items()}, {"format": "pt"})
    w = {k: v[0] for k, v in st.items()}
    check_roundtrip(folder, ["model.safetensors"], w)
    # llama3 bands with head_dim 8 (wavelengths 2*pi*10000^(j/4)) and original context 16: j=0 (6.3) lies between
    # 16/4 and 16/1 (smoothed), j=1..3 (63, 628, 6283) are longer than 16 (divided by 8).
    inv, base = rope_inv_freq(cfg), rope_inv_freq(dict(cfg, rope_scaling=None))
    assert base[0] / 8 < inv[0] < base[0] and torch.allclose(inv[1:], base[1:] / 8)
    write_json(folder, "config.json", cfg)
    write_json(folder, "generation_config.json", {"_from_model_config": True, "bos_token_id": im_start,
                                                  "eos_token_id": im_end, "pad_token_id": im_end,
                                                  "transformers_version": TRANSFORMERS_VERSION})
    write_json(folder, "tokenizer.json", tok.tokenizer_json(special_normalized=False, merges_as_pairs=False,
                                                           post_processor=True))
    write_json(folder, "tokenizer_config.json", chat_tokenizer_config(
        tok, SMOLLM2_CHAT_TEMPLATE, "<|im_start|>", "<|im_end|>", "<|im_end|>", "<|endoftext|>", "GPT2Tokenizer", 64))
    fwd = lambda ids: llama_forward(w, cfg, ids)
    check_gqa_model(w, cfg, tok.encode(CHAT_TEXTS[0]))
    inputs, texts, logits, gr = reference(fwd, tok, CHAT_TEXTS, [[im_start]], BRIEF_CHAT, [im_end])
    assert len(inputs[0]) >= 20
    chat, rendered = check_chat_examples(SMOLLM2_CHAT_TEMPLATE, chat_examples(SMOL_SYSTEM), tok)
    write_reference(folder, {"model": "tiny-llama", "dtype": "BF16", "texts": texts, "inputs": inputs,
                             "logits": [l.tolist() for l in logits], "greedy": gr, "chat": chat})
    summarize("tiny-llama", folder, inputs, gr, f"llama3 inv_freq {[f'{v:.6g}' for v in inv.tolist()]}; chat "
              "renders " + ("checked with jinja2" if rendered else "NOT checked (no jinja2)"))

    # tiny-llama-untied: F32, separate lm_head, linear rope scaling with the old `type` key, no chat template.
    folder = fresh_folder("tiny-llama-untied")
    eot = tok.vocab["<|endoftext|>"]
    cfg = llama_config(len(tok), False, {"factor": 2.0, "type": "linear"}, "float32", eot, eot, None, head_dim=None)
    st = store_all(llama_weights(2025, cfg, qkv_bias=False), "F32")
    write_safetensors(os.path.join(folder, "model.safetensors"), {k: v[1] for k, v in st.items()}, {"format": "pt"})
    w = {k: v[0] for k, v in st.items()}
    check_roundtrip(folder, ["model.safetensors"], w)
    assert "lm_head.weight" in w and not torch.equal(w["lm_head.weight"], w["model.embed_tokens.weight"])
    write_json(folder, "config.json", cfg)
    write_json(folder, "generation_config.json", {"_from_model_config": True, "bos_token_id": eot,
                                                  "eos_token_id": eot, "transformers_version": TRANSFORMERS_VERSION})
    write_json(folder, "tokenizer.json", tok.tokenizer_json(special_normalized=False, merges_as_pairs=True,
                                                           post_processor=False))
    write_json(folder, "tokenizer_config.json", chat_tokenizer_config(
        tok, None, "<|endoftext|>", "<|endoftext|>", None, "<|endoftext|>", "GPT2Tokenizer", 64))
    fwd = lambda ids: llama_forward(w, cfg, ids)
    check_gqa_model(w, cfg, tok.encode(GPT2_TEXTS[0]))
    inputs, texts, logits, gr = reference(fwd, tok, GPT2_TEXTS, [[eot]], "Once upon a time", [eot])
    assert len(inputs[0]) >= 20
    write_reference(folder, {"model": "tiny-llama-untied", "dtype": "F32", "texts": texts, "inputs": inputs,
                             "logits": [l.tolist() for l in logits], "greedy": gr})
    summarize("tiny-llama-untied", folder, inputs, gr)


def make_qwen2(tok):
    eot, im_end = tok.vocab["<|endoftext|>"], tok.vocab["<|im_end|>"]
    folder = fresh_folder("tiny-qwen2")
    padded = (len(tok) + 15) // 16 * 16  # embedding rows past the tokenizer, as Qwen2.5 pads 151665 -> 151936
    cfg = {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": eot,
        "eos_token_id": im_end,
        "hidden_act": "silu",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 64,
        "max_window_layers": 2,
        "model_type": "qwen2",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 1,
        "rms_norm_eps": 1e-06,
        "rope_scaling": None,
        "rope_theta": 1000000.0,
        "sliding_window": 64,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": padded,
    }
    st = store_all(llama_weights(2061, cfg, qkv_bias=True, real_vocab=len(tok)), "F32")
    write_safetensors(os.path.join(folder, "model.safetensors"), {k: v[1] for k, v in st.items()}, {"format": "pt"})
    w = {k: v[0] for k, v in st.items()}
    check_roundtrip(folder, ["model.safetensors"], w)
    assert "model.layers.0.self_attn.q_proj.bias" in w and "model.layers.0.self_attn.o_proj.bias" not in w
    write_json(folder, "config.json", cfg)
    write_json(folder, "generation_config.json", {
        "bos_token_id": eot, "do_sample": True, "eos_token_id": [im_end, eot], "pad_token_id": eot,
        "repetition_penalty": 1.1, "temperature": 0.7, "top_k": 20, "top_p": 0.8,
        "transformers_version": TRANSFORMERS_VERSION})
    write_json(folder, "tokenizer.json", tok.tokenizer_json(special_normalized=False, merges_as_pairs=True,
                                                           post_processor=False))
    write_json(folder, "tokenizer_config.json", chat_tokenizer_config(
        tok, QWEN25_CHAT_TEMPLATE, None, "<|im_end|>", "<|endoftext|>", None, "Qwen2Tokenizer", 64))
    fwd = lambda ids: llama_forward(w, cfg, ids)
    check_gqa_model(w, cfg, tok.encode(CHAT_TEXTS[1]))
    inputs, texts, logits, gr = reference(fwd, tok, CHAT_TEXTS, [[im_end]], BRIEF_CHAT, [im_end, eot])
    chat, rendered = check_chat_examples(QWEN25_CHAT_TEMPLATE, chat_examples(QWEN_SYSTEM), tok)
    for l in logits:  # the padded rows have zero embeddings: their logits are exactly 0, never the argmax here
        assert torch.all(l[:, len(tok):] == 0)
    assert all(t < len(tok) for t in gr["tokens"])
    write_reference(folder, {"model": "tiny-qwen2", "dtype": "F32", "texts": texts, "inputs": inputs,
                             "logits": [l.tolist() for l in logits], "greedy": gr, "chat": chat})
    summarize("tiny-qwen2", folder, inputs, gr, f"vocab_size {padded} (tokenizer {len(tok)}); chat renders "
              + ("checked with jinja2" if rendered else "NOT checked (no jinja2)"))


def summarize(name, folder, inputs, gr, extra=""):
    files = sorted(os.listdir(folder))
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in files)
    SUMMARY.append(f"{name}: {len(files)} files, {size / 1024:.0f} KiB; input lengths {[len(i) for i in inputs]}; "
                   f"greedy {gr['tokens'][:8]}... (top-2 gap >= {gr['min_top2_gap']:.3g}){(' ; ' + extra) if extra else ''}")


def main():
    self_checks()
    merges = learn_merges(TRAINING_TEXT, N_MERGES)
    assert len(merges) == N_MERGES
    gpt2_tok = ByteBPE(merges, ["<|endoftext|>"])
    chat_tok = ByteBPE(merges, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    for t in (gpt2_tok, chat_tok):
        for text in GPT2_TEXTS + CHAT_TEXTS + [SMOL_SYSTEM, QWEN_SYSTEM, TRAINING_TEXT]:
            if "<|im_" in text and t is gpt2_tok:
                continue
            assert t.decode(t.encode(text)) == text
    SUMMARY.append(f"tokenizer: {len(gpt2_tok)} tokens (gpt2), {len(chat_tok)} (chat); first merges "
                   f"{[a + ' ' + b for a, b in merges[:6]]}")
    os.makedirs(OUT, exist_ok=True)
    make_gpt2(gpt2_tok)
    make_llama(chat_tok)
    make_qwen2(chat_tok)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    SUMMARY.append(f"test/fixtures/hf: {total / 1024:.0f} KiB in all")
    print("\n".join(SUMMARY))


if __name__ == "__main__":
    main()
