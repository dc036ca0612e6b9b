"""Where the examples find MovieLens 100k, and a synthetic stand-in when it is not there.

The examples read the two files the 2018 blog reads from ``ml-100k/``: ``u.data`` (tab-separated
``user item rating timestamp``) and ``u.item`` (``|``-separated, Latin-1, the title second).
:func:`locate` looks, in order, at

1. the ``--data DIR`` option of the example (passed here as ``explicit``),
2. the ``ML100K_DIR`` environment variable,
3. ``../shared/datasets/ml-100k`` next to the project checkout,

and when none of them holds both files it writes a small synthetic data set of the same shape
into a temporary directory. The word ``synthetic`` in place of a directory forces that.

MovieLens may not be redistributed, so the project ships no copy of it; the synthetic set is
what CI and the example tests use. It has planted structure a recommender can find: every movie
belongs to one genre, every user has a favourite genre and mostly watches (and rates highly)
that genre's movies, in a fixed order, and within a genre a few movies are much more popular than
the rest. A personalised recipe should therefore recommend a user mostly movies of the user's
favourite genre, while a popularity count recommends the same movies to everyone.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "ML100K_DIR"
SYNTHETIC = "synthetic"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_COPY = PROJECT_ROOT.parent / "shared" / "datasets" / "ml-100k"

# u.genre of MovieLens 100k, in column order of u.item's genre flags
GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
]
# the genres of the synthetic catalogue, and words its titles are made of
_CLUSTERS = {
    "Action": ("Steel", "Thunder", "Pursuit", "Blast", "Vendetta", "Rogue"),
    "Comedy": ("Picnic", "Mixup", "Wedding", "Neighbours", "Holiday", "Hiccup"),
    "Drama": ("Harbour", "Letters", "Winter", "Orchard", "Silence", "Promise"),
    "Horror": ("Cellar", "Fog", "Hollow", "Whispers", "Crypt", "Lantern"),
}


@dataclass(frozen=True)
class Location:
    """A directory holding ``u.data`` and ``u.item``; ``synthetic`` when made by this module."""

    path: Path
    synthetic: bool

    @property
    def ratings(self) -> Path:
        return self.path / "u.data"

    @property
    def items(self) -> Path:
        return self.path / "u.item"


def has_files(directory: Path) -> bool:
    return (directory / "u.data").is_file() and (directory / "u.item").is_file()


def locate(explicit: str | os.PathLike[str] | None = None) -> Location:
    """The MovieLens 100k directory to use (see the module docstring for the search order).

    An explicit directory, or one named by ``ML100K_DIR``, that lacks the files is an error
    rather than a silent fallback: the user asked for that data.
    """
    for choice in (explicit, os.environ.get(ENV_VAR) or None):
        if choice is None:
            continue
        if str(choice) == SYNTHETIC:
            return Location(write_synthetic(_scratch_dir()), True)
        directory = Path(choice).expanduser()
        if not has_files(directory):
            raise FileNotFoundError(f"{directory} does not hold MovieLens 100k (u.data, u.item)")
        return Location(directory, False)
    if has_files(SHARED_COPY):
        return Location(SHARED_COPY, False)
    return Location(write_synthetic(_scratch_dir()), True)


def _scratch_dir() -> Path:
    """A temporary directory removed when the process exits."""
    path = tempfile.mkdtemp(prefix="ml-100k-synthetic-")
    atexit.register(shutil.rmtree, path, True)
    return Path(path)


def write_synthetic(
    directory: str | os.PathLike[str],
    users: int = 200,
    per_genre: int = 40,
    seed: int = 2018,
) -> Path:
    """Write a synthetic ``u.data`` and ``u.item`` (and ``u.genre``) into ``directory``.

    ``users`` users and ``per_genre`` movies in each of four genres; returns the directory.
    The same arguments always give the same bytes.
    """
    rng = np.random.default_rng(seed)
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)

    catalogue = genre_catalogue(per_genre)
    by_genre: dict[str, list[int]] = {}
    for item_id, (_, genre) in catalogue.items():
        by_genre.setdefault(genre, []).append(item_id)
    genres = list(by_genre)
    # within a genre, popularity falls off like a power law
    weights = 1.0 / np.arange(1, per_genre + 1) ** 0.9
    weights /= weights.sum()

    rows = []
    t0 = 874_724_710  # 1997-09-20, inside MovieLens 100k's time range
    for user in range(1, users + 1):
        favourite = genres[(user - 1) % len(genres)]
        own = by_genre[favourite]
        count = int(rng.integers(10, 20))
        picks = rng.choice(len(own), size=count, replace=False, p=weights)
        watched = [(own[i], int(rng.choice([4, 5, 5]))) for i in sorted(picks)]
        for _ in range(int(rng.integers(2, 5))):  # a few other genres' movies, rated low
            other = genres[int(rng.integers(len(genres)))]
            if other != favourite:
                pos = int(rng.integers(len(watched) + 1))
                watched.insert(pos, (int(rng.choice(by_genre[other], p=weights)), 2))
        t = t0 + int(rng.integers(0, 30 * 86_400))
        seen = set()
        for item, rating in watched:
            if item in seen:
                continue
            seen.add(item)
            t += int(rng.integers(600, 20_000))
            rows.append(f"{user}\t{item}\t{rating}\t{t}")
    order = rng.permutation(len(rows))  # u.data is not sorted
    (root / "u.data").write_text("".join(rows[i] + "\n" for i in order), encoding="ascii")

    lines = []
    for item_id, (title, genre) in catalogue.items():
        flags = "|".join("1" if g == genre else "0" for g in GENRES)
        lines.append(f"{item_id}|{title}|01-Jan-{_year(item_id)}||http://example.invalid/{item_id}|{flags}")
    # Latin-1, like the real u.item (whose titles include e.g. "Misérables")
    (root / "u.item").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    (root / "u.genre").write_text(
        "".join(f"{g}|{i}\n" for i, g in enumerate(GENRES)) + "\n", encoding="ascii"
    )
    return root


def genre_catalogue(per_genre: int = 40) -> dict[int, tuple[str, str]]:
    """``item id -> (title, genre)`` of the synthetic catalogue (ids interleave the genres)."""
    catalogue = {}
    genres = list(_CLUSTERS)
    for rank in range(per_genre):
        for g, genre in enumerate(genres):
            item_id = rank * len(genres) + g + 1
            words = _CLUSTERS[genre]
            title = words[rank % len(words)] + _sequel(rank // len(words))
            if genre == "Drama" and rank == 0:
                title = "Café Letters"  # one non-ASCII title, as MovieLens has
            catalogue[item_id] = (f"{title} ({_year(item_id)})", genre)
    return catalogue


def read_titles(location: Location | Path) -> dict[int, str]:
    """``item id -> title`` from ``u.item``."""
    path = location.items if isinstance(location, Location) else Path(location) / "u.item"
    titles = {}
    for line in path.read_bytes().decode("latin-1").splitlines():
        if line.strip():
            item_id, title = line.split("|", 2)[:2]
            titles[int(item_id)] = title
    return titles


def read_genres(location: Location | Path) -> dict[int, set[str]]:
    """``item id -> genres`` from ``u.item``'s flag columns."""
    path = location.items if isinstance(location, Location) else Path(location) / "u.item"
    genres = {}
    for line in path.read_bytes().decode("latin-1").splitlines():
        if line.strip():
            fields = line.split("|")
            flags = fields[-len(GENRES):]
            genres[int(fields[0])] = {g for g, f in zip(GENRES, flags, strict=True) if f == "1"}
    return genres


def _year(item_id: int) -> int:
    return 1990 + item_id % 8


def _sequel(n: int) -> str:
    """"", " II", " III", ... for the first film of a name, its first sequel, ..."""
    numerals = ["", " II", " III", " IV", " V", " VI", " VII", " VIII"]
    return numerals[n] if n < len(numerals) else f" {n + 1}"


def main(argv: list[str] | None = None) -> int:
    """``python examples/movielens.py [--data DIR] [--write DIR]``: show or make the data."""
    import argparse

    parser = argparse.ArgumentParser(description="Find MovieLens 100k, or write a synthetic one.")
    parser.add_argument("--data", help="a MovieLens 100k directory to check, or 'synthetic'")
    parser.add_argument("--write", metavar="DIR", help="write synthetic u.data/u.item into DIR")
    args = parser.parse_args(argv)
    if args.write:
        print(write_synthetic(args.write))
        return 0
    found = locate(args.data)
    if found.synthetic:
        print("no MovieLens 100k found; the examples would use synthetic data", file=sys.stderr)
    else:
        print(found.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
