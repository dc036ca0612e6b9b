"""The shared pager: page sizes, tokens, stability under concurrent changes, bad tokens."""

import base64
import json
from dataclasses import dataclass

import pytest

from personalize_emulator.protocol.errors import InvalidNextTokenException
from personalize_emulator.resources.pagination import paginate


@dataclass
class Item:
    arn: str


def items(n):
    return [Item(f"arn:{i:03d}") for i in range(n)]


def walk(seq, max_results, **kw):
    seen, token = [], None
    while True:
        page = paginate(seq, token, max_results, "things", **kw)
        seen += [i.arn for i in page["things"]]
        token = page["nextToken"]
        if token is None:
            return seen


def test_default_page_is_100():
    page = paginate(items(150), None, None, "things")
    assert len(page["things"]) == 100 and page["nextToken"]
    rest = paginate(items(150), page["nextToken"], None, "things")
    assert len(rest["things"]) == 50 and rest["nextToken"] is None


@pytest.mark.parametrize("size", [1, 3, 7, 10, 11])
def test_pages_cover_everything_once(size):
    assert walk(items(10), size) == [i.arn for i in items(10)]


def test_empty_listing():
    assert paginate([], None, 5, "things") == {"things": [], "nextToken": None}


def test_resumes_after_anchor_when_items_are_added_or_removed():
    seq = items(6)
    first = paginate(seq, None, 2, "things")
    # an item before the anchor disappears and one is added at the front (newest first)
    changed = [Item("arn:new")] + [i for i in seq if i.arn != "arn:000"]
    second = paginate(changed, first["nextToken"], 2, "things")
    assert [i.arn for i in second["things"]] == ["arn:002", "arn:003"]


def test_anchor_deleted_falls_back_to_offset():
    seq = items(6)
    first = paginate(seq, None, 2, "things")
    changed = [i for i in seq if i.arn != "arn:001"]
    second = paginate(changed, first["nextToken"], 2, "things")
    assert [i.arn for i in second["things"]] == ["arn:003", "arn:004"]


def test_render_shapes_items():
    page = paginate(items(2), None, 5, "things", render=lambda i: {"a": i.arn})
    assert page["things"] == [{"a": "arn:000"}, {"a": "arn:001"}]


@pytest.mark.parametrize(
    "token",
    [
        "garbage!!",
        "bm90IGpzb24",  # base64 of "not json"
        base64.urlsafe_b64encode(b'{"l": "x"}').decode(),
        base64.urlsafe_b64encode(json.dumps({"l": "x", "a": "y", "o": -1}).encode()).decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_garbage_tokens_are_refused(token):
    with pytest.raises(InvalidNextTokenException):
        paginate(items(5), token, 2, "things")


def test_token_from_another_listing_is_refused():
    token = paginate(items(5), None, 2, "things")["nextToken"]
    with pytest.raises(InvalidNextTokenException):
        paginate(items(5), token, 2, "others")
    scoped = paginate(items(5), None, 2, "things", scope="group-a")["nextToken"]
    with pytest.raises(InvalidNextTokenException):
        paginate(items(5), scoped, 2, "things", scope="group-b")
    assert paginate(items(5), scoped, 2, "things", scope="group-a")["things"]
