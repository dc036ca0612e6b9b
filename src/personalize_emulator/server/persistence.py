"""State that survives a restart of the standalone server (``serve --data-dir DIR``).

Turned on by a data directory: ``personalize-emulator serve --data-dir DIR``, the
``PERSONALIZE_EMULATOR_DATA_DIR`` environment variable, or, from Python,
``config.set(data_dir=DIR)`` before ``ThreadedServer().start()`` (``stop()`` saves). Without
one, nothing is written: data and models go to a temporary directory that is removed at exit,
as before. Only the server persists; ``mock_personalize`` never reads or writes ``state.json``.

What survives. Every Personalize resource (records, statuses, timestamps, ARNs, tags) is kept
in ``DIR/state.json`` (see ``resources.snapshot``); imported datasets and trained models
already live under ``DIR/<account>/<region>/``, so after a restart campaigns answer with the
same model (loaded from disk on first use) and PutEvents history still feeds filters and
session recommendations. moto's S3, IAM and STS are **not** persisted: import jobs copy their
rows into our tables, so datasets and everything trained on them survive, but S3 objects
uploaded for later jobs (imports not yet run, batch inputs) and job outputs written to S3 do
not. Jobs running at shutdown cannot resume; they come back failed with the reason
"Interrupted by an emulator restart; create it again." (``snapshot.settle`` has the rules).

When the file is written:

* at startup nothing is served until the saved state is loaded into the moto-held stores; a
  file that cannot be read stops the server with a message (it is never silently replaced);
* after every control-plane call that is not a Describe / List / Get, before the response is
  sent, so an acknowledged create is on disk;
* within ``interval`` seconds of any other change: a background thread compares a cheap
  signature of each store (every record's status and last-update time, tags, event buffer
  counters) and saves when it moved -- this catches job progress and completions, which happen
  on worker threads, and PutEvents/PutItems calls (marked dirty rather than saved inline);
* on shutdown (``ThreadedServer.stop()``, Ctrl-C or SIGTERM of ``serve``);
* ``POST /moto-api/reset`` wipes the stores and their directories, and deletes ``state.json``.

Writes replace the file atomically (temporary file, fsync, ``os.replace``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from ..mock import live_stores, store_for
from ..protocol.specs import all_specs
from ..resources import clock, snapshot
from ..resources.store import Store

log = logging.getLogger("personalize_emulator")

RESET_PATH = "/moto-api/reset"
READ_PREFIXES = ("Describe", "List", "Get")
INTERVAL_SECONDS = 0.5


def _signature(store: Store) -> tuple:
    """What changes whenever the store's saved state does, cheap enough to poll."""
    with store.lock:
        records = tuple(
            (
                arn,
                getattr(r, "status", None),
                getattr(r, "updated", None),
                getattr(getattr(r, "latest_update", None), "status", None),
                getattr(getattr(r, "latest_update", None), "updated", None),
            )
            for by_arn in store.records.values()
            for arn, r in by_arn.items()
        )
        tags = tuple((arn, tuple(t.items())) for arn, t in store.tags.items())
        events = tuple(
            (key, getattr(blob, "next_seq", None))
            for key, blob in store.blobs.items()
            if key.startswith(snapshot.REALTIME_PREFIX)
        )
    return (store.account_id, store.region, records, tags, events)


class Persistence:
    """Loads ``state.json`` into the stores and keeps it up to date (module docstring)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        interval: float = INTERVAL_SECONDS,
        stores: Callable[[], Iterable[Store]] = live_stores,
    ):
        self.path = Path(data_dir) / snapshot.STATE_FILE
        self.interval = interval
        self._stores = stores
        self._lock = threading.RLock()  # one save (or reset) at a time
        self._dirty = False
        self._saved: tuple | None = None
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.restored = 0
        self.interrupted: list[str] = []

    # --- startup -------------------------------------------------------------------------

    def load(self) -> None:
        """Restore the saved state into the moto-held stores (raises SnapshotError)."""
        states = snapshot.load(self.path)
        for (account, region), state in states.items():
            # the clock never goes back: due times on the restored records were set on it
            if state.clock_offset > clock.offset():
                clock.set_offset(state.clock_offset)
            snapshot.restore(store_for(account, region), state)
            self.restored += sum(len(by_arn) for by_arn in state.records.values())
            self.interrupted.extend(state.interrupted)
        if self.interrupted:
            log.warning(
                "%d resource(s) were mid-job at the last shutdown and could not resume: %s",
                len(self.interrupted),
                ", ".join(self.interrupted),
            )
        with self._lock:
            self._saved = self._signatures()
        if states and self.interrupted:
            self.save()  # the settled statuses are the state now

    def summary(self) -> str:
        restored = f"restored {self.restored} resource(s)" if self.restored else "nothing saved yet"
        failed = f"; {len(self.interrupted)} interrupted by the restart" if self.interrupted else ""
        return f"state: {self.path} ({restored}{failed})"

    def start(self) -> Persistence:
        self._thread = threading.Thread(
            target=self._watch, name="personalize-emulator-state", daemon=True
        )
        self._thread.start()
        return self

    # --- saving --------------------------------------------------------------------------

    def _signatures(self) -> tuple:
        return (clock.offset(), *(_signature(s) for s in self._stores()))

    def mark_dirty(self) -> None:
        self._dirty = True

    def save(self) -> None:
        """Write the state now. Never raises: a failed save is logged (once per reason)."""
        with self._lock:
            self._dirty = False
            signature = self._signatures()
            try:
                snapshot.save(self._stores(), self.path)
            except Exception as exc:  # noqa: BLE001 - the server keeps serving; the log says why
                self._dirty = True
                message = f"{type(exc).__name__}: {exc}"
                if message != self._last_error:
                    log.error("could not save the emulator state to %s: %s", self.path, message)
                    self._last_error = message
                return
            self._saved = signature
            self._last_error = None

    def save_if_changed(self) -> None:
        with self._lock:
            if self._dirty or self._signatures() != self._saved:
                self.save()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save_if_changed()
            except Exception:  # noqa: BLE001 - keep watching; the next round may succeed
                log.exception("state watcher failed")

    @contextlib.contextmanager
    def resetting(self) -> Iterator[None]:
        """Around a moto reset: no save interleaves, and the saved state is deleted after."""
        with self._lock:
            try:
                yield
            finally:
                self.path.unlink(missing_ok=True)
                self._dirty = False
                self._saved = self._signatures()

    def close(self) -> None:
        """Stop watching and write the final state (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.save()


def _operations_by_path() -> dict[str, frozenset[str]]:
    paths: dict[str, set[str]] = {}
    for spec in all_specs():
        if spec.protocol == "rest-json":
            for op in spec.model.operation_names:
                uri = spec.model.operation_model(op).http["requestUri"].split("?")[0]
                paths.setdefault(uri, set()).add(op)
    return {path: frozenset(ops) for path, ops in paths.items()}


class PersistentApp:
    """The server's WSGI app with persistence around it; other attributes are the app's."""

    def __init__(self, app: Any, persistence: Persistence):
        self.app = app
        self.persistence = persistence
        self._rest_ops = _operations_by_path()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self.persistence.resetting():
                return self.app(environ, start_response)
        effect = self._effect(Request(environ))
        if effect is None:
            return self.app(environ, start_response)
        statuses: list[str] = []

        def recording(status: str, headers: Any, *exc_info: Any) -> Any:
            statuses.append(status)
            return start_response(status, headers, *exc_info)

        body = self.app(environ, recording)
        if statuses and statuses[-1][:1] in ("4", "5"):
            return body  # refused: nothing changed (the watcher would see it if anything had)
        if effect == "save":
            self.persistence.save()
        else:
            self.persistence.mark_dirty()
        return body

    def _effect(self, req: Request) -> str | None:
        """``save`` for a control-plane write, ``dirty`` for a data write, None for a read."""
        if not self.app.is_personalize(req):
            return None  # moto's S3/IAM/STS are not persisted
        target = req.headers.get("X-Amz-Target")
        if target:
            operation = target.rsplit(".", 1)[-1]
            return None if operation.startswith(READ_PREFIXES) else "save"
        operations = self._rest_ops.get(req.path, frozenset())
        if operations and all(op.startswith(READ_PREFIXES) for op in operations):
            return None
        return "dirty"

    def close(self) -> None:
        close = getattr(self.app, "close", None)
        if close is not None:  # the app's clock ticker: no scheduled work after the final save
            close()
        self.persistence.close()


def persistent(app: Any, data_dir: Path) -> PersistentApp:
    """Load ``data_dir``'s saved state into the stores, then keep it saved while ``app`` runs.

    Raises ``resources.snapshot.SnapshotError`` when the saved state cannot be read.
    """
    persistence = Persistence(data_dir)
    persistence.load()
    return PersistentApp(app, persistence.start())
