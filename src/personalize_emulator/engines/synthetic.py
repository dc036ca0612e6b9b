"""Synthetic data with planted structure, shared by tests, examples and benchmarks.

:func:`planted` builds one small world in which every recipe has something definite to find:

* **clusters and chains** -- items are split into clusters; each cluster's items form an ordered
  chain. Every user belongs to one cluster and walks its chain in order (from a random start,
  wrapping around), so the true next item after ``chain[j]`` is ``chain[j+1]`` and an item's
  co-occurring items are its own cluster's;
* **popular items** -- a few items outside the clusters that most users touch at a random time;
* **a trending burst** -- items nobody touched before the latest ``burst_window`` seconds that many
  users touch inside it;
* **metadata-only cold items** -- one per cluster, present in Items (with the cluster's GENRE and
  text) but never in interactions;
* **users' metadata** -- each user's cluster as ``SEGMENT``.

:func:`planted_actions` adds Actions and Action_Interactions in which each cluster's users take
"their" action, plus one expired action. Everything is deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .dataset import FieldKinds, Table, TrainingData

DAY = 86_400.0
START = 1_600_000_000.0  # 2020-09-13, an arbitrary fixed epoch


@dataclass
class Planted:
    data: TrainingData
    cluster_items: list[list[str]]  # each cluster's chain, in order
    cluster_users: list[list[str]]
    user_cluster: dict[str, int]
    item_cluster: dict[str, int]
    popular_items: list[str]
    trending_items: list[str]
    cold_items: list[str]  # cold_items[k] belongs to cluster k
    genres: list[str]  # genres[k] is cluster k's GENRE value
    end_time: float
    burst_window: float
    actions: list[str] = field(default_factory=list)  # actions[k] is taken by cluster k
    expired_actions: list[str] = field(default_factory=list)

    def successor(self, item: str) -> str | None:
        k = self.item_cluster.get(item)
        if k is None:
            return None
        chain = self.cluster_items[k]
        return chain[(chain.index(item) + 1) % len(chain)]


_WORDS = [
    ["space", "rocket", "alien", "galaxy", "orbit", "planet"],
    ["love", "wedding", "romance", "heart", "kiss", "date"],
    ["murder", "detective", "crime", "clue", "police", "trial"],
    ["dragon", "wizard", "magic", "castle", "quest", "sword"],
    ["laugh", "comedy", "joke", "prank", "party", "funny"],
    ["war", "soldier", "battle", "army", "tank", "front"],
    ["ocean", "ship", "island", "pirate", "storm", "sail"],
    ["horror", "ghost", "haunted", "scream", "night", "fear"],
]


def _text(cluster: int, rng: np.random.Generator) -> str:
    words = _WORDS[cluster % len(_WORDS)]
    picked = rng.choice(words, size=4, replace=True)
    return " ".join(picked.tolist())


def planted(
    seed: int = 0,
    *,
    n_users: int = 120,
    n_clusters: int = 6,
    items_per_cluster: int = 10,
    walk_length: int = 8,
    n_popular: int = 3,
    popular_rate: float = 0.7,
    n_trending: int = 3,
    trending_users: float = 0.35,
    days: float = 30.0,
    burst_window: float = DAY,
    event_types: tuple[str, ...] = ("click",),
) -> Planted:
    """One planted world (see the module docstring). All ids are strings."""
    rng = np.random.default_rng(seed)
    chains = [[f"i{k}_{j}" for j in range(items_per_cluster)] for k in range(n_clusters)]
    popular = [f"pop{j}" for j in range(n_popular)]
    trending = [f"trend{j}" for j in range(n_trending)]
    cold = [f"cold{k}" for k in range(n_clusters)]
    genres = [f"g{k}" for k in range(n_clusters)]
    end = START + days * DAY
    burst_start = end - burst_window

    users = [f"u{n:04d}" for n in range(n_users)]
    user_cluster = {u: n % n_clusters for n, u in enumerate(users)}
    rows: list[tuple[str, str, float]] = []
    for u in users:
        chain = chains[user_cluster[u]]
        start = int(rng.integers(len(chain)))
        length = min(walk_length, len(chain))
        # a walk happens in order, at increasing times before the burst window
        times = np.sort(rng.uniform(START, burst_start - 1.0, size=length))
        for step in range(length):
            rows.append((u, chain[(start + step) % len(chain)], float(times[step])))
        for p in popular:
            if rng.random() < popular_rate:
                rows.append((u, p, float(rng.uniform(START, end - 1.0))))
        if trending and rng.random() < trending_users:
            for t in trending:
                rows.append((u, t, float(rng.uniform(burst_start, end - 1.0))))

    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    frame["TIMESTAMP"] = frame["TIMESTAMP"].round(0).astype(np.int64)
    frame["EVENT_TYPE"] = rng.choice(list(event_types), size=len(frame))
    frame["EVENT_VALUE"] = rng.integers(1, 6, size=len(frame)).astype(float)
    frame = frame.sort_values(["TIMESTAMP", "USER_ID"], kind="stable").reset_index(drop=True)

    item_cluster = {i: k for k, chain in enumerate(chains) for i in chain}
    item_rows = []
    for k, chain in enumerate(chains):
        for i in chain + [cold[k]]:
            item_rows.append(
                {
                    "ITEM_ID": i,
                    "GENRE": genres[k],
                    "ITEM_NAME": f"{genres[k]} title {i}",
                    "DESCRIPTION": _text(k, rng),
                    "CREATION_TIMESTAMP": int(end - 2 * DAY) if i == cold[k] else int(START),
                }
            )
    for i in popular:
        item_rows.append(
            {"ITEM_ID": i, "GENRE": "popular", "ITEM_NAME": f"hit {i}",
             "DESCRIPTION": "blockbuster hit famous star", "CREATION_TIMESTAMP": int(START)}
        )
    for i in trending:
        item_rows.append(
            {"ITEM_ID": i, "GENRE": "trend", "ITEM_NAME": f"viral {i}",
             "DESCRIPTION": "viral trend new buzz", "CREATION_TIMESTAMP": int(burst_start)}
        )
    items = Table(
        pd.DataFrame(item_rows),
        FieldKinds(categorical={"GENRE"}, textual={"DESCRIPTION"}, numeric={"CREATION_TIMESTAMP"}),
    )
    users_table = Table(
        pd.DataFrame({"USER_ID": users, "SEGMENT": [f"s{user_cluster[u]}" for u in users]}),
        FieldKinds(categorical={"SEGMENT"}),
    )
    return Planted(
        data=TrainingData(interactions=frame, items=items, users=users_table),
        cluster_items=chains,
        cluster_users=[[u for u in users if user_cluster[u] == k] for k in range(n_clusters)],
        user_cluster=user_cluster,
        item_cluster=item_cluster,
        popular_items=popular,
        trending_items=trending,
        cold_items=cold,
        genres=genres,
        end_time=end,
        burst_window=burst_window,
    )


def planted_actions(
    seed: int = 0,
    *,
    n_users: int = 200,
    n_clusters: int = 4,
    events_per_pair: int = 3,
    take_rate: float = 0.8,
    stray_take_rate: float = 0.05,
    **kwargs,
) -> Planted:
    """A planted world plus Actions / Action_Interactions: cluster k's users take action k.

    One extra action ``expired`` is taken by everyone but expired before the end of the data,
    so it must never be recommended. Actions carry a VALUE (action k has value k+1).
    """
    world = planted(seed, n_users=n_users, n_clusters=n_clusters, **kwargs)
    rng = np.random.default_rng(seed + 1)
    actions = [f"act{k}" for k in range(n_clusters)]
    expired = ["expired"]
    rows = []
    for u, k in world.user_cluster.items():
        for a_idx, a in enumerate(actions + expired):
            own = a_idx == k or a in expired
            for _ in range(events_per_pair):
                t = float(rng.uniform(START, world.end_time - 1.0))
                taken = rng.random() < (take_rate if own else stray_take_rate)
                event = "TAKEN" if taken else ("NOT_TAKEN" if rng.random() < 0.6 else "VIEWED")
                rows.append((u, a, int(t), event))
    action_interactions = pd.DataFrame(
        rows, columns=["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"]
    ).sort_values(["TIMESTAMP", "USER_ID"], kind="stable").reset_index(drop=True)
    actions_frame = pd.DataFrame(
        {
            "ACTION_ID": actions + expired,
            "VALUE": [float(k + 1) for k in range(n_clusters)] + [100.0],
            "EXPIRATION_TIMESTAMP": [int(world.end_time + 30 * DAY)] * n_clusters
            + [int(world.end_time - 10 * DAY)],
            "CATEGORY": [f"c{k}" for k in range(n_clusters)] + ["old"],
        }
    )
    world.data.actions = Table(
        actions_frame, FieldKinds(categorical={"CATEGORY"}, numeric={"VALUE"})
    )
    world.data.action_interactions = action_interactions
    world.actions = actions
    world.expired_actions = expired
    return world
