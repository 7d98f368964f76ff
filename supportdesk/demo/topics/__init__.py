"""What customers write about, per topic: subjects, first messages, the agent's questions,
the customer's answers, solutions and internal notes.

Templates use the keys of `content.ticket_context`. Within a topic every question fits
every answer, so a conversation can pick each part independently and still read right.
"""

from __future__ import annotations

from supportdesk.demo.topics.accounts import ACCOUNTS
from supportdesk.demo.topics.base import Topic
from supportdesk.demo.topics.billing import BILLING
from supportdesk.demo.topics.technical import TECHNICAL

__all__ = ["PROBLEMS", "SPAM", "TOPICS", "Topic"]

TOPICS = BILLING + TECHNICAL + ACCOUNTS

SPAM = (
    (
        "Boost your Google ranking today",
        "Dear website owner, we can put your site on page "
        "one of Google within 30 days. Reply YES for a free audit.",
    ),
    (
        "URGENT: invoice overdue, payment required",
        "Your invoice is overdue. Open the attached "
        "link to avoid legal action: http://payment-portal.invalid/pay",
    ),
    (
        "Partnership proposal",
        "Hello, we are a marketing agency and would like to discuss a "
        "partnership. We have 10 years of experience in lead generation.",
    ),
)

# Problem tickets agents open when several customers report the same fault; incidents of
# the matching topic are linked to them. (topic key, subject, description, root cause)
PROBLEMS = (
    (
        "slow_sync",
        "Problem: sync delays for accounts in the EU region",
        "Several customers report that changes take hours to sync. All affected accounts are "
        "in the EU region. Linking the incoming incidents here.",
        "Root cause: one of the EU sync workers ran out of disk and fell behind. Replaced the "
        "node and added an alert on queue lag.",
    ),
    (
        "server_errors",
        "Problem: 500 errors when saving reports after the release",
        "Since the last release, saving reports with a date filter fails with a 500 error. "
        "Engineering is on it; please link customer incidents to this ticket.",
        "Fixed in the hotfix release: the date filter serializer handled time zones wrongly. "
        "All linked incidents can be solved.",
    ),
)
