"""Install the preview-dialect service models where botocore will find them.

botocore looks for ``<service>/<apiVersion>/service-2.json`` in each entry of ``AWS_DATA_PATH``
(in order), then in ``~/.aws/models``, then in its own ``data`` directory. Without an explicit
``api_version`` a client takes the highest version directory found anywhere, and for that version
the file from the earliest search path. Our models declare ``2018-05-22``, the same version as
botocore's built-in GA models, so a copy in ``AWS_DATA_PATH`` or ``~/.aws/models`` shadows GA
while the GA endpoint rule set and paginators (looked up file by file) still load from botocore.

Three ways in:

- :func:`install` / :func:`uninstall` write or remove the copies in a data directory (the first
  ``AWS_DATA_PATH`` entry, else ``~/.aws/models``), for every later process using that setting.
- :func:`installed_data_path` builds a private data directory for this process, removed at exit;
  :func:`activated` puts it first on ``AWS_DATA_PATH`` for the duration of a ``with`` block.
- The blog's own ``aws configure add-model --service-model file://personalize.json`` also works,
  since it writes the same layout under ``~/.aws/models`` from the model's ``metadata``.

Every botocore session caches what its loader found, so a session (including boto3's default
one) created before the models were installed keeps the model it first saw.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from personalize_emulator import service_models

SERVICES = service_models.SERVICES
API_VERSION = service_models.API_VERSION
_MODEL_FILE = "service-2.json"


def model_location(root: str | os.PathLike[str], service: str) -> Path:
    """Where botocore's loader expects ``service``'s model below the data directory ``root``."""
    return Path(root) / service / API_VERSION / _MODEL_FILE


def data_path_entries() -> list[Path]:
    """The ``AWS_DATA_PATH`` entries, expanded the way botocore expands them."""
    raw = os.environ.get("AWS_DATA_PATH", "")
    return [
        Path(os.path.expanduser(os.path.expandvars(entry)))
        for entry in raw.split(os.pathsep)
        if entry
    ]


def user_models_dir() -> Path:
    """``~/.aws/models`` as this process's botocore sees it (fixed when botocore is imported).

    ``aws configure add-model`` writes to the same place.
    """
    import botocore.loaders

    return Path(botocore.loaders.Loader.CUSTOMER_DATA_PATH)


def default_target_dir() -> Path:
    """The first ``AWS_DATA_PATH`` entry if set, else ``~/.aws/models``."""
    entries = data_path_entries()
    return entries[0] if entries else user_models_dir()


def install(target_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Copy both preview models into ``target_dir`` in botocore's layout; return the files.

    Existing files are replaced atomically, so a concurrent reader sees the old or the new model,
    never half of one.
    """
    root = Path(target_dir) if target_dir is not None else default_target_dir()
    written = []
    for service in SERVICES:
        destination = model_location(root, service)
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".service-2.", dir=destination.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(service_models.path(service).read_bytes())
            os.replace(tmp_name, destination)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        written.append(destination)
    return written


def _is_preview_model(path: Path, service: str) -> bool:
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            metadata = json.load(handle).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False
    return metadata.get("targetPrefix") == service_models.TARGET_PREFIXES[service]


def uninstall(target_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove preview models from ``target_dir`` (default as for :func:`install`).

    Only files that are preview-dialect models (ours, or copies made by ``aws configure
    add-model``) are removed; any other model found there is left alone. Directories left
    empty are removed too. Returns the removed files.
    """
    root = Path(target_dir) if target_dir is not None else default_target_dir()
    removed = []
    for service in SERVICES:
        location = model_location(root, service)
        if location.is_file() and _is_preview_model(location, service):
            location.unlink()
            removed.append(location)
        for directory in (location.parent, location.parent.parent):
            try:
                directory.rmdir()
            except OSError:
                break  # missing or not empty
    return removed


def effective_model_path(service: str, data_path: str | None = None) -> Path:
    """The ``service-2`` file a botocore session created now would load for ``service``.

    ``data_path`` stands for the ``AWS_DATA_PATH`` value; by default the session's own setting
    (environment or config file) is used.
    """
    import botocore.loaders
    import botocore.session

    if data_path is None:
        data_path = botocore.session.Session().get_config_variable("data_path")
    loader = botocore.loaders.create_loader(data_path)
    version = loader.determine_latest_version(service, "service-2")
    _, found = loader.load_data_with_path(f"{service}/{version}/service-2")
    # the loader reports the path without the extension it matched; it tries them in this order
    for extension in (".json", ".json.gz"):
        candidate = Path(found + extension)
        if candidate.is_file():
            return candidate
    return Path(found)


def preview_is_effective(data_path: str | None = None) -> bool:
    """Whether new botocore sessions would load the preview model for both services."""
    return all(
        _is_preview_model(effective_model_path(service, data_path), service)
        for service in SERVICES
    )


_private_root: Path | None = None
_private_lock = threading.Lock()


def installed_data_path() -> Path:
    """A data directory holding the preview models, private to this process.

    Created on first use (and re-created if something deleted it), removed when the process
    exits. Put it on ``AWS_DATA_PATH`` -- or use :func:`activated` -- to make clients see it.
    """
    global _private_root
    with _private_lock:
        root = _private_root
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="personalize-emulator-models-"))
            atexit.register(shutil.rmtree, root, True)
            _private_root = root
        if not all(model_location(root, service).is_file() for service in SERVICES):
            install(root)
        return root


@contextmanager
def activated() -> Iterator[Path]:
    """Within the block, boto3/botocore sessions created in this process use the preview models.

    Prepends :func:`installed_data_path` to ``AWS_DATA_PATH`` and clears boto3's default session
    so that ``boto3.client(...)`` builds a fresh loader; both are restored on exit. Environment
    variables are process-wide, so do not overlap this with threads expecting GA models.
    """
    import boto3

    root = installed_data_path()
    previous_env = os.environ.get("AWS_DATA_PATH")
    previous_session = boto3.DEFAULT_SESSION
    os.environ["AWS_DATA_PATH"] = (
        f"{root}{os.pathsep}{previous_env}" if previous_env else str(root)
    )
    boto3.DEFAULT_SESSION = None
    try:
        yield root
    finally:
        if previous_env is None:
            os.environ.pop("AWS_DATA_PATH", None)
        else:
            os.environ["AWS_DATA_PATH"] = previous_env
        boto3.DEFAULT_SESSION = previous_session


def _on_search_path(root: Path) -> bool:
    candidates = [*data_path_entries(), user_models_dir()]
    resolved = root.resolve()
    return any(candidate.resolve() == resolved for candidate in candidates)


def _parser(prog: str, action: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"{action} the re:Invent 2018 preview-dialect models of Amazon Personalize "
        "(personalize, personalize-runtime) in botocore's model directory layout.",
    )
    parser.add_argument(
        "--target",
        metavar="DIR",
        help="data directory to use (default: first AWS_DATA_PATH entry, else ~/.aws/models)",
    )
    return parser


def main_install(argv: Sequence[str] | None = None) -> int:
    """``personalize-emulator install-preview-models [--target DIR]``; returns the exit code."""
    args = _parser("personalize-emulator install-preview-models", "Install").parse_args(argv)
    root = Path(args.target) if args.target else default_target_dir()
    for written in install(root):
        print(f"installed {written}")
    if not _on_search_path(root):
        print(
            f"botocore does not search {root} yet; to use these models run\n"
            f"  export AWS_DATA_PATH={root.resolve()}",
            file=sys.stderr,
        )
        return 0
    for service in SERVICES:
        winner = effective_model_path(service)
        if winner.resolve() != model_location(root, service).resolve():
            print(
                f"warning: botocore will still load {winner} for {service}; it comes earlier "
                "on the search path or has a newer API version directory",
                file=sys.stderr,
            )
            return 1
    return 0


def main_uninstall(argv: Sequence[str] | None = None) -> int:
    """``personalize-emulator uninstall-preview-models [--target DIR]``; returns the exit code."""
    args = _parser("personalize-emulator uninstall-preview-models", "Remove").parse_args(argv)
    removed = uninstall(args.target)
    for path in removed:
        print(f"removed {path}")
    if not removed:
        target = args.target or default_target_dir()
        print(f"no preview models found under {target}", file=sys.stderr)
    return 0
