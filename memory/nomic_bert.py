"""nomic-embed-text-v1.5 as a small torch module, read straight from its GGUF file (no transformers, no hub).

nomic-bert is BERT with rotary position embeddings (GPT-NeoX style, base 1000), a fused bias-free QKV
projection, a SwiGLU feed-forward without biases, and post-layer-norm blocks. Sentence vectors are the mean of
the last hidden states over the real tokens. The tokenizer is bert-base-uncased WordPiece; the GGUF stores its
vocabulary with llama.cpp's "phantom space" spelling, turned back into WordPiece here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

ARCHITECTURE = "nomic-bert"
SUPPORTED_TENSOR_TYPES = ("F32", "F16", "BF16", "Q8_0")


class NomicFormatError(ValueError):
    """The GGUF file is not a nomic-bert model this module can read."""


@dataclass(frozen=True)
class NomicConfig:
    layers: int
    width: int
    heads: int
    feed_forward: int
    context_length: int
    rope_base: float
    layer_norm_eps: float


class _Block(nn.Module):
    def __init__(self, config: NomicConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.width, 3 * config.width, bias=False)
        self.attention_out = nn.Linear(config.width, config.width, bias=False)
        self.attention_norm = nn.LayerNorm(config.width, eps=config.layer_norm_eps)
        self.up = nn.Linear(config.width, config.feed_forward, bias=False)
        self.gate = nn.Linear(config.width, config.feed_forward, bias=False)
        self.down = nn.Linear(config.feed_forward, config.width, bias=False)
        self.output_norm = nn.LayerNorm(config.width, eps=config.layer_norm_eps)

    def forward(self, hidden: torch.Tensor, rotary: tuple[torch.Tensor, torch.Tensor], mask: torch.Tensor) -> Any:
        batch, length, width = hidden.shape
        query, key, value = (
            self.qkv(hidden).view(batch, length, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        )
        query, key = _rotate(query, *rotary), _rotate(key, *rotary)
        attended = functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)
        attended = attended.transpose(1, 2).reshape(batch, length, width)
        hidden = self.attention_norm(hidden + self.attention_out(attended))
        return self.output_norm(hidden + self.down(functional.silu(self.gate(hidden)) * self.up(hidden)))


def _rotate(states: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = states.shape[-1] // 2
    first, second = states[..., :half], states[..., half:]
    return torch.cat((first * cos - second * sin, second * cos + first * sin), dim=-1)


class NomicBert(nn.Module):
    def __init__(self, config: NomicConfig, vocabulary_size: int) -> None:
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(vocabulary_size, config.width)
        self.token_type = nn.Parameter(torch.zeros(config.width))  # every token is type 0
        self.embedding_norm = nn.LayerNorm(config.width, eps=config.layer_norm_eps)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.layers))
        head_dim = config.width // config.heads
        inverse = 1.0 / (config.rope_base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inverse_frequency", inverse, persistent=False)

    def forward(self, token_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Mean-pooled sentence vectors (not normalised), one per row of ``token_ids``."""
        length = token_ids.shape[1]
        inverse_frequency: torch.Tensor = self.inverse_frequency  # type: ignore[assignment] # a buffer
        angles = torch.outer(torch.arange(length, dtype=torch.float32), inverse_frequency)
        rotary = (angles.cos(), angles.sin())
        keep = attention_mask.bool()
        mask = torch.zeros(keep.shape, dtype=torch.float32).masked_fill(~keep, -math.inf)[:, None, None, :]
        hidden = self.embedding_norm(self.token_embedding(token_ids) + self.token_type)
        for block in self.blocks:
            hidden = block(hidden, rotary, mask)
        weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def wordpiece_vocabulary(tokens: list[str]) -> dict[str, int]:
    """Undo llama.cpp's spelling of a BERT vocabulary: "▁word" is a word start, a bare piece was "##piece"."""
    vocabulary: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.startswith("\u2581"):
            token = token[1:]
        elif not (token.startswith("[") and token.endswith("]")):
            token = "##" + token
        vocabulary.setdefault(token, index)
    return vocabulary


def _field(reader: Any, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None:
        raise NomicFormatError(f"the GGUF has no {key!r}")
    return field.contents()


def _tensor(tensors: dict[str, Any], name: str) -> torch.Tensor:
    import gguf

    tensor = tensors.get(name)
    if tensor is None:
        raise NomicFormatError(f"the GGUF has no tensor {name!r}")
    kind = tensor.tensor_type.name
    if kind not in SUPPORTED_TENSOR_TYPES:
        raise NomicFormatError(f"tensor {name!r} is {kind}, not one of {SUPPORTED_TENSOR_TYPES}")
    shape = tuple(int(size) for size in reversed(tensor.shape.tolist()))
    if kind in ("F32", "F16"):  # plain floats: one copy, no dequantisation pass
        values = np.array(tensor.data, dtype=np.float32)
    else:
        values = np.array(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
    return torch.from_numpy(values.reshape(shape))


def read_vocabulary(path: Path) -> list[str]:
    """The GGUF's token list (llama.cpp spelling), without reading the weights."""
    import gguf

    return [str(token) for token in _field(gguf.GGUFReader(str(path)), "tokenizer.ggml.tokens")]


def load_nomic_bert(path: Path) -> tuple[NomicBert, list[str]]:
    """The model (fp32, eval mode) and its vocabulary (GGUF spelling) from a nomic-bert GGUF file."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    if _field(reader, "general.architecture") != ARCHITECTURE:
        raise NomicFormatError(f"{path} is not a {ARCHITECTURE} model")
    prefix = ARCHITECTURE + "."
    config = NomicConfig(
        layers=int(_field(reader, prefix + "block_count")),
        width=int(_field(reader, prefix + "embedding_length")),
        heads=int(_field(reader, prefix + "attention.head_count")),
        feed_forward=int(_field(reader, prefix + "feed_forward_length")),
        context_length=int(_field(reader, prefix + "context_length")),
        rope_base=float(_field(reader, prefix + "rope.freq_base")),
        layer_norm_eps=float(_field(reader, prefix + "attention.layer_norm_epsilon")),
    )
    tokens = [str(token) for token in _field(reader, "tokenizer.ggml.tokens")]
    model = NomicBert(config, len(tokens))
    tensors = {tensor.name: tensor for tensor in reader.tensors}
    state = {
        "token_embedding.weight": _tensor(tensors, "token_embd.weight"),
        "token_type": _tensor(tensors, "token_types.weight")[0],
        "embedding_norm.weight": _tensor(tensors, "token_embd_norm.weight"),
        "embedding_norm.bias": _tensor(tensors, "token_embd_norm.bias"),
    }
    names = {
        "qkv.weight": "attn_qkv.weight",
        "attention_out.weight": "attn_output.weight",
        "attention_norm.weight": "attn_output_norm.weight",
        "attention_norm.bias": "attn_output_norm.bias",
        "up.weight": "ffn_up.weight",
        "gate.weight": "ffn_gate.weight",
        "down.weight": "ffn_down.weight",
        "output_norm.weight": "layer_output_norm.weight",
        "output_norm.bias": "layer_output_norm.bias",
    }
    for layer in range(config.layers):
        for ours, theirs in names.items():
            state[f"blocks.{layer}.{ours}"] = _tensor(tensors, f"blk.{layer}.{theirs}")
    model.load_state_dict(state, strict=True)
    return model.eval(), tokens
