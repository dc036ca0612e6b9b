"""Two cores for one training batch, with results that do not depend on how many there are.

A batch is always cut into :data:`SHARDS` fixed slices. Each slice's forward and backward pass
runs on one torch thread and returns its gradients; the gradients are summed in slice order.
With two or more cores the slices run at the same time in a small thread pool (torch releases
the GIL inside its ops, and each autograd pass stays on the thread that started it); with one
core, or ``FitOptions.threads == 1``, they run one after the other. Either way the arithmetic is
identical, so a seeded fit gives the same bits on any machine and under any load.

Why not torch's own intra-op threads: on ml-100k a GRU batch took 106 ms on one thread and
60 ms on two when the machine was idle, but when another process held a core the two OpenMP
threads waited on each other (130-450 ms), and products that split their summed dimension over
threads change the last bits of the result with the thread count. Two single-threaded slices
took 46 ms idle and 80 ms beside a busy process.

Every random draw inside a slice must not depend on which slice runs first: dropout masks come
from a per-slice numpy generator seeded in the main thread (``seq_layers.dropout_stream``), and
the sampled softmax's negatives are drawn once per batch before the slices start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

SHARDS = 2


def available_cores() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class ShardRunner:
    """Runs a function over a batch's slices, in parallel threads when ``parallel``."""

    def __init__(self, parallel: bool):
        self._pool = ThreadPoolExecutor(SHARDS, thread_name_prefix="seq-shard") \
            if parallel else None

    @classmethod
    def for_threads(cls, threads: int | None) -> ShardRunner:
        """Parallel unless one thread was asked for or only one core is available."""
        if threads is not None:
            return cls(parallel=int(threads) > 1)
        return cls(parallel=available_cores() > 1)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def run(self, jobs: Sequence[Callable[[], T]]) -> list[T]:
        """Each job's result, in order."""
        if self._pool is None or len(jobs) < 2:
            return [job() for job in jobs]
        return list(self._pool.map(lambda job: job(), jobs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> ShardRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def split(indices: Sequence[int]) -> list:
    """The batch's :data:`SHARDS` slices (fewer when the batch is smaller), in order."""
    n = len(indices)
    bounds = [round(k * n / SHARDS) for k in range(SHARDS + 1)]
    return [indices[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
