"""Small synthetic data shaped like MovieLens 100k (``u.data`` and ``u.item``), for the blog.

Integer user and item ids, a 1-5 rating and a Unix timestamp per row, as in ``u.data``; titles
per item id, as in ``u.item``. The world has structure a sequence model can find and a
popularity count cannot: users belong to one of two taste groups, each group watching its own
half of the catalogue in a fixed order, while a few blockbusters are watched by everyone. A
user's next movie therefore depends on the user, and the most popular movies overall are the
blockbusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

START = 874_724_710  # 1997-09-20, inside MovieLens 100k's time range


@dataclass
class MovieLensLike:
    ratings: pd.DataFrame  # u.data: USER_ID, ITEM_ID, RATING, TIMESTAMP
    items: pd.DataFrame  # u.item (first two columns): ITEM_ID, TITLE
    blockbusters: list[int]
    group_items: list[list[int]]  # each taste group's movies, in watching order
    user_group: dict[int, int]

    def blog_frame(self) -> pd.DataFrame:
        """What the blog uploads: ratings above 3.6, columns USER_ID, ITEM_ID, TIMESTAMP."""
        data = self.ratings[self.ratings["RATING"] > 3.6]
        return data[["USER_ID", "ITEM_ID", "TIMESTAMP"]]

    def blog_csv(self) -> bytes:
        return self.blog_frame().to_csv(index=False).encode()


def generate(users: int = 60, per_group: int = 40, blockbusters: int = 6, seed: int = 7) -> MovieLensLike:
    rng = np.random.default_rng(seed)
    hits = list(range(1, blockbusters + 1))
    groups = [
        list(range(blockbusters + 1 + g * per_group, blockbusters + 1 + (g + 1) * per_group))
        for g in range(2)
    ]
    rows: list[tuple[int, int, int, int]] = []
    user_group: dict[int, int] = {}
    for user in range(1, users + 1):
        group = (user - 1) % 2
        user_group[user] = group
        chain = groups[group]
        start = int(rng.integers(len(chain)))
        length = int(rng.integers(22, 34))
        watched = [chain[(start + k) % len(chain)] for k in range(length)]
        for hit in hits:  # everyone watches the blockbusters, at random moments
            watched.insert(int(rng.integers(len(watched) + 1)), hit)
        t = START + int(rng.integers(0, 86_400))
        for item in watched:
            t += int(rng.integers(600, 7_200))
            rating = int(rng.choice([4, 5, 5, 3])) if item in chain or item in hits else 2
            rows.append((user, item, rating, t))
    ratings = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"])
    all_items = hits + groups[0] + groups[1]
    titles = pd.DataFrame(
        {"ITEM_ID": all_items, "TITLE": [f"Movie {i} (1997)" for i in all_items]}
    )
    return MovieLensLike(ratings, titles, hits, groups, user_group)
