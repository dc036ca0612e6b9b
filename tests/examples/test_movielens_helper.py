"""``examples/movielens.py``: where the examples find MovieLens 100k, and the synthetic stand-in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import example_support  # noqa: F401  (examples/ on sys.path)
import movielens
import pandas as pd
import pytest


def test_synthetic_data_is_deterministic(tmp_path: Path):
    a = movielens.write_synthetic(tmp_path / "a")
    b = movielens.write_synthetic(tmp_path / "b")
    for name in ("u.data", "u.item", "u.genre"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = movielens.write_synthetic(tmp_path / "c", seed=1)
    assert (c / "u.data").read_bytes() != (a / "u.data").read_bytes()


def test_synthetic_files_read_the_way_the_blog_reads_movielens(synthetic_ml100k: Path):
    data = pd.read_csv(
        synthetic_ml100k / "u.data", sep="\t", names=["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"]
    )
    assert len(data) > 1000 and data["USER_ID"].nunique() >= 25
    assert set(data["RATING"]) <= {1, 2, 3, 4, 5}
    assert not data.duplicated(["USER_ID", "ITEM_ID"]).any()
    # u.item is Latin-1, like MovieLens: read as UTF-8 it fails, as the real file does
    with pytest.raises(UnicodeDecodeError):
        pd.read_csv(synthetic_ml100k / "u.item", sep="|", usecols=[0, 1], header=None)
    items = pd.read_csv(
        synthetic_ml100k / "u.item", sep="|", usecols=[0, 1], header=None, encoding="latin-1"
    )
    assert "Café Letters (1993)" in set(items[1])
    assert set(data["ITEM_ID"]) <= set(items[0])
    assert movielens.read_titles(synthetic_ml100k) == dict(zip(items[0], items[1], strict=True))


def test_users_mostly_like_one_genre(synthetic_ml100k: Path):
    """The planted structure: a user's highly rated movies come from one favourite genre."""
    data = pd.read_csv(synthetic_ml100k / "u.data", sep="\t", names=["u", "i", "r", "t"])
    genres = movielens.read_genres(synthetic_ml100k)
    assert all(len(g) == 1 for g in genres.values())
    liked = data[data["r"] > 3.6]
    favourites = Counter()
    for _, rows in liked.groupby("u"):
        counts = Counter(next(iter(genres[i])) for i in rows["i"])
        genre, n = counts.most_common(1)[0]
        assert n == len(rows)  # every liked movie is of the favourite genre
        favourites[genre] += 1
    assert len(favourites) == 4 and min(favourites.values()) >= 40
    disliked = data[data["r"] <= 3.6]
    assert len(disliked) > 0  # other genres' movies are watched too, and filtered out by the blog


def test_locate_prefers_the_explicit_directory_then_the_environment(
    tmp_path: Path, synthetic_ml100k: Path, monkeypatch: pytest.MonkeyPatch
):
    other = movielens.write_synthetic(tmp_path / "other", users=30)
    monkeypatch.setenv(movielens.ENV_VAR, str(other))
    assert movielens.locate(synthetic_ml100k) == movielens.Location(synthetic_ml100k, False)
    assert movielens.locate() == movielens.Location(other, False)


def test_a_named_directory_without_movielens_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    with pytest.raises(FileNotFoundError, match="does not hold MovieLens 100k"):
        movielens.locate(tmp_path)
    monkeypatch.setenv(movielens.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="missing"):
        movielens.locate()


def test_without_a_copy_the_examples_get_synthetic_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv(movielens.ENV_VAR, raising=False)
    monkeypatch.setattr(movielens, "SHARED_COPY", tmp_path / "no-shared" / "ml-100k")
    found = movielens.locate()
    assert found.synthetic and movielens.has_files(found.path)
    forced = movielens.locate("synthetic")
    assert forced.synthetic and forced.path != found.path
    assert forced.ratings.read_bytes() == found.ratings.read_bytes()


def test_the_shared_copy_is_found_beside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shared = movielens.write_synthetic(tmp_path / "shared" / "datasets" / "ml-100k", users=30)
    monkeypatch.delenv(movielens.ENV_VAR, raising=False)
    monkeypatch.setattr(movielens, "SHARED_COPY", shared)
    assert movielens.locate() == movielens.Location(shared, False)
