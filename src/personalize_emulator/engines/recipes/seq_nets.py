"""The two sequence networks: a GRU (HRNN family) and a small causal transformer (v2 family).

Both read a right-padded batch of item-index windows and return one hidden vector per position;
the next item's logits are ``hidden @ output_weights().T + output_bias()``. ``NetSpec`` is the
JSON-able description a saved model rebuilds its network from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from .seq_layers import ItemTower, MaskDropout, SideInputs


@dataclass
class NetSpec:
    kind: str  # "gru" | "transformer"
    n_items: int
    n_warm: int
    hidden: int
    embedding: int
    window: int
    dropout: float = 0.2
    blocks: int = 2
    heads: int = 1
    n_item_tokens: int = 0
    n_user_tokens: int = 0
    n_context_tokens: int = 0
    item_meta: bool = False
    user_meta: bool = False

    def to_json(self) -> dict:
        return asdict(self)


class _Net(nn.Module):
    spec: NetSpec

    def _common(self, spec: NetSpec, item_tokens, item_numeric, user_tokens, user_numeric,
                input_dim: int) -> None:
        self.spec = spec
        meta = (item_tokens, item_numeric) if spec.item_meta else (None, None)
        self.item_in = ItemTower(spec.n_items, spec.n_warm, input_dim, meta[0], meta[1],
                                 spec.n_item_tokens)
        user = (user_tokens, user_numeric, spec.n_user_tokens) if spec.user_meta else None
        self.side = SideInputs(spec.hidden, input_dim, user, spec.n_context_tokens)
        self.bias = nn.Parameter(torch.zeros(spec.n_items + 1))
        self.drop = MaskDropout(spec.dropout)

    def output_bias(self) -> torch.Tensor:
        # cold items never train their bias; give them the warm average
        b = self.bias
        n_warm = self.spec.n_warm
        if self.spec.n_items > n_warm:
            b = b.clone()
            b[n_warm + 1:] = b[1:n_warm + 1].mean()
        return b


class GRUNet(_Net):
    """GRU4Rec-style: item (+metadata, +context) embeddings -> 1-layer GRU -> item softmax."""

    def __init__(self, spec: NetSpec, item_tokens=None, item_numeric=None, user_tokens=None,
                 user_numeric=None):
        super().__init__()
        self._common(spec, item_tokens, item_numeric, user_tokens, user_numeric, spec.embedding)
        self.gru = nn.GRU(spec.embedding, spec.hidden, batch_first=True)
        # the softmax works in the (narrower) embedding space: most of the cost is there
        self.proj = nn.Linear(spec.hidden, spec.embedding)
        meta = (item_tokens, item_numeric) if spec.item_meta else (None, None)
        self.item_out = ItemTower(spec.n_items, spec.n_warm, spec.embedding, meta[0], meta[1],
                                  spec.n_item_tokens)

    def encode(self, items, ctx=None, ctx_next=None, users=None) -> torch.Tensor:
        x = self.item_in(items) + self.side.input_context(ctx)
        h, _ = self.gru(self.drop(x))
        h = h + self.side.output_side(users, ctx_next, items.shape[1])
        return self.proj(self.drop(h))

    def output_weights(self) -> torch.Tensor:
        return self.item_out.all()


class TransformerNet(_Net):
    """SASRec-style: learned positions, pre-LayerNorm causal self-attention, tied output."""

    def __init__(self, spec: NetSpec, item_tokens=None, item_numeric=None, user_tokens=None,
                 user_numeric=None):
        super().__init__()
        self._common(spec, item_tokens, item_numeric, user_tokens, user_numeric, spec.hidden)
        self.positions = nn.Embedding(spec.window, spec.hidden)
        nn.init.normal_(self.positions.weight, std=0.05)
        layer = nn.TransformerEncoderLayer(spec.hidden, spec.heads, dim_feedforward=spec.hidden,
                                           dropout=spec.dropout, batch_first=True,
                                           norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, spec.blocks, enable_nested_tensor=False)
        for block in self.blocks.layers:
            # masks from the slice's own stream (see seq_threads); torch's dropout would draw
            # from its one shared generator in whichever order the slices' threads run
            block.dropout = MaskDropout(spec.dropout)
            block.dropout1 = MaskDropout(spec.dropout)
            block.dropout2 = MaskDropout(spec.dropout)
            block.self_attn.dropout = 0.0
        self.norm = nn.LayerNorm(spec.hidden)

    def encode(self, items, ctx=None, ctx_next=None, users=None) -> torch.Tensor:
        t = items.shape[1]
        pos = torch.arange(t, device=items.device)
        x = self.item_in(items) * (self.spec.hidden ** 0.5) + self.positions(pos)
        x = self.drop(x + self.side.input_context(ctx))
        causal = torch.triu(torch.full((t, t), float("-inf"), device=items.device), diagonal=1)
        h = self.norm(self.blocks(x, mask=causal))
        return h + self.side.output_side(users, ctx_next, t)

    def output_weights(self) -> torch.Tensor:
        return self.item_in.all()


def build_net(spec: NetSpec, item_tokens: np.ndarray | None = None,
              item_numeric: np.ndarray | None = None, user_tokens: np.ndarray | None = None,
              user_numeric: np.ndarray | None = None) -> _Net:
    cls = GRUNet if spec.kind == "gru" else TransformerNet
    return cls(spec, item_tokens, item_numeric, user_tokens, user_numeric)
