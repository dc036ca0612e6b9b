"""Related-items benchmark: SIMS (and Similar-Items) vs implicit's item-kNN on MovieLens.

Protocol (next-item hit rate): every user's latest event is held out; the model is trained on
everything else; each user queries related items for their previous (latest training) item and
scores a hit when the held-out item is in the top K. Items the user already has in training and
the query item are excluded for every model alike. item-kNN (implicit's CosineRecommender) is
trained and measured in the same run, with K tuned over a small grid on a validation split
carved from the training data, as our recipes use their defaults.

    python benchmarks/related_items.py [--data ../shared/datasets] [--dataset ml-100k]

Skips (exit 0) when the MovieLens files are absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import FitOptions, Query
from personalize_emulator.engines.dataset import TrainingData
from personalize_emulator.engines.serving import top_indices

KS = (10, 25)


def load(data_dir: Path, name: str) -> pd.DataFrame | None:
    path = data_dir / name / "u.data"
    if not path.exists():
        return None
    frame = pd.read_csv(path, sep="\t", names=["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"])
    frame["USER_ID"] = frame["USER_ID"].astype(str)
    frame["ITEM_ID"] = frame["ITEM_ID"].astype(str)
    return frame.reset_index().sort_values(["USER_ID", "TIMESTAMP", "index"], kind="stable")


def leave_last_out(frame: pd.DataFrame):
    last = frame.groupby("USER_ID").tail(1)
    train = frame.drop(last.index)
    anchors = train.groupby("USER_ID").tail(1).set_index("USER_ID")["ITEM_ID"]
    targets = last.set_index("USER_ID")["ITEM_ID"]
    users = sorted(set(anchors.index) & set(targets.index))
    return train, {u: (anchors[u], targets[u]) for u in users}


def hits(rank_fn, train: pd.DataFrame, cases: dict) -> dict[str, float]:
    seen = train.groupby("USER_ID")["ITEM_ID"].agg(set)
    found = {k: 0 for k in KS}
    rr = 0.0
    for user, (anchor, target) in cases.items():
        lst = rank_fn(anchor, seen[user], max(KS))
        if target in lst:
            pos = lst.index(target)
            rr += 1.0 / (pos + 1)
            for k in KS:
                found[k] += pos < k
    n = len(cases)
    out = {f"hit_rate@{k}": found[k] / n for k in KS}
    out["mrr@25"] = rr / n
    return out


def our_ranker(recipe_name: str, train: pd.DataFrame):
    spec = registry.get_recipe(recipe_name)
    model = registry.build(spec).fit(TrainingData(interactions=train), FitOptions(seed=0))
    ids = list(model.item_ids)
    index = {i: k for k, i in enumerate(ids)}

    def rank(anchor, exclude, n):
        allowed = np.ones(len(ids), dtype=bool)
        allowed[[index[i] for i in exclude if i in index]] = False
        scores = model.score_items(Query(item_id=anchor))
        return [ids[k] for k in top_indices(scores, n, allowed)]

    return rank


def knn_ranker(train: pd.DataFrame, k_neighbours: int):
    import scipy.sparse as sp
    from implicit.nearest_neighbours import CosineRecommender

    users = {u: j for j, u in enumerate(sorted(train["USER_ID"].unique()))}
    items = sorted(train["ITEM_ID"].unique())
    index = {i: j for j, i in enumerate(items)}
    m = sp.csr_matrix(
        (np.ones(len(train), dtype=np.float32),
         (train["USER_ID"].map(users).to_numpy(), train["ITEM_ID"].map(index).to_numpy())),
        shape=(len(users), len(items)),
    )
    m.data[:] = 1.0
    model = CosineRecommender(K=k_neighbours)
    model.fit(m, show_progress=False)

    def rank(anchor, exclude, n):
        ids, _ = model.similar_items(index[anchor], N=n + len(exclude) + 1)
        out = [items[j] for j in ids if items[j] != anchor and items[j] not in exclude]
        return out[:n]

    return rank


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--min-rating", type=float, default=None)
    args = ap.parse_args(argv)
    frame = load(Path(args.data), args.dataset)
    if frame is None:
        print(f"skipped: no {args.dataset} under {args.data}")
        return 0
    if args.min_rating is not None:
        frame = frame[frame["RATING"] >= args.min_rating]
    train, cases = leave_last_out(frame)
    try:
        import implicit  # noqa: F401
        have_implicit = True
    except ImportError:
        have_implicit = False

    rows = []
    if have_implicit:
        # tune K on a validation split from the training data only
        vtrain, vcases = leave_last_out(train)
        best = max((20, 50, 100, 200, 500),
                   key=lambda k: hits(knn_ranker(vtrain, k), vtrain, vcases)["hit_rate@10"])
        t = time.perf_counter()
        rows.append((f"item-kNN cosine (implicit, K={best})",
                     hits(knn_ranker(train, best), train, cases), time.perf_counter() - t))
    for name in ("aws-sims", "aws-similar-items"):
        t = time.perf_counter()
        rows.append((name, hits(our_ranker(name, train), train, cases), time.perf_counter() - t))

    print(f"{args.dataset}: {len(cases)} users, next-item hit rate (latest event held out)")
    print(f"| model | {' | '.join(rows[0][1])} | seconds |")
    print("|---|" + "---|" * (len(rows[0][1]) + 1))
    for name, res, secs in rows:
        print(f"| {name} | {' | '.join(f'{v:.4f}' for v in res.values())} | {secs:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
