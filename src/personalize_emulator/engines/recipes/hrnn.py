"""aws-user-personalization and the HRNN family (aws-hrnn, -metadata, -coldstart), and
aws-personalized-ranking: a GRU over each user's time-ordered items, blended with a long-term
ALS factor model (see ``seq_model`` for scoring and ``seq_train`` for training).

Hyperparameters (wire strings): ``hidden_dimension`` is the GRU's hidden size (input embeddings
are at most 64 wide), ``bptt`` the window of past items the network reads (training and serving),
``recency_mask`` weights recent events more in the loss, ``min/max_user_history_length_percentile``
trim training histories. Registry options: ``use_metadata`` (Items/Users metadata and contextual
columns), ``cold_start`` (items without interactions join the catalogue, scored by their
metadata), ``ranking`` (aws-personalized-ranking: scores restricted to the request's input list).
"""

from __future__ import annotations

from ..base import FitOptions
from ..training import hyperparameter
from .seq_model import SequenceModel, SequenceRecipe

__all__ = ["HRNNRecipe", "SequenceModel"]


class HRNNRecipe(SequenceRecipe):
    kind = "gru"

    def net_shape(self, options: FitOptions) -> tuple[int, int, int]:
        hidden = hyperparameter(options, "hidden_dimension", 149, int)
        window = hyperparameter(options, "bptt", 32, int)
        hidden = max(8, hidden)
        return max(2, window), hidden, min(hidden, 64)
