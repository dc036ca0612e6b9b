"""Front door 3: the ``personalize-emulator`` command.

``serve``     one HTTP port for all three Personalize APIs, S3, IAM and STS (jobs run in the
              background unless ``--job-mode sync`` or ``PERSONALIZE_EMULATOR_JOB_MODE`` says
              otherwise); ``--port 0`` picks a free port and prints it. ``--data-dir DIR``
              (or ``PERSONALIZE_EMULATOR_DATA_DIR``) keeps data, models and every resource
              in DIR across restarts (``server.persistence``; moto's S3 is not kept).
``run``       run an unmodified Python script with ``mock_personalize`` active (jobs run
              synchronously), so hard-coded AWS endpoints reach the emulator; the script's
              exit code and traceback are the command's.
``coverage``  which operations of each API and dialect have a handler.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import runpy
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__, config

DEFAULT_PORT = 4580


def _port(text: str) -> int:
    """A TCP port number, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535 (0: any free port), not {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personalize-emulator", description="Amazon Personalize, running locally."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the AWS APIs on one HTTP port")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0: any free)",
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        help="where data, trained models and the saved state (state.json) live; the state"
        " survives a restart",
    )
    serve.add_argument(
        "--job-mode", choices=config.JOB_MODES, help="sync or async jobs (default async)"
    )

    run = sub.add_parser("run", help="run a Python script with the emulator mocked in")
    run.add_argument(
        "--preview",
        action="store_true",
        help="serve the script's clients the 2018 preview-dialect models (as the blog expects)",
    )
    run.add_argument("script", help="path of the Python script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")

    for name, verb in (
        ("install-preview-models", "install"),
        ("uninstall-preview-models", "remove"),
    ):
        models = sub.add_parser(name, help=f"{verb} the 2018 preview-dialect service models")
        models.add_argument(
            "--target",
            help="models folder (default: first AWS_DATA_PATH entry, else ~/.aws/models)",
        )

    cov = sub.add_parser("coverage", help="report which operations have a handler")
    cov.add_argument("--strict", action="store_true", help="fail when a GA operation lacks one")
    cov.add_argument("--json", action="store_true", help="machine-readable output")
    cov.add_argument("--brief", action="store_true", help="the summary table only")
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from .resources.snapshot import SnapshotError
    from .server import create_app
    from .server.threaded import _request_handler

    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        config.set(data_dir=args.data_dir.resolve())
    try:
        app = create_app(args.job_mode)
    except SnapshotError as exc:
        print(f"personalize-emulator serve: cannot load the saved state: {exc}", file=sys.stderr)
        return 1
    persistence = getattr(app, "persistence", None)
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=_request_handler()
    )

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Before the address line: a supervisor may send SIGTERM as soon as it has read it.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        print(f"personalize-emulator listening on http://{args.host}:{server.port}", flush=True)
        if persistence is not None:  # after the address line, which scripts read first
            print(f"personalize-emulator {persistence.summary()}", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.close()  # the clock ticker, and with a data directory the final save
    return 0


def _script_traceback(exc: BaseException, script: str) -> None:
    """Print ``exc`` as if the script had been run by ``python`` itself (no frames of ours)."""
    tb = exc.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != script:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb or exc.__traceback__)


def cmd_run(args: argparse.Namespace) -> int:
    from .mock import mock_personalize

    script = os.path.abspath(args.script)
    if not os.path.isfile(script):
        print(f"personalize-emulator run: no such file: {args.script}", file=sys.stderr)
        return 2
    # Old scripts (the 2018 blog) create clients without a region; real AWS setups have one.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    saved_argv, saved_path0 = sys.argv[:], sys.path[0] if sys.path else None
    sys.argv = [script, *args.args]
    sys.path.insert(0, os.path.dirname(script))
    try:
        with contextlib.ExitStack() as stack:
            if args.preview:
                from .preview_models import activated

                stack.enter_context(activated())
            stack.enter_context(mock_personalize())
            runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt as exc:
        _script_traceback(exc, script)
        return 130
    except BaseException as exc:
        _script_traceback(exc, script)
        return 1
    finally:
        sys.argv = saved_argv
        if sys.path and sys.path[0] == os.path.dirname(script) and saved_path0 != sys.path[0]:
            sys.path.pop(0)
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from .protocol.coverage import as_dict, coverage, ga_complete, render
    from .resources.handlers import registered_operations

    rows = coverage(registered_operations)
    if args.json:
        print(json.dumps(as_dict(rows), indent=2))
    else:
        print(render(rows, verbose=not args.brief))
    return 1 if args.strict and not ga_complete(rows) else 0


def cmd_install_preview_models(args: argparse.Namespace) -> int:
    from .preview_models import main_install

    return main_install(["--target", args.target] if args.target else [])


def cmd_uninstall_preview_models(args: argparse.Namespace) -> int:
    from .preview_models import main_uninstall

    return main_uninstall(["--target", args.target] if args.target else [])


COMMANDS = {
    "serve": cmd_serve,
    "run": cmd_run,
    "coverage": cmd_coverage,
    "install-preview-models": cmd_install_preview_models,
    "uninstall-preview-models": cmd_uninstall_preview_models,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
