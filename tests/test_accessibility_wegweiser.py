"""axe-core on every Wegweiser page type in every offered language (tests/test_accessibility.py
has the rules and the audit; a file of its own, so the two run side by side on two cores)."""

import pytest

from test_accessibility import OFFERED, audit_wegweiser, context, page, server  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", OFFERED)
def test_every_wegweiser_page_has_no_violations(server, page, lang):  # noqa: F811
    assert audit_wegweiser(page, server.url, lang) == []
