"""Every kind of failure has its own words: what happened (with the HTTP status where there is one) and what to do."""

from __future__ import annotations

import pytest

from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.ui.error_text import Action, describe

pytestmark = pytest.mark.gui


def test_each_kind_has_its_own_title_and_a_way_forward():
    texts = {kind: describe(AssistantError(kind, detail="server said no", param="seed")) for kind in ErrorKind}
    titles = [t.title for t in texts.values()]
    assert len(set(titles)) == len(titles), "no two kinds read the same"
    for kind, text in texts.items():
        assert text.title and text.body and text.actions, kind
        assert Action.NONE not in text.actions, kind


@pytest.mark.parametrize(("kind", "status", "does"), [
    (ErrorKind.AUTH, "401", Action.OPEN_PROVIDER),
    (ErrorKind.NO_KEY, "", Action.OPEN_PROVIDER),
    (ErrorKind.PERMISSION, "403", Action.OPEN_SETTINGS),
    (ErrorKind.MODEL_NOT_FOUND, "404", Action.OPEN_SETTINGS),
    (ErrorKind.RATE_LIMIT, "429", Action.RETRY),
    (ErrorKind.QUOTA, "429", Action.RETRY),
    (ErrorKind.SERVER, "", Action.RETRY),
    (ErrorKind.TIMEOUT, "", Action.RETRY),
    (ErrorKind.CONNECTION, "", Action.OPEN_PROVIDER),
    (ErrorKind.STREAM_CUT, "", Action.RETRY),
    (ErrorKind.CONTEXT_TOO_LONG, "", Action.OPEN_SETTINGS),
])
def test_the_status_and_the_fix_are_named(kind, status, does):
    text = describe(AssistantError(kind))
    assert status in text.title
    assert does in text.actions


def test_a_429_says_whether_it_is_the_rate_or_the_quota():
    rate, quota = describe(AssistantError(ErrorKind.RATE_LIMIT)), describe(AssistantError(ErrorKind.QUOTA))
    assert "Rate limit" in rate.title and "Wait" in rate.body
    assert "Quota" in quota.title and "billing" in quota.body


def test_the_servers_own_words_are_kept_and_the_rejected_parameter_named():
    text = describe(AssistantError(ErrorKind.PARAM_REJECTED, detail="Unsupported parameter: 'seed'", param="seed"))
    assert "“seed”" in text.title and "Unsupported parameter: 'seed'" in text.body
