"""Next-Best-Action: the actions each user is most likely to take, by propensity.

Each user is described by (a) latent factors of their item interactions (a truncated SVD of the
user-item matrix) and (b) their smoothed take rate of every action so far. One logistic
regression per action, fitted jointly by full-batch gradient descent with L2 regularisation,
predicts from those features whether a user exposed to the action takes it (``Taken`` vs
``Not taken`` / ``Viewed``; spellings and case are normalised). The labels come from the last
``action_optimization_period`` days of action interactions (all of them if that window holds
fewer than ``min_events``), so the propensity is "will take it within the period". Events in the
6 weeks (``ELIGIBILITY_WINDOW``) before the latest interaction decide the documented eligibility
rule -- an action is scored only after at least ``min_events`` (50) Taken and 50
Not-taken/Viewed events;
until then, and for actions already expired at training time, its score is 0.0, so ordering
falls back to VALUE (serving breaks ties by higher VALUE and never returns expired actions).
Users unknown to the model get the population's propensities.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..artifacts import load_arrays, save_arrays
from ..base import EngineError, FitOptions, Model, Query, Recipe
from ..dataset import TrainingData
from ..training import check_stop, hyperparameter, prepare_interactions
from ..vocab import Vocabulary
from .similar_items import randomized_svd

ELIGIBILITY_WINDOW = 42 * 86_400.0
ITEM_FACTORS = 16
ITERATIONS = 300
LEARNING_RATE = 0.5
L2 = 1e-3


def _normalise_event(values: pd.Series) -> np.ndarray:
    return values.astype(str).str.replace(r"[\s_\-]", "", regex=True).str.lower().to_numpy()


class NextBestActionModel(Model):
    recipe_type = "PERSONALIZED_ACTIONS"

    def __init__(self, users: Vocabulary, actions: Vocabulary, features: np.ndarray,
                 default_features: np.ndarray, weights: np.ndarray, eligible: np.ndarray,
                 values: np.ndarray, expiration: np.ndarray):
        self.users = users
        self.actions = actions
        self.features = np.asarray(features, dtype=np.float64)
        self.default_features = np.asarray(default_features, dtype=np.float64)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.eligible = np.asarray(eligible, dtype=bool)
        self.action_values = np.asarray(values, dtype=np.float64)
        self.action_expiration = np.asarray(expiration, dtype=np.float64)

    @property
    def user_ids(self):  # type: ignore[override]
        return self.users.ids

    @property
    def action_ids(self):  # type: ignore[override]
        return self.actions.ids

    def score_actions(self, query: Query) -> np.ndarray:
        u = self.users.index(query.user_id)
        x = self.features[u] if u is not None else self.default_features
        p = 1.0 / (1.0 + np.exp(-(x @ self.weights)))
        return np.where(self.eligible, p, 0.0)

    def save(self, directory: Path) -> None:
        save_arrays(directory, "model", users=self.users.to_array(),
                    actions=self.actions.to_array(), features=self.features,
                    default_features=self.default_features, weights=self.weights,
                    eligible=self.eligible, values=self.action_values,
                    expiration=self.action_expiration)

    @classmethod
    def load(cls, directory: Path) -> Model:
        a = load_arrays(directory, "model")
        return cls(Vocabulary.from_array(a["users"]), Vocabulary.from_array(a["actions"]),
                   a["features"], a["default_features"], a["weights"], a["eligible"],
                   a["values"], a["expiration"])


class NextBestActionRecipe(Recipe):
    def __init__(self, min_events: int = 50):
        self.min_events = int(min_events)

    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = prepare_interactions(data, options)
        if data.actions is None or len(data.actions.frame) == 0:
            raise EngineError("Next-Best-Action needs an Actions dataset; it is missing or empty.")
        actions_frame = data.actions.frame.copy()
        actions_frame["ACTION_ID"] = actions_frame["ACTION_ID"].astype(str)
        actions_frame = actions_frame.drop_duplicates("ACTION_ID", keep="last")
        actions = Vocabulary(actions_frame["ACTION_ID"])
        actions_frame = actions_frame.set_index("ACTION_ID").reindex(actions.ids)
        values = pd.to_numeric(actions_frame.get("VALUE", pd.Series(np.nan, index=actions_frame
                                                                    .index)), errors="coerce")
        expiration = pd.to_numeric(actions_frame.get(
            "EXPIRATION_TIMESTAMP", pd.Series(np.nan, index=actions_frame.index)),
            errors="coerce").to_numpy(dtype=float)

        ai = data.action_interactions
        if ai is None:
            ai = pd.DataFrame(columns=["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"])
        missing = [c for c in ("USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE")
                   if c not in ai.columns]
        if missing:
            raise EngineError(f"The Action_Interactions dataset has no {missing[0]} column.")
        ai = ai.assign(USER_ID=ai["USER_ID"].astype(str), ACTION_ID=ai["ACTION_ID"].astype(str))
        ai = ai[ai["ACTION_ID"].isin(set(actions.ids))]
        event = _normalise_event(ai["EVENT_TYPE"]) if len(ai) else np.zeros(0, dtype=str)
        taken = event == "taken"
        negative = np.isin(event, ["nottaken", "viewed"])

        users = Vocabulary(set(frame["USER_ID"]) | set(ai["USER_ID"]))
        n_users, n_actions = len(users), len(actions)
        latest = max(float(frame["TIMESTAMP"].max()),
                     float(pd.to_numeric(ai["TIMESTAMP"]).max()) if len(ai) else -np.inf)

        # eligibility: enough recent positives and negatives, and not expired at training time
        a_idx = actions.indices(ai["ACTION_ID"].to_numpy())
        recent = pd.to_numeric(ai["TIMESTAMP"]).to_numpy(dtype=float) >= latest - ELIGIBILITY_WINDOW
        pos_n = np.bincount(a_idx[taken & recent], minlength=n_actions)
        neg_n = np.bincount(a_idx[negative & recent], minlength=n_actions)
        eligible = (pos_n >= self.min_events) & (neg_n >= self.min_events)
        eligible &= ~(np.isfinite(expiration) & (expiration <= latest))

        # features: item-interaction factors + smoothed take rates per action
        u_items = users.indices(frame["USER_ID"].to_numpy())
        items = Vocabulary(frame["ITEM_ID"].unique())
        x = sp.csr_matrix((np.ones(len(frame)), (u_items, items.indices(
            frame["ITEM_ID"].to_numpy()))), shape=(n_users, len(items)))
        x.sum_duplicates()
        x.data[:] = 1.0
        k = max(1, min(ITEM_FACTORS, min(x.shape) - 1))
        uf, s = randomized_svd(x, k, options.seed)
        latent = uf * np.sqrt(s)
        latent /= np.abs(latent).max(initial=0.0) or 1.0

        u_act = users.indices(ai["USER_ID"].to_numpy())
        exposed = np.zeros((n_users, n_actions))
        took = np.zeros((n_users, n_actions))
        np.add.at(exposed, (u_act[taken | negative], a_idx[taken | negative]), 1.0)
        np.add.at(took, (u_act[taken], a_idx[taken]), 1.0)
        base = (took.sum(axis=0) + 1.0) / (exposed.sum(axis=0) + 2.0)
        rates = (took + base) / (exposed + 1.0)
        features = np.hstack([latent, rates, np.ones((n_users, 1))])
        default = np.concatenate([np.zeros(k), base, [1.0]])

        # labels: took the action within the optimisation period, among users exposed to it
        period = hyperparameter(options, "action_optimization_period", 14, int)
        if not 7 <= period <= 28:
            raise EngineError(f"action_optimization_period must be in [7, 28]; got {period}")
        in_period = (pd.to_numeric(ai["TIMESTAMP"]).to_numpy(dtype=float)
                     >= latest - period * 86_400.0)
        if (in_period & (taken | negative)).sum() < self.min_events:
            in_period = np.ones(len(ai), dtype=bool)
        seen_p = np.zeros((n_users, n_actions))
        took_p = np.zeros((n_users, n_actions))
        sel = in_period & (taken | negative)
        np.add.at(seen_p, (u_act[sel], a_idx[sel]), 1.0)
        np.add.at(took_p, (u_act[in_period & taken], a_idx[in_period & taken]), 1.0)
        label = (took_p > 0).astype(float)
        mask = (seen_p > 0).astype(float)
        check_stop(options)
        weights = _fit_logistic(features, label, mask, options)
        return NextBestActionModel(users, actions, features, default, weights, eligible,
                                   values.to_numpy(dtype=float), expiration)


def _fit_logistic(features, label, mask, options) -> np.ndarray:
    """One logistic regression per action (columns), trained jointly by gradient descent."""
    d = features.shape[1]
    n_actions = label.shape[1]
    w = np.zeros((d, n_actions))
    counts = np.maximum(mask.sum(axis=0), 1.0)
    for step in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-(features @ w)))
        grad = features.T @ ((p - label) * mask) / counts + L2 * w
        w -= LEARNING_RATE * grad
        if step % 50 == 0:
            check_stop(options)
    return w
