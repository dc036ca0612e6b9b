"""Acceptance: ``personalize-emulator serve`` as a user runs it from a shell."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from personalize_emulator.cli import _parser

PREFIX = "personalize-emulator listening on http://127.0.0.1:"


def serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "personalize_emulator", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error_not_a_traceback_or_another_port(port):
    proc = serve("--port", port)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, err)
    assert "--port" in err
    assert "Traceback" not in err
    assert "listening" not in out


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = serve("--port", str(port), "--data-dir", str(tmp_path / "d"))
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out, err)
    assert "in use" in err
    assert "Traceback" not in err


def test_host_0000_is_accepted_by_the_parser():
    args = _parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "0"])
    assert (args.host, args.port) == ("0.0.0.0", 0)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_stops_the_server_cleanly(sig):
    proc = serve("--port", "0")
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith(PREFIX), line
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
