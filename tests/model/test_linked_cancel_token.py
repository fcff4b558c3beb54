"""LinkedCancelToken: the one token a part of a transfer stops with (it was written twice, in
net/dicomweb.py and net/series_loader.py)."""

from __future__ import annotations

import pytest

from workstation.errors import Cancelled
from workstation.model.source import CancelToken, LinkedCancelToken


def test_cancelled_with_its_parent_never_the_other_way() -> None:
    parent = CancelToken()
    child = LinkedCancelToken(parent)
    sibling = LinkedCancelToken(parent)
    child.cancel()  # the network part stops alone
    assert child.cancelled and not parent.cancelled and not sibling.cancelled
    with pytest.raises(Cancelled, match="^The transfer was cancelled.$"):
        child.raise_if_cancelled()
    sibling.raise_if_cancelled()
    parent.cancel()  # the user's cancel reaches every part
    assert sibling.cancelled
    with pytest.raises(Cancelled):
        sibling.raise_if_cancelled()


def test_without_a_parent_it_is_a_plain_token() -> None:
    token = LinkedCancelToken(None)
    assert not token.cancelled
    token.cancel()
    assert token.cancelled


def test_both_transfer_modules_use_it() -> None:
    from workstation.net import dicomweb, series_loader

    assert dicomweb.LinkedCancelToken is series_loader.LinkedCancelToken is LinkedCancelToken
    assert not hasattr(dicomweb, "_LinkedToken") and not hasattr(series_loader, "_LinkedToken")
