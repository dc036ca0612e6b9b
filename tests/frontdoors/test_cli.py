"""The personalize-emulator command: serve, run, coverage."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from personalize_emulator.cli import main
from personalize_emulator.protocol.coverage import coverage
from personalize_emulator.resources.handlers import registered_operations


def test_serve_on_port_zero_prints_its_port_and_answers_health(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "personalize_emulator",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        prefix = "personalize-emulator listening on http://127.0.0.1:"
        assert line.startswith(prefix), line
        port = int(line[len(prefix) :])
        assert port > 0
        url = f"http://127.0.0.1:{port}/_emulator/health"
        with urllib.request.urlopen(url, timeout=30) as response:
            payload = json.loads(response.read())
        assert payload["status"] == "ok"
        assert payload["job_mode"] == "async"
        assert (tmp_path / "data").is_dir()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def write(tmp_path, text):
    script = tmp_path / "script.py"
    script.write_text(text)
    return str(script)


def test_run_passes_argv_and_exit_code_through(tmp_path):
    out = tmp_path / "argv.json"
    script = write(
        tmp_path,
        f"import json, sys\njson.dump(sys.argv[1:], open({str(out)!r}, 'w'))\nsys.exit(7)\n",
    )
    with pytest.raises(SystemExit) as info:
        main(["run", script, "--flag", "value"])
    assert info.value.code == 7
    assert json.loads(out.read_text()) == ["--flag", "value"]


def test_run_reaches_the_mock_with_a_hard_coded_endpoint(tmp_path, temp_handlers):
    temp_handlers(
        "personalize",
        "ListRecipes",
        lambda store, **_: {"recipes": [{"name": f"in-{store.region}"}]},
    )
    out = tmp_path / "out.txt"
    script = write(
        tmp_path,
        "import boto3\n"
        "c = boto3.client('personalize', region_name='us-west-2',\n"
        "                 endpoint_url='https://personalize.us-west-2.amazonaws.com')\n"
        f"open({str(out)!r}, 'w').write(c.list_recipes()['recipes'][0]['name'])\n",
    )
    assert main(["run", script]) == 0
    assert out.read_text() == "in-us-west-2"


def test_run_reports_the_scripts_own_traceback(tmp_path, capsys):
    script = write(tmp_path, "def broken():\n    raise ValueError('boom')\nbroken()\n")
    assert main(["run", script]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert "script.py" in err and "ValueError: boom" in err
    assert "cli.py" not in err and "runpy" not in err


def test_coverage_report(capsys):
    rows = coverage(registered_operations)
    assert main(["coverage", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ga = next(r for r in report if (r["service"], r["dialect"]) == ("personalize", "ga"))
    assert len(ga["implemented"]) + len(ga["missing"]) == 71
    expected = 0 if all(not r.missing for r in rows if r.dialect == "ga") else 1
    assert main(["coverage", "--strict", "--brief"]) == expected
    assert "personalize-runtime" in capsys.readouterr().out


def test_coverage_strict_fails_on_a_gap(monkeypatch, capsys):
    import personalize_emulator.resources.handlers as handlers

    monkeypatch.setattr(handlers, "registered_operations", lambda dialect="ga": set())
    assert main(["coverage", "--strict", "--brief"]) == 1
    assert "0/71" in capsys.readouterr().out


def test_install_and_uninstall_preview_models(tmp_path, capsys):
    from personalize_emulator.cli import main

    assert main(["install-preview-models", "--target", str(tmp_path)]) == 0
    installed = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert installed == [
        "personalize-runtime/2018-05-22/service-2.json",
        "personalize/2018-05-22/service-2.json",
    ]
    assert main(["uninstall-preview-models", "--target", str(tmp_path)]) == 0
    assert not list(tmp_path.rglob("*.json"))
