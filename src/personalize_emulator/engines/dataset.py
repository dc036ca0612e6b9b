"""The data a recipe trains on: pandas frames named by the dataset schema's own field names.

The boundary between the control plane and the engines is deliberately plain: one frame per
dataset type, with the columns the user's Avro schema declares (``USER_ID``, ``ITEM_ID``,
``TIMESTAMP``, ``EVENT_TYPE``, ``EVENT_VALUE``, metadata and contextual columns), ids as
strings. ``FieldKinds`` says which metadata columns are categorical (``|``-separated
multi-values), textual, or numeric, as the schema declares them. Recipes encode ids to
integers themselves (see ``Vocabulary`` in ``engines/vocab.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class FieldKinds:
    categorical: set[str] = field(default_factory=set)
    textual: set[str] = field(default_factory=set)
    numeric: set[str] = field(default_factory=set)
    boolean: set[str] = field(default_factory=set)
    #: The Items field the schema marks ``"itemName": true`` (Semantic-Similarity reads it).
    item_name: str | None = None


@dataclass
class Table:
    """A metadata dataset (Items, Users or Actions): one row per id, newest record wins."""

    frame: pd.DataFrame
    kinds: FieldKinds = field(default_factory=FieldKinds)


@dataclass
class TrainingData:
    """Everything a solution version trains on.

    ``interactions`` is required (columns USER_ID, ITEM_ID, TIMESTAMP, optional EVENT_TYPE,
    EVENT_VALUE, IMPRESSION, RECOMMENDATION_ID and contextual columns); the others are present
    when the dataset group has them. ``interaction_kinds`` describes the contextual columns.
    """

    interactions: pd.DataFrame
    items: Table | None = None
    users: Table | None = None
    actions: Table | None = None
    action_interactions: pd.DataFrame | None = None
    interaction_kinds: FieldKinds = field(default_factory=FieldKinds)
