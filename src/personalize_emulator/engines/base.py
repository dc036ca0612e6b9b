"""The recipe interface every engine implements.

A :class:`Recipe` is stateless configuration; ``fit`` returns a :class:`Model`. Models score;
they do not filter or cut to N. Serving (``engines/serving.py``) is written once for every
recipe: it takes a model's scores over its catalogue, removes excluded items, applies filter
masks and exploration, and returns the top N. So a model needs only to answer

* ``score_items(query)`` -- one float per entry of ``model.item_ids`` (higher is better), for
  USER_PERSONALIZATION, POPULAR_ITEMS, RELATED_ITEMS and PERSONALIZED_RANKING recipes;
* ``score_users(query)`` -- one float per entry of ``model.user_ids``, for USER_SEGMENTATION;
* ``score_actions(query)`` -- one float per entry of ``model.action_ids``, for
  PERSONALIZED_ACTIONS.

A :class:`Query` carries what a runtime request carries: the user, the item (related items),
events the user produced after training (from PutEvents, so recommendations move in real
time without retraining), and the request's context. Models save to a directory and load from
it without pickle (``numpy.savez`` with ``allow_pickle=False``, or a torch ``state_dict``
loaded with ``weights_only=True``, plus a JSON file).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .dataset import TrainingData


class EngineError(ValueError):
    """Training or scoring cannot proceed; the message is fit for a ``failureReason``."""


class TrainingStopped(Exception):
    """Raised inside ``fit`` when ``FitOptions.should_stop()`` turned true."""


@dataclass(frozen=True)
class SessionEvent:
    item_id: str
    timestamp: float
    event_type: str | None = None
    event_value: float | None = None


@dataclass
class Query:
    user_id: str | None = None
    item_id: str | None = None
    item_ids: Sequence[str] = ()  # segmentation by items, or a ranking input list
    item_attributes: str | None = None  # Item-Attribute-Affinity query text
    session_events: Sequence[SessionEvent] = ()
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass
class FitOptions:
    """How to train: seed, hyperparameters (strings, as the API carries them), and hooks."""

    seed: int = 0
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    feature_transformation: Mapping[str, str] = field(default_factory=dict)
    event_type: str | None = None  # train only on this event type (solution eventType)
    event_value_threshold: float | None = None  # drop interactions with EVENT_VALUE below it
    #: solutionConfig.eventsConfig: event type (lower-cased) -> (its eventValueThreshold or
    #: None, its weight 0..1). Only these types train, each above its own threshold, and the
    #: sequence recipes weight each predicted event by its type's weight (``training``).
    event_weights: Mapping[str, tuple[float | None, float]] | None = None
    #: solutionConfig.optimizationObjective: (numerical Items column, LOW|MEDIUM|HIGH|OFF); the
    #: sequence recipes favour items with a high value of the column at serving time.
    objective: tuple[str, str] | None = None
    should_stop: Callable[[], bool] = lambda: False
    device: str | None = None  # None: cuda if available, else cpu
    #: 1: one thread throughout; None or 2+: training may use a second core where a recipe can
    #: (the sequence recipes train a batch's two slices at once; results do not change)
    threads: int | None = None


class Model(ABC):
    recipe_type: ClassVar[str]
    #: Whether GetRecommendations returns scores for this recipe (not for SIMS, popularity...).
    returns_scores: ClassVar[bool] = True

    item_ids: Sequence[str] = ()
    user_ids: Sequence[str] = ()
    action_ids: Sequence[str] = ()

    def score_items(self, query: Query) -> np.ndarray:
        raise EngineError(f"{type(self).__name__} does not score items")

    def score_users(self, query: Query) -> np.ndarray:
        raise EngineError(f"{type(self).__name__} does not score users")

    def score_actions(self, query: Query) -> np.ndarray:
        raise EngineError(f"{type(self).__name__} does not score actions")

    def history(self, user_id: str) -> Sequence[str]:
        """Items the user interacted with in training (serving may exclude them)."""
        return ()

    @abstractmethod
    def save(self, directory: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> Model: ...


class Recipe(ABC):
    """A trainable recipe. Instances are cheap; all state lives in the fitted Model."""

    @abstractmethod
    def fit(self, data: TrainingData, options: FitOptions) -> Model: ...

    def update(self, model: Model, data: TrainingData, options: FitOptions) -> Model:
        """trainingMode UPDATE: refresh cheaply with new items and users. Default: refit."""
        return self.fit(data, options)


HyperParams = dict[str, Any]
