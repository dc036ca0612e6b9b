"""``examples/server_quickstart.md`` works as written: its shell and Python blocks, in order, in
one bash session, against ``personalize-emulator serve --port 0`` (async jobs, the default), with
the document's port changed to the one it picked.

Needs the AWS CLI (not a project dependency); skipped without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from example_support import EXAMPLES, run

QUICKSTART = EXAMPLES / "server_quickstart.md"
DOC_ADDRESS = "127.0.0.1:4580"
# blocks left out: starting a server (the test starts its own), and the blog's run (HRNN
# training against a sync server: test_examples.py runs it)
SKIPPED = ("personalize-emulator serve", "blog_movielens.py")


def as_bash(markdown: str, address: str) -> str:
    """The document's ``bash`` and ``python`` blocks as one bash script."""
    parts = ["set -euo pipefail"]
    for language, body in re.findall(r"```(bash|python)\n(.*?)```", markdown, flags=re.S):
        body = body.replace(DOC_ADDRESS, address)
        if language == "python":
            parts.append(f"python - <<'PYTHON_BLOCK'\n{body}PYTHON_BLOCK")
        elif not any(skipped in body for skipped in SKIPPED):
            parts.append(body)
    return "\n".join(parts) + "\n"


def test_the_document_has_the_promised_commands():
    text = QUICKSTART.read_text(encoding="utf-8")
    for command in (
        "personalize-emulator serve --port 4580",
        "aws personalize list-recipes --endpoint-url http://127.0.0.1:4580",
        "export AWS_ENDPOINT_URL=http://127.0.0.1:4580",
        'endpoint_url="http://127.0.0.1:4580"',
        "aws s3 cp ",
        "/_emulator/health",
        "/moto-api/reset",
        "install-preview-models",
    ):
        assert command in text, command
    script = as_bash(text, "127.0.0.1:1")
    assert "personalize-emulator serve" not in script and "4580" not in script
    assert "install-preview-models" in script and "blog_movielens" not in script


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_every_command_of_the_quickstart_works(tmp_path: Path):
    (tmp_path / "examples").symlink_to(EXAMPLES)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BLOG_", "ML100K"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )
    # the document's own command, on a free port
    server = subprocess.Popen(
        [sys.executable, "-m", "personalize_emulator", "serve", "--port", "0"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
    )
    try:
        banner = server.stdout.readline()
        assert banner.startswith("personalize-emulator listening on http://127.0.0.1:"), banner
        address = banner.strip().rsplit("http://", 1)[1]
        script = tmp_path / "quickstart.sh"
        script.write_text(as_bash(QUICKSTART.read_text(encoding="utf-8"), address))
        result = run(["bash", str(script)], env, cwd=tmp_path)
    finally:
        server.terminate()
        server.wait()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    out = result.stdout
    assert '"status": "ok"' in out and '"job_mode": "async"' in out
    assert "['aws-user-personalization-v2', 'aws-user-personalization', 'aws-hrnn']" in out
    assert "\n[]\n" in out  # the AWS_ENDPOINT_URL client saw the freshly reset server
    assert "upload: ./interactions.csv to s3://personalize-demo/interactions.csv" in out
    assert '"mean_reciprocal_rank_at_25"' in out
    # the last JSON printed is the get-recommendations answer: movies like movie 1, an action film
    answer, _ = json.JSONDecoder().raw_decode(out, out.rindex("\n{") + 1)
    items = [int(entry["itemId"]) for entry in answer["itemList"]]
    assert len(items) == 5 and all(item % 4 == 1 for item in items), items
    assert (tmp_path / "preview-models" / "personalize" / "2018-05-22" / "service-2.json").is_file()
