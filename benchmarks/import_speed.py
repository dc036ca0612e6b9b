"""How fast, and in how much memory, a large interactions CSV is imported.

Generates a synthetic interactions file on disk (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE,
EVENT_VALUE), then measures, each in a fresh Python process so peak RSS is its own:

* ``import``: our path, ``data.ingest.import_csv`` into a ``DatasetTable`` (streamed CSV,
  schema validation, Parquet parts);
* ``baseline``: ``pandas.read_csv`` of the whole file, then ``DataFrame.to_parquet`` (no
  validation at all).

Usage::

    python benchmarks/import_speed.py                 # 2 million rows
    python benchmarks/import_speed.py --rows 25000000 # the full claim (about 1 GB of CSV)

Measured on the shared 2-core development machine (other jobs running, so times are noisy):

    rows         path                            seconds   rows/s      peak RSS MiB
    2,000,000    import_csv -> DatasetTable          2.5     809,063       386*
                 pandas.read_csv + to_parquet        1.5   1,336,612       386*
    25,000,000   import_csv -> DatasetTable         19.1   1,311,807       576
    (813 MiB)    pandas.read_csv + to_parquet       25.3     989,899     2,638

    * that first run used ru_maxrss, inherited from the generating parent; with VmHWM a
      later, busier 2M run gave 5.6 s / 276 MiB (ours) and 5.2 s / 306 MiB (baseline).

Our peak stays near half a GiB whatever the row count (pyarrow's reader buffers dominate);
the baseline grows with the file.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCHEMA = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
    ],
    "version": "1.0",
}


def generate(path: Path, rows: int, seed: int = 7, chunk: int = 1_000_000) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    events = np.array(["click", "watch", "purchase"])
    with pacsv.CSVWriter(
        str(path),
        pa.schema(
            [
                ("USER_ID", pa.string()),
                ("ITEM_ID", pa.string()),
                ("TIMESTAMP", pa.int64()),
                ("EVENT_TYPE", pa.string()),
                ("EVENT_VALUE", pa.float64()),
            ]
        ),
        write_options=pacsv.WriteOptions(quoting_style="none"),
    ) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            users = rng.integers(0, max(rows // 50, 1), n)
            items = rng.zipf(1.3, n) % max(rows // 100, 1)
            values = np.round(rng.random(n) * 5, 2)
            table = pa.table(
                {
                    "USER_ID": pa.array(np.char.add("u", users.astype(str))),
                    "ITEM_ID": pa.array(np.char.add("i", items.astype(str))),
                    "TIMESTAMP": pa.array(1_600_000_000 + rng.integers(0, 90_000_000, n)),
                    "EVENT_TYPE": pa.array(events[rng.integers(0, 3, n)]),
                    "EVENT_VALUE": pa.array(values, mask=rng.random(n) < 0.1),
                }
            )
            writer.write_table(table)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB.

    VmHWM, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``execve``, so a child would
    report the peak of the parent that generated the file.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def phase_import(csv_path: Path, out: Path) -> dict:
    from personalize_emulator.data.ingest import import_csv
    from personalize_emulator.data.schemas import parse_schema
    from personalize_emulator.data.tables import DatasetTable

    parsed = parse_schema(json.dumps(SCHEMA))
    table = DatasetTable(out, parsed, "Interactions")
    base_rss = peak_rss_mb()
    start = time.perf_counter()
    rows = import_csv(table, [csv_path])
    seconds = time.perf_counter() - start
    assert table.row_count() == rows
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": base_rss,
    }


def phase_baseline(csv_path: Path, out: Path) -> dict:
    import pandas as pd

    base_rss = peak_rss_mb()
    start = time.perf_counter()
    frame = pd.read_csv(csv_path)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out / "all.parquet")
    seconds = time.perf_counter() - start
    return {
        "rows": len(frame),
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": base_rss,
    }


def run_phase(phase: str, csv_path: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--csv", str(csv_path), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp directory")
    parser.add_argument("--phase", choices=["import", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        fn = phase_import if args.phase == "import" else phase_baseline
        print(json.dumps(fn(args.csv, args.out)))
        return

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        csv_path = work / "interactions.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} rows, {size_mb:,.0f} MiB in {time.perf_counter() - t0:.1f}s"
        )
        ours = run_phase("import", csv_path, work / "table")
        base = run_phase("baseline", csv_path, work / "baseline")

    print()
    print(f"{'path':<34}{'rows':>12}{'seconds':>10}{'rows/s':>13}{'peak RSS MiB':>14}")
    for label, r in (
        ("import_csv -> DatasetTable", ours),
        ("pandas.read_csv + to_parquet", base),
    ):
        print(
            f"{label:<34}{r['rows']:>12,}{r['seconds']:>10.1f}"
            f"{r['rows'] / r['seconds']:>13,.0f}{r['peak_rss_mb']:>14,.0f}"
        )
    print(
        f"\nratios (ours / baseline): time {ours['seconds'] / base['seconds']:.2f}x, "
        f"peak RSS {ours['peak_rss_mb'] / base['peak_rss_mb']:.2f}x "
        f"(interpreter + imports alone: {ours['start_rss_mb']:.0f} / {base['start_rss_mb']:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
