"""The admins' self-service insights page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from supportdesk.kb import deflection
from supportdesk.kb.models import SearchLog, SuggestionOpen


def test_admin_sees_deflection_top_searches_and_gaps(client, admin, publish):  # type: ignore[no-untyped-def]
    article = publish("Reset your password", "Press Reset.")
    long_ago = timezone.now() - dt.timedelta(days=2)
    SuggestionOpen.objects.create(visitor="a", article=article, opened_at=long_ago)
    SuggestionOpen.objects.create(
        visitor="b", article=article, opened_at=long_ago, request_number=7
    )
    for _ in range(3):
        deflection.log_search("reset password", results=1, corrected=False)
    clicked = deflection.log_search("reset password", results=1, corrected=False)
    assert clicked is not None
    deflection.mark_clicked(clicked.pk)
    deflection.log_search("<i>quantum</i> billing", results=0, corrected=False)
    client.force_login(admin)
    html = client.get("/agent/kb/insights/").content.decode()
    assert "Self-service insights" in html
    assert "<td>2</td><td>1</td><td>50.0%</td>" in html
    assert "<td>reset password</td><td>4</td><td>1</td><td>0</td>" in html
    gaps = html.split('id="gaps-title"', 1)[1]
    assert "&lt;i&gt;quantum&lt;/i&gt; billing" in gaps and "reset password" not in gaps


def test_period_choice_and_empty_states(client, admin):  # type: ignore[no-untyped-def]
    old = SearchLog.objects.create(query="old thing", results=0)
    SearchLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    client.force_login(admin)
    week = client.get("/agent/kb/insights/?days=7").content.decode()
    assert "No visitor opened a suggested article in the last 7 days" in week
    assert "Nobody searched the help center in the last 7 days" in week
    assert "old thing" not in week
    assert "old thing" in client.get("/agent/kb/insights/?days=30").content.decode()
    odd = client.get("/agent/kb/insights/?days=banana")
    assert odd.status_code == 200 and "last 30 days" in odd.content.decode()


def test_only_admins_may_open_insights(client, alice, lena, carol):  # type: ignore[no-untyped-def]
    assert client.get("/agent/kb/insights/").status_code == 302  # to the login page
    for agent in (alice, lena):
        client.force_login(agent)
        assert client.get("/agent/kb/insights/").status_code == 403
    client.force_login(carol)
    assert client.get("/agent/kb/insights/").status_code == 404


def test_insights_queries_are_bounded(client, admin, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for n in range(30):
        deflection.log_search(f"query {n}", results=n % 2, corrected=False)
    client.force_login(admin)
    client.get("/agent/kb/insights/")
    with django_assert_max_num_queries(25):
        assert client.get("/agent/kb/insights/").status_code == 200
