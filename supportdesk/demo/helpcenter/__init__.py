"""The demo help center's text: categories, sections, articles (Markdown) and two German
translations. Plain data with no Django import, like `content.py`; `demo/articles.py`
writes it through the knowledge-base services.

The facts match what the demo agents say in `topics/` (the 30-day refund window,
Settings > Billing, the Retry-After header...), so an article and a ticket never
contradict each other.
"""

from __future__ import annotations

from supportdesk.demo.helpcenter.account import SIGNING_IN, WORKSPACE
from supportdesk.demo.helpcenter.base import Doc
from supportdesk.demo.helpcenter.billing import INVOICES, PAYMENTS, PLANS
from supportdesk.demo.helpcenter.german import GERMAN
from supportdesk.demo.helpcenter.technical import DEVELOPERS, MOBILE, SYNC

__all__ = ["ARTICLES", "CATEGORIES", "GERMAN", "Doc"]

CATEGORIES = (
    (
        "Account and sign-in",
        "Signing in, two-factor sign-in, and looking after your workspace.",
        (
            ("Signing in", "Passwords, two-factor sign-in and login problems."),
            ("Your workspace", "Owners, data exports and closing an account."),
        ),
    ),
    (
        "Billing and plans",
        "Plans and seats, invoices, tax, payments and refunds.",
        (
            ("Plans and seats", "Choosing a plan and paying for the people who use it."),
            ("Invoices and tax", "Finding invoices, billing details and VAT."),
            ("Payments and refunds", "Cards, failed payments and getting money back."),
        ),
    ),
    (
        "Apps and sync",
        "The desktop sync client and the mobile apps.",
        (
            ("Desktop sync", "Keeping files in step across computers."),
            ("Mobile apps", "The iOS and Android apps."),
        ),
    ),
    (
        "Developers and integrations",
        "The REST API, webhooks and single sign-on.",
        (
            ("API and webhooks", "Tokens, limits and event deliveries."),
            ("Single sign-on", "SAML sign-in through your identity provider."),
        ),
    ),
)

ARTICLES = SIGNING_IN + WORKSPACE + PLANS + INVOICES + PAYMENTS + SYNC + MOBILE + DEVELOPERS
