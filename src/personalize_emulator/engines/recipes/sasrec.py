"""aws-user-personalization-v2 and aws-personalized-ranking-v2: a SASRec-style causal
transformer over each user's recent items, blended with a long-term ALS factor model.

Two pre-LayerNorm self-attention blocks (1 head, width 64, learned positions, output tied to the
item embeddings) read the latest 50 items. ``apply_recency_bias`` (default true) weights recent
events more in the loss. Scoring, session events, ranking and persistence are shared with the GRU
recipe (``seq_model``).
"""

from __future__ import annotations

from ..base import FitOptions
from ..training import hyperparameter
from .seq_model import SequenceModel, SequenceRecipe

__all__ = ["SASRecRecipe", "SequenceModel"]

WIDTH = 64
WINDOW = 50


class SASRecRecipe(SequenceRecipe):
    kind = "transformer"

    def net_shape(self, options: FitOptions) -> tuple[int, int, int]:
        return WINDOW, WIDTH, WIDTH

    def recency(self, options: FitOptions) -> bool:
        return hyperparameter(options, "apply_recency_bias", True, bool)
