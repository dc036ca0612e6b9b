"""``examples/blog_movielens.py`` keeps the 2018 blog's code: every line of the blog's Python, in
the blog's order, after the Python 3 port and the two documented edits, and nothing rewritten.

The blog lives in ``shared/seed/`` beside the checkout (not shipped with the project); without
it the comparison is skipped.
"""

from __future__ import annotations

import re

import pytest
from example_support import BLOG_SCRIPT, BLOG_TEXT

# (what, pattern, replacement): the only edits allowed between the blog and the script
PORT = [
    ("Python 3 print function", re.compile(r"^(\s*)print (.+)$"), r"\1print(\2)"),
    ("np.int is gone from NumPy", re.compile(r"\bnp\.int\("), "int("),
    ("u.item is Latin-1", re.compile(r"header=None\)$"), "header=None, encoding='latin-1')"),
    (
        "BLOG_ENDPOINT_URL may redirect the clients to a live server",
        re.compile(r"endpoint_url='([^']+)'"),
        r"endpoint_url=endpoint('\1')",
    ),
]


def blog_lines() -> list[str]:
    """The blog's Python lines (no blanks, no IPython ``!`` shell lines), ported."""
    text = BLOG_TEXT.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```(?:python|py)\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.rstrip()
            if not line or line.lstrip().startswith("!"):
                continue
            for _, pattern, replacement in PORT:
                line = pattern.sub(replacement, line)
            lines.append(line)
    return lines


@pytest.mark.skipif(not BLOG_TEXT.is_file(), reason="shared/seed/ is not beside the checkout")
def test_the_script_holds_every_line_of_the_blog_in_order():
    expected = blog_lines()
    assert len(expected) > 150  # the whole example section, not a fragment
    script = [line.rstrip() for line in BLOG_SCRIPT.read_text(encoding="utf-8").splitlines()]
    position = 0
    for line in expected:
        try:
            position = script.index(line, position) + 1
        except ValueError:
            pytest.fail(f"blog line missing from the script (or out of order): {line!r}")


@pytest.mark.skipif(not BLOG_TEXT.is_file(), reason="shared/seed/ is not beside the checkout")
def test_the_boto3_calls_are_the_preview_dialect_ones():
    lines = set(blog_lines())
    for call in (
        "    minTPS = 1",
        "get_metrics_response = personalize.get_metrics(",
        '    updateMode = "MANUAL"',
        "    userId = str(user_id),",
        "boto3.Session().resource('s3').Bucket(bucket).Object(filename).upload_file(filename)",
        "    time.sleep(60)",
    ):
        assert call in lines
