"""Paths and helpers shared by the example tests (the examples folder goes on ``sys.path``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BLOG_SCRIPT = EXAMPLES / "blog_movielens.py"
BLOG_TEXT = ROOT.parent / "shared" / "seed" / "amazon-personalize-blog.md"

if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

# variables of the caller's environment that would point a run somewhere else
_STRAY = ("BLOG_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_DATA_PATH", "ML100K_DIR")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without redirections, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _STRAY}
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)


def printed_recommendations(stdout: str) -> list[str]:
    """The title list the blog prints as ``Recommendations: [...]``."""
    found = re.search(r"^Recommendations: (\[.*?^\])", stdout, flags=re.S | re.M)
    assert found, stdout[-2000:]
    return json.loads(found.group(1))
