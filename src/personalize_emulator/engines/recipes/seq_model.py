"""The fitted sequence model and the recipe logic both sequence recipes share.

Scoring a user: the user's training history plus the query's session events (PutEvents after
training) form the input sequence, so recommendations move with every event without retraining.
The network's next-item logits (short-term intent) are blended with an implicit-ALS user vector's
scores (long-term taste; the user vector is folded in from the same sequence when there are new
events or the user is unknown): ``(1-a)·z(seq) + a·z(als)``, z-scores taken over the items the user
has not seen, minus ``g·z(log(1 + item count))``; ``a`` and ``g`` are chosen on held-out users
at training time (best NDCG@10 among the pairs that show at least as much of the catalogue as
the ALS part alone). For the GRU, a known user's session events continue the recurrent state
cached at the end of their training history (a few steps instead of re-reading the ``bptt``
window; ``exact_sessions`` switches back). The result goes through a softmax so scores are
probabilities over the catalogue (or over the input list, for ranking).
An unknown user without events gets item popularity.

An ``optimizationObjective`` adds ``w · sd · z(log1p(value))`` before the softmax: ``sd`` is the
spread of the user's scores over unseen items and ``w`` grows with the sensitivity
(:data:`OBJECTIVE_WEIGHTS`). The guide says only that LOW puts less emphasis on the objective,
MEDIUM about as much as on relevance and HIGH more; the weights are chosen so that even HIGH
reorders the plausible items rather than replacing them -- the few items a user is most likely to
want stand several spreads above the rest, so they stay near the top, while among the
candidates behind them the items with high values move up. On the planted test world (log-normal
prices) HIGH raises the mean price of users' top 10 by about 60% and keeps 94% of the chain
successors in the top 3; a weight of 1.0 would have kept 61%. Session events follow the
solution's event filters (``eventType``, ``eventValueThreshold``, ``eventsConfig``) as training
did.

Saved as ``config.json`` (vocabularies, specs, settings), ``arrays.npz`` (histories, metadata
encodings, factors; ``allow_pickle=False``) and ``net.pt`` (a ``state_dict`` loaded with
``weights_only=True``).
"""

from __future__ import annotations

import json
import time
from abc import abstractmethod
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..base import EngineError, FitOptions, Model, Query, Recipe, TrainingStopped
from ..dataset import TrainingData
from ..training import hyperparameter
from .seq_data import (
    MetaEncoding,
    Prepared,
    encode_table,
    objective_values,
    prepare,
    training_spans,
)
from .seq_longterm import ALSConfig, fit_als, fold_in
from .seq_nets import NetSpec, build_net
from .seq_threads import ShardRunner
from .seq_train import TrainConfig, Windows, choose_holdout, ndcg_rows, train

BLEND_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
DEFAULT_BLEND = 0.1
#: weight of the popularity penalty ``-g·z(log(1 + count))`` added to the blend
PENALTY_GRID = (0.0, 0.1, 0.2, 0.3, 0.5)
COVERAGE_TOP = 25
#: optimizationObjective: objectiveSensitivity -> spreads of relevance per spread of the objective
OBJECTIVE_WEIGHTS = {"OFF": 0.0, "LOW": 0.1, "MEDIUM": 0.25, "HIGH": 0.5}


def _zscore(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    v = x[mask]
    if v.size < 2:
        return np.zeros_like(x)
    sd = float(v.std())
    return (x - float(v.mean())) / (sd if sd > 1e-12 else 1.0)


@contextmanager
def torch_session(options: FitOptions, device: torch.device):
    """Seeded, thread-limited torch for the duration of one fit.

    Every op used here is deterministic on CPU for a fixed thread count; on CUDA deterministic
    algorithms are switched on (on CPU that switch only costs a slow import). Torch ops run on
    one thread: a second core is used by training a batch's two slices at once (``seq_threads``),
    which unlike torch's intra-op threads neither stalls when the cores are shared nor changes
    the results' last bits with the thread count.
    """
    threads_before = torch.get_num_threads()
    det_before = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    if device.type == "cuda":
        torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
            torch.manual_seed(int(options.seed))
            yield
    finally:
        torch.set_num_threads(threads_before)
        if device.type == "cuda":
            torch.use_deterministic_algorithms(det_before)


def _device(options: FitOptions) -> torch.device:
    if options.device:
        return torch.device(options.device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class SequenceModel(Model):
    """A GRU or transformer over each user's sequence, blended with implicit ALS."""

    recipe_type = "USER_PERSONALIZATION"
    returns_scores = True
    #: re-read history + session events from a zero state instead of continuing the cached
    #: GRU state (slower; the scoring the network was trained for, kept for comparison)
    exact_sessions = False

    def __init__(self, *, net, spec: NetSpec, item_ids: list[str], user_ids: list[str],
                 sequences: list[np.ndarray], contexts: list[np.ndarray] | None,
                 context_columns: list[str], context_vocab: list[str],
                 popularity: np.ndarray, user_factors: np.ndarray, item_factors: np.ndarray,
                 als: ALSConfig, blend: float, ranking: bool, settings: dict[str, Any],
                 item_meta: MetaEncoding | None = None, user_meta: MetaEncoding | None = None,
                 popularity_penalty: float = 0.0, objective: np.ndarray | None = None,
                 objective_weight: float = 0.0):
        self.net = net.eval()
        self.spec = spec
        self.item_ids = list(item_ids)
        self.user_ids = list(user_ids)
        self.sequences = sequences
        self.contexts = contexts
        self.context_columns = context_columns
        self.context_vocab = context_vocab
        self.popularity = popularity
        self.user_factors = user_factors
        self.item_factors = item_factors
        self.als = als
        self.blend = float(blend)
        self.popularity_penalty = float(popularity_penalty)
        self._log_pop = np.log1p(np.asarray(popularity, np.float64))
        #: optimizationObjective: z-scored values per item index (0 = padding), and their weight
        self.objective = objective
        self.objective_weight = float(objective_weight) if objective is not None else 0.0
        self.ranking = bool(ranking)
        self.settings = settings
        self.item_meta = item_meta
        self.user_meta = user_meta
        if ranking:
            self.recipe_type = "PERSONALIZED_RANKING"
        self._item_index = {it: k + 1 for k, it in enumerate(self.item_ids)}
        self._user_index = {u: k for k, u in enumerate(self.user_ids)}
        self._ctx_index = {t: k + 1 for k, t in enumerate(context_vocab)}
        self._device = next(net.parameters()).device
        with torch.no_grad():
            self._w = net.output_weights().detach()
            self._b = net.output_bias().detach()
        self._gram = item_factors.astype(np.float64).T @ item_factors.astype(np.float64)
        self._hidden = self._gru_state = self._gru_weights = None
        if contexts is None:
            self._hidden, self._gru_state = self._user_hidden_states()

    def _user_hidden_states(self, batch: int = 256
                            ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """Every known user's output vector after their training history (the common query),
        and, for the GRU, the recurrent state there (new session events continue from it)."""
        from .seq_train import last_hidden

        n = len(self.user_ids)
        if n == 0:
            return None, None
        gru = self.spec.kind == "gru"
        out = torch.zeros(n, self._w.shape[1])
        state = torch.zeros(n, self.spec.hidden) if gru else None
        with torch.no_grad():
            for start in range(0, n, batch):
                users = np.arange(start, min(n, start + batch))
                seqs = [self.sequences[u] for u in users]
                if gru:
                    h = _gru_last_state(self.net, seqs, self.spec.window, self._device)
                    state[users] = h.cpu()
                    out[users] = self._gru_head(h, users).cpu()
                else:
                    out[users] = last_hidden(self.net, seqs, users, self.spec.window,
                                             self._device).cpu()
        return out, state

    def _gru_head(self, h: torch.Tensor, users: np.ndarray) -> torch.Tensor:
        """GRU output(s) at a sequence's last position -> output vector (as ``encode``)."""
        side = self.net.side.output_side(torch.as_tensor(users, device=h.device), None, 1)
        if isinstance(side, torch.Tensor):
            h = h + side[:, 0]
        return self.net.proj(h)

    def _continue_gru(self, u: int, extra: list[int]) -> torch.Tensor:
        """Output vector after user ``u``'s cached training state plus new session events.

        The exact path would re-read the last ``window`` items of history + session from a zero
        state; continuing the cached state reads a window of up to ``window + len(extra)`` items
        instead. On ml-100k with 3 session events the two agree closely (see benchmarks/README)
        and this costs a few GRU steps instead of ``window``.
        """
        if self._gru_weights is None:
            g = self.net.gru
            self._gru_weights = tuple(w.detach().cpu().numpy().astype(np.float32) for w in (
                g.weight_ih_l0, g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0))
        w_ih, w_hh, b_ih, b_hh = self._gru_weights
        items = torch.as_tensor(np.asarray(extra, np.int64), device=self._device)
        # a few steps of torch's GRU cell (gates r, z, n) in numpy: at batch 1 the module's
        # per-call overhead is most of the cost, and numpy does not spin up torch's threads
        gi = self.net.item_in(items).cpu().numpy() @ w_ih.T + b_ih
        h = self._gru_state[u].numpy()
        k = len(h)
        for x in gi:
            gh = w_hh @ h + b_hh
            r = 1.0 / (1.0 + np.exp(-(x[:k] + gh[:k])))
            z = 1.0 / (1.0 + np.exp(-(x[k:2 * k] + gh[k:2 * k])))
            n = np.tanh(x[2 * k:] + r * gh[2 * k:])
            h = (1.0 - z) * n + z * h
        return self._gru_head(torch.as_tensor(h[None], device=self._device), np.array([u]))

    # -- scoring -------------------------------------------------------------------------
    def history(self, user_id: str) -> Sequence[str]:
        u = self._user_index.get(str(user_id))
        if u is None:
            return ()
        return [self.item_ids[i - 1] for i in self.sequences[u]]

    def _context_row(self, context: dict) -> np.ndarray:
        row = np.zeros(len(self.context_columns), np.int64)
        for k, col in enumerate(self.context_columns):
            for key, value in (context or {}).items():
                if key.upper() == col.upper():
                    row[k] = self._ctx_index.get(f"{col}={str(value).lower()}", 0)
        return row

    def _session_items(self, query: Query) -> list[int]:
        event_type = self.settings.get("event_type")
        threshold = self.settings.get("event_value_threshold")
        listed = self.settings.get("event_weights") or {}  # eventsConfig: type -> [threshold, w]
        out = []
        for ev in sorted(query.session_events, key=lambda e: e.timestamp):
            if event_type and ev.event_type and ev.event_type.lower() != str(event_type).lower():
                continue
            if listed:
                params = listed.get((ev.event_type or "").lower())
                if params is None or not _meets(ev.event_value, params[0]):
                    continue
            # as in training, an event without a value does not meet the threshold
            if not _meets(ev.event_value, threshold):
                continue
            idx = self._item_index.get(str(ev.item_id))
            if idx is not None:
                out.append(idx)
        return out

    def _scores(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """(logit-like scores over item index 1..n, mask of items not yet seen)."""
        n = len(self.item_ids)
        u = self._user_index.get(str(query.user_id)) if query.user_id is not None else None
        base = self.sequences[u] if u is not None else np.zeros(0, np.int64)
        extra = self._session_items(query)
        seq = np.concatenate([base, np.asarray(extra, np.int64)]) if extra else base
        unseen = np.ones(n + 1, bool)
        unseen[0] = False
        unseen[seq] = False
        if len(seq) == 0:
            return np.log1p(self.popularity), unseen
        ctxs = ctx_next = None
        if self.contexts is not None:
            c_base = self.contexts[u] if u is not None else np.zeros((0, len(self.context_columns)),
                                                                        np.int64)
            c_extra = np.zeros((len(extra), len(self.context_columns)), np.int64)
            ctxs = [np.concatenate([c_base, c_extra])]
            ctx_next = self._context_row(dict(query.context))[None, :]
        with torch.no_grad():
            if u is not None and not extra and self._hidden is not None:
                h = self._hidden[u:u + 1].to(self._device)
            elif (u is not None and self._gru_state is not None and not self.exact_sessions
                  and len(extra) < self.spec.window):
                h = self._continue_gru(u, extra)
            else:
                from .seq_train import last_hidden
                h = last_hidden(self.net, [seq], np.array([-1 if u is None else u]),
                                self.spec.window, self._device, ctxs, ctx_next)
            logits = (h @ self._w.T + self._b)[0].cpu().numpy().astype(np.float64)
        pen = self.popularity_penalty
        if (self.blend <= 0 and pen <= 0) or not unseen.any():
            return logits, unseen
        if u is not None and not extra:
            uvec = self.user_factors[u]
        else:
            warm = seq[seq <= self.item_factors.shape[0]] - 1
            uvec = fold_in(self.item_factors, warm, self.als.alpha, self.als.regularization,
                           self._gram)
        lt = np.zeros(n + 1)
        lt[1:self.item_factors.shape[0] + 1] = self.item_factors @ uvec
        scale = float(logits[unseen].std()) if unseen.sum() > 1 else 1.0
        blended = (1 - self.blend) * _zscore(logits, unseen) + self.blend * _zscore(lt, unseen)
        if pen > 0:
            blended = blended - pen * _zscore(self._log_pop[:n + 1], unseen)
        return blended * max(scale, 1e-6), unseen

    def _with_objective(self, scores: np.ndarray, unseen: np.ndarray) -> np.ndarray:
        """``scores`` plus the optimizationObjective's pull (see the module docstring)."""
        if self.objective is None or self.objective_weight <= 0 or unseen.sum() < 2:
            return scores
        spread = max(float(scores[unseen].std()), 1e-6)
        return scores + self.objective_weight * spread * self.objective[:len(scores)]

    def score_items(self, query: Query) -> np.ndarray:
        scores = self._with_objective(*self._scores(query))
        scores = scores[1:]
        if self.ranking and query.item_ids:
            keep = np.zeros(len(scores), bool)
            for it in query.item_ids:
                idx = self._item_index.get(str(it))
                if idx is not None:
                    keep[idx - 1] = True
            out = np.zeros(len(scores))
            if keep.any():
                s = scores[keep] - scores[keep].max()
                p = np.exp(s)
                out[keep] = p / p.sum()
            return out
        s = scores - scores.max()
        p = np.exp(s)
        return p / p.sum()

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        lengths = np.array([len(s) for s in self.sequences], np.int64)
        arrays: dict[str, np.ndarray] = {
            "seq_flat": np.concatenate(self.sequences) if self.sequences else np.zeros(0, np.int64),
            "seq_len": lengths, "popularity": self.popularity,
            "user_factors": self.user_factors, "item_factors": self.item_factors}
        if self.contexts is not None:
            arrays["ctx_flat"] = np.concatenate(self.contexts)
        for name, enc in (("item_meta", self.item_meta), ("user_meta", self.user_meta)):
            if enc is not None:
                arrays[f"{name}_tokens"] = enc.tokens
                arrays[f"{name}_numeric"] = enc.numeric
        if self.objective is not None:
            arrays["objective"] = self.objective
        np.savez(directory / "arrays.npz", **arrays)
        torch.save(self.net.state_dict(), directory / "net.pt")
        config = {"format": 1, "spec": self.spec.to_json(), "item_ids": self.item_ids,
                  "user_ids": self.user_ids, "context_columns": self.context_columns,
                  "context_vocab": self.context_vocab, "als": vars(self.als),
                  "blend": self.blend, "popularity_penalty": self.popularity_penalty,
                  "objective_weight": self.objective_weight,
                  "ranking": self.ranking, "settings": self.settings,
                  "item_meta": self.item_meta.config() if self.item_meta else None,
                  "user_meta": self.user_meta.config() if self.user_meta else None}
        (directory / "config.json").write_text(json.dumps(config))

    @classmethod
    def load(cls, directory: Path) -> SequenceModel:
        directory = Path(directory)
        config = json.loads((directory / "config.json").read_text())
        with np.load(directory / "arrays.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        offsets = np.concatenate([[0], np.cumsum(arrays["seq_len"])])
        sequences = [arrays["seq_flat"][offsets[k]:offsets[k + 1]] for k in range(len(offsets) - 1)]
        contexts = None
        if "ctx_flat" in arrays:
            contexts = [arrays["ctx_flat"][offsets[k]:offsets[k + 1]]
                        for k in range(len(offsets) - 1)]
        metas = {}
        for name in ("item_meta", "user_meta"):
            if config.get(name):
                enc = MetaEncoding(**config[name])
                enc.tokens = arrays[f"{name}_tokens"]
                enc.numeric = arrays[f"{name}_numeric"]
                metas[name] = enc
            else:
                metas[name] = None
        spec = NetSpec(**config["spec"])
        net = _make_net(spec, metas["item_meta"], metas["user_meta"])
        net.load_state_dict(torch.load(directory / "net.pt", weights_only=True,
                                       map_location="cpu"))
        return cls(net=net, spec=spec, item_ids=config["item_ids"], user_ids=config["user_ids"],
                   sequences=sequences, contexts=contexts,
                   context_columns=config["context_columns"],
                   context_vocab=config["context_vocab"], popularity=arrays["popularity"],
                   user_factors=arrays["user_factors"], item_factors=arrays["item_factors"],
                   als=ALSConfig(**config["als"]), blend=config["blend"],
                   popularity_penalty=config.get("popularity_penalty", 0.0),
                   objective=arrays.get("objective"),
                   objective_weight=config.get("objective_weight", 0.0),
                   ranking=config["ranking"], settings=config["settings"], **metas)


def _meets(value: float | None, threshold: float | None) -> bool:
    """Whether an event value meets a threshold (no threshold: always; no value: never)."""
    return threshold is None or (value is not None and float(value) >= float(threshold))


def _gru_last_state(net, seqs: list[np.ndarray], window: int, device) -> torch.Tensor:
    """The GRU's output after each sequence's last ``window`` items (before the output side)."""
    width = max(1, max(min(len(s), window) for s in seqs))
    items = np.zeros((len(seqs), width), np.int64)
    lens = np.zeros(len(seqs), np.int64)
    for k, s in enumerate(seqs):
        tail = s[-window:]
        items[k, :len(tail)] = tail
        lens[k] = max(1, len(tail))
    h, _ = net.gru(net.item_in(torch.as_tensor(items, device=device)))
    return h[torch.arange(len(seqs), device=device), torch.as_tensor(lens - 1, device=device)]


def _make_net(spec: NetSpec, item_meta: MetaEncoding | None, user_meta: MetaEncoding | None):
    return build_net(spec,
                     item_meta.tokens if item_meta else None,
                     item_meta.numeric if item_meta else None,
                     user_meta.tokens if user_meta else None,
                     user_meta.numeric if user_meta else None)


class SequenceRecipe(Recipe):
    """Shared fit / update for the GRU and transformer recipes (subclasses pick the network)."""

    kind = "gru"
    default_hidden = 149

    def __init__(self, use_metadata: bool = False, cold_start: bool = False,
                 ranking: bool = False, max_epochs: int | None = None,
                 long_term: bool = True, log: Callable[[str], None] | None = None,
                 **_options: Any):
        self.use_metadata = bool(use_metadata)
        self.cold_start = bool(cold_start)
        self.ranking = bool(ranking)
        self.max_epochs = max_epochs
        self.long_term = bool(long_term)
        self.log = log

    @abstractmethod
    def net_shape(self, options: FitOptions) -> tuple[int, int, int]:
        """(window, hidden size, input embedding size) from the hyperparameters."""

    def recency(self, options: FitOptions) -> bool:
        return hyperparameter(options, "recency_mask", True, bool)

    def _train_config(self, n_events: int, window: int) -> TrainConfig:
        """Epochs, batch size and learning rate from the data size.

        A fixed budget of about 400k predicted events (4 epochs on ml-100k's 90k, 3 at least),
        over which the learning rate decays linearly to 0; below 20k events, never fewer than
        ~300 optimizer steps, which small data sets need to learn anything. On ml-100k the decaying budget of
        4 epochs scored NDCG@10 0.198 on the benchmark's 5 seeds against 0.185 for a constant
        rate with held-out early stopping, which ran 3-7 epochs; a fixed budget also bounds the
        fit time. The held-out users still pick the best epoch's weights; long schedules (small
        data) stop after a few epochs without improvement. Larger data uses larger batches: a
        GRU step costs per time step, so 64-128 windows at once halve the cost per event.
        """
        batch = 16 if n_events < 20_000 else 64 if n_events < 200_000 else 128
        steps_per_epoch = max(1, n_events // (window * batch))
        epochs = int(np.clip(round(4e5 / max(n_events, 1)), 3, 12))
        if n_events < 20_000:
            epochs = max(epochs, min(60, -(-300 // steps_per_epoch)))
        patience = epochs if epochs <= 8 else max(2, epochs // 6)
        return TrainConfig(window=window, batch_size=batch, max_epochs=self.max_epochs or epochs,
                           patience=patience, lr=1e-2, decay=True)

    def _prepare(self, data: TrainingData, options: FitOptions) -> Prepared:
        return prepare(data, options, use_metadata=self.use_metadata,
                       include_cold_items=self.use_metadata or self.cold_start)

    def fit(self, data: TrainingData, options: FitOptions) -> SequenceModel:
        return self._fit(data, options, previous=None)

    def update(self, model: Model, data: TrainingData, options: FitOptions) -> SequenceModel:
        if not isinstance(model, SequenceModel):
            return self.fit(data, options)
        return self._fit(data, options, previous=model)

    def _fit(self, data: TrainingData, options: FitOptions,
             previous: SequenceModel | None) -> SequenceModel:
        t0 = time.perf_counter()
        prep = self._prepare(data, options)
        objective, objective_weight = _objective(data, prep, options)
        if previous is not None and prep.item_meta is not None and previous.item_meta is not None:
            # keep the token vocabulary so metadata weights carry over
            prep.item_meta = encode_table(data.items, prep.item_ids, "ITEM_ID", previous.item_meta)
        if previous is not None and prep.user_meta is not None and previous.user_meta is not None:
            prep.user_meta = encode_table(data.users, prep.user_ids, "USER_ID", previous.user_meta)
        if previous is not None and previous.context_columns == prep.context_columns:
            _recode_contexts(prep, previous.context_vocab)
        window, hidden, embedding = self.net_shape(options)
        n_events = int(sum(len(s) for s in prep.sequences))
        cfg = self._train_config(n_events, window)
        cfg.recency = self.recency(options)
        spans = training_spans(
            prep, hyperparameter(options, "min_user_history_length_percentile", 0.0),
            hyperparameter(options, "max_user_history_length_percentile", 0.99))
        if not spans:
            raise EngineError("No user has at least 2 interactions left after the user-history "
                              "percentile filtering.")
        spec = NetSpec(kind=self.kind, n_items=len(prep.item_ids), n_warm=prep.n_warm,
                       hidden=hidden, embedding=embedding, window=window,
                       n_item_tokens=prep.item_meta.n_tokens if prep.item_meta else 0,
                       n_user_tokens=prep.user_meta.n_tokens if prep.user_meta else 0,
                       n_context_tokens=len(prep.context_vocab) + 1 if prep.context_columns else 0,
                       item_meta=prep.item_meta is not None, user_meta=prep.user_meta is not None)
        rng = np.random.default_rng(np.random.SeedSequence(int(options.seed)))
        device = _device(options)
        with torch_session(options, device):
            net = _make_net(spec, prep.item_meta, prep.user_meta).to(device)
            if previous is not None:
                _warm_start(net, previous, prep)
                cfg.max_epochs = max(1, min(2, cfg.max_epochs))
                cfg.validate = False
            holdout = choose_holdout(prep, rng) if cfg.validate else None
            hold = holdout.hold_of() if holdout is not None else {}
            windows = Windows(prep, spans, window, hold, cfg.recency)
            if windows.n == 0:
                raise EngineError("No training sequences: every user has fewer than 2 "
                                  "interactions after filtering.")
            # on a GPU the slices run one after the other (the device is the parallelism)
            with ShardRunner.for_threads(options.threads if device.type == "cpu" else 1) as runner:
                epochs, held_logits = train(net, prep, windows, cfg, rng, device,
                                            options.should_stop, holdout, self.log, runner)
            net = net.cpu().eval()
            user_f, item_f, als = self._fit_als(prep, hold, options)
            blend = DEFAULT_BLEND if self.long_term else 0.0
            penalty = 0.0
            if previous is not None:
                blend = previous.blend if self.long_term else 0.0
                penalty = previous.popularity_penalty if self.long_term else 0.0
            elif self.long_term and holdout is not None and held_logits is not None:
                blend, penalty = _choose_blend(held_logits, holdout, user_f, item_f,
                                               prep.popularity)
            settings = {"event_type": options.event_type,
                        "event_value_threshold": options.event_value_threshold, "epochs": epochs,
                        "event_weights": {str(t).lower(): [th, w] for t, (th, w)
                                          in (options.event_weights or {}).items()} or None}
            # built inside the session: it encodes every user's history on the fit's threads
            model = SequenceModel(net=net, spec=spec, item_ids=prep.item_ids,
                                  user_ids=prep.user_ids, sequences=prep.sequences,
                                  contexts=prep.contexts, context_columns=prep.context_columns,
                                  context_vocab=prep.context_vocab, popularity=prep.popularity,
                                  user_factors=user_f, item_factors=item_f, als=als, blend=blend,
                                  ranking=self.ranking, settings=settings,
                                  item_meta=prep.item_meta, user_meta=prep.user_meta,
                                  popularity_penalty=penalty, objective=objective,
                                  objective_weight=objective_weight)
        settings["fit_seconds"] = time.perf_counter() - t0
        if self.log:
            self.log(f"fit: {epochs} epochs, blend {blend}, popularity penalty {penalty}, "
                     f"{settings['fit_seconds']:.1f}s")
        return model

    def _fit_als(self, prep: Prepared, hold: dict[int, int], options: FitOptions):
        # the conjugate-gradient solver is warm-started, so a few sweeps settle it; large data
        # gets fewer (its blend weight is small, and each sweep is two dense user x item products)
        cfg = ALSConfig(factors=64 if prep.n_warm > 64 else max(4, prep.n_warm // 2),
                        iterations=10 if len(prep.user_ids) * prep.n_warm <= 5_000_000 else 6)
        rows, cols = [], []
        for u, seq in enumerate(prep.sequences):
            s = seq[:len(seq) - hold.get(u, 0)]
            s = np.unique(s)
            rows.append(np.full(len(s), u, np.int64))
            cols.append(s - 1)
        r, c = np.concatenate(rows), np.concatenate(cols)
        keep = c < prep.n_warm
        if options.should_stop():
            raise TrainingStopped()
        user_f, item_f = fit_als(r[keep], c[keep], len(prep.user_ids), prep.n_warm, cfg,
                                 int(options.seed), options.should_stop)
        if options.should_stop():
            raise TrainingStopped()
        return user_f, item_f, cfg


def _objective(data: TrainingData, prep: Prepared, options: FitOptions
               ) -> tuple[np.ndarray | None, float]:
    """(per-item objective values, weight) for ``options.objective``; (None, 0) without one."""
    if not options.objective:
        return None, 0.0
    column, sensitivity = options.objective
    weight = OBJECTIVE_WEIGHTS.get(str(sensitivity).upper())
    if weight is None:
        raise EngineError(f"Unknown objectiveSensitivity {sensitivity!r}; use one of "
                          f"{', '.join(OBJECTIVE_WEIGHTS)}.")
    if weight <= 0:  # OFF: relevance only (the metric still reports the objective's reward)
        return None, 0.0
    return objective_values(data, prep.item_ids, column), weight


def _row_z(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``_zscore`` of every row over its masked entries (masked-out entries become 0)."""
    cnt = mask.sum(1, keepdims=True)
    xm = np.where(mask, x, 0.0)
    mean = xm.sum(1, keepdims=True) / np.maximum(cnt, 1)
    sd = np.sqrt(np.where(mask, (xm - mean) ** 2, 0.0).sum(1, keepdims=True) / np.maximum(cnt, 1))
    z = np.where(mask, (xm - mean) / np.where(sd > 1e-12, sd, 1.0), 0.0)
    return np.where(cnt >= 2, z, 0.0)


def _coverage(scores: np.ndarray, mask: np.ndarray, k: int = COVERAGE_TOP) -> float:
    """Share of the catalogue appearing in the rows' top-k (among masked-in items)."""
    s = np.where(mask, scores, -np.inf)
    k = min(k, s.shape[1] - 1)
    top = np.argpartition(-s, k, axis=1)[:, :k]
    shown = {int(i) for row, t in zip(s, top, strict=True) for i in t if np.isfinite(row[i])}
    return len(shown) / max(1, s.shape[1] - 1)


def _choose_blend(held_logits: np.ndarray, holdout, user_f: np.ndarray, item_f: np.ndarray,
                  popularity: np.ndarray | None = None) -> tuple[float, float]:
    """(ALS share of the blend, popularity penalty), chosen on the fit's held-out users.

    Candidates are the pairs whose held-out catalogue coverage (top-25 lists) is at least the
    ALS part's own, so the sequence model does not narrow the catalogue it shows (without
    such a pair: every pair without a penalty). A few hundred held-out users -- a dozen on
    small data -- make the NDCG@10 of each pair noisy, so the one-standard-error rule picks:
    among the candidates whose NDCG@10 is within one standard error (paired, per user) of the
    best, the one closest to the default ``(DEFAULT_BLEND, 0)``.
    """
    finite = np.isfinite(held_logits)
    lt = np.zeros_like(held_logits, dtype=np.float64)
    lt[:, 1:item_f.shape[0] + 1] = user_f[holdout.users] @ item_f.T
    z_lt = _row_z(lt, finite)
    z_seq = _row_z(np.where(finite, held_logits, 0.0).astype(np.float64), finite)
    z_pop = 0.0
    penalties: tuple[float, ...] = (0.0,)
    if popularity is not None:
        log_pop = np.log1p(np.asarray(popularity, np.float64))[:held_logits.shape[1]]
        z_pop = _row_z(np.broadcast_to(log_pop, held_logits.shape), finite)
        penalties = PENALTY_GRID
    cov_als = _coverage(z_lt, finite)
    results = []
    for g in penalties:
        for a in BLEND_GRID:
            score = np.where(finite, (1 - a) * z_seq + a * z_lt - g * z_pop, -np.inf)
            results.append((a, g, ndcg_rows(score, holdout.truth), _coverage(score, finite)))
    ok = [r for r in results if r[3] >= cov_als] or [r for r in results if r[1] == 0.0]
    best = max(ok, key=lambda r: float(r[2].mean()))
    n = len(best[2])

    def within_one_se(r) -> bool:
        diff = best[2] - r[2]
        se = float(diff.std(ddof=1)) / np.sqrt(n) if n > 1 else 0.0
        return float(diff.mean()) <= se + 1e-12

    near = [r for r in ok if within_one_se(r)]
    pick = min(near, key=lambda r: (abs(r[0] - DEFAULT_BLEND) + r[1], -float(r[2].mean())))
    return float(pick[0]), float(pick[1])


def _recode_contexts(prep: Prepared, vocab: list[str]) -> None:
    """Re-express context tokens in a previous model's vocabulary (unknown -> 0)."""
    if prep.contexts is None:
        return
    old = {t: k + 1 for k, t in enumerate(vocab)}
    new_to_old = np.array([0] + [old.get(t, 0) for t in prep.context_vocab], np.int64)
    prep.contexts = [new_to_old[c] for c in prep.contexts]
    prep.context_vocab = list(vocab)


def _warm_start(net, previous: SequenceModel, prep: Prepared) -> None:
    """Copy a previous model's weights; item rows are matched by item id."""
    old_state = dict(previous.net.named_parameters())
    new_state = {k: v.data for k, v in net.named_parameters()}
    old_index = {it: k + 1 for k, it in enumerate(previous.item_ids)}
    rows_new = np.array([k + 1 for k, it in enumerate(prep.item_ids) if it in old_index])
    rows_old = np.array([old_index[it] for it in prep.item_ids if it in old_index])
    n_items = len(prep.item_ids) + 1
    with torch.no_grad():
        for name, value in new_state.items():
            old = old_state.get(name)
            if old is None:
                continue
            if old.shape == value.shape and not (value.ndim >= 1 and value.shape[0] == n_items
                                                 and ("free" in name or name == "bias")):
                value.copy_(old)
            elif value.ndim >= 1 and value.shape[1:] == old.shape[1:] and len(rows_new) and (
                    "free" in name or name == "bias"):
                value[torch.as_tensor(rows_new)] = old[torch.as_tensor(rows_old)].to(value.dtype)
        # cold rows (no interactions now) must stay zero so their vector is metadata-only
        for name, value in new_state.items():
            if "free" in name:
                value[prep.n_warm + 1:] = 0
