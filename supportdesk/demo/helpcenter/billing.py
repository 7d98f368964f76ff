"""Help-center articles about plans, seats, invoices, tax, payments and refunds."""

from __future__ import annotations

from supportdesk.demo.helpcenter.base import MARIA, TOM, Doc

PLANS = (
    Doc(
        slug="change-your-plan",
        section="Plans and seats",
        title="Change your plan",
        tags=("plan", "upgrade", "billing"),
        owner=MARIA,
        views=97,
        votes=(14, 2),
        body="""\
You can move to another plan whenever you like; your data and settings stay exactly as
they are.

| Plan | Made for | Includes |
| --- | --- | --- |
| Free | Trying things out | 3 members, the web and mobile apps |
| Starter | Small teams | Desktop sync, the REST API |
| Team | Growing teams | Higher API limits, webhooks, priority e-mail support |
| Business | Companies | Single sign-on (SAML), audit log |
| Enterprise | Large organizations | Custom limits, a named account manager |

## Change the plan

1. As the owner or a billing admin, go to **Settings > Billing**.
2. Choose **Change plan** and pick the new one.
3. Confirm. An upgrade applies at once and the difference is charged pro rata; a
   downgrade takes effect at your next renewal.

Want an upgrade to start on the first of next month instead? Tell us and we will schedule it.
""",
    ),
    Doc(
        slug="add-or-remove-seats",
        section="Plans and seats",
        title="Add or remove seats",
        tags=("seats", "billing", "members"),
        owner=TOM,
        views=52,
        votes=(8, 1),
        body="""\
Paid plans are billed per seat: one seat for each member who can sign in.

## Add seats

1. Go to **Settings > Billing > Seats**.
2. Enter the new number of seats and press **Update**.

Seats added during the term are charged **pro rata** until your renewal date; the amount
appears on your next invoice. Inviting a member when all seats are taken adds a seat for
you, after you confirm.

## Remove seats

Remove the members first under **Settings > Members**, then lower the number of seats.
The lower number applies from your next renewal, and we do not refund seats for the
current term.
""",
    ),
)

INVOICES = (
    Doc(
        slug="download-invoices",
        section="Invoices and tax",
        title="Download your invoices",
        tags=("invoice", "billing", "pdf"),
        owner=MARIA,
        views=143,
        votes=(22, 3),
        body="""\
Every payment comes with an invoice as a PDF, and we e-mail it to the billing contact.

## Find an invoice

1. Go to **Settings > Billing > Invoices**.
2. Pick the invoice by its number or date.
3. Choose **Download PDF**.

Owners and billing admins can see invoices; other members cannot.

## Send invoices to your accounting team

Under **Settings > Billing > Billing contact**, add the address that should receive a copy
of every invoice, such as your accounts-payable inbox.

> **Note:** issued invoices are locked. If one shows an old address, a wrong company name
> or lacks your purchase order number, update your billing details first and then ask us
> to reissue it; see [VAT ID and billing address](/help/articles/vat-and-billing-address/).
""",
    ),
    Doc(
        slug="vat-and-billing-address",
        section="Invoices and tax",
        title="Add a VAT ID and change your billing address",
        tags=("vat", "tax", "invoice", "address"),
        owner=TOM,
        views=88,
        votes=(11, 4),
        body="""\
The name, address and VAT ID on your invoices come from your billing details.

## Change your billing details

1. Go to **Settings > Billing > Billing details**.
2. Update the company name, address or purchase order number.
3. Save. Every future invoice uses the new details.

## Add a VAT ID (EU businesses)

Enter your VAT ID **with the country prefix**, for example `DE123456789`. We check it
against the EU's VIES service right away. Once it is valid, invoices show **reverse
charge** and no VAT.

| You see | What it means |
| --- | --- |
| Valid | Reverse charge applies from the next invoice |
| Not valid | Check the number and prefix, then try again |
| Cannot check now | VIES is down; try later or send us the number |

## Invoices issued before

Past invoices do not change by themselves. Ask us to reissue them with the new details;
VAT you paid while a valid VAT ID was missing is credited to your next invoice.
""",
    ),
)

PAYMENTS = (
    Doc(
        slug="refunds",
        section="Payments and refunds",
        title="Refunds: what we refund and how long it takes",
        tags=("refund", "billing", "cancel"),
        owner=MARIA,
        views=76,
        votes=(10, 5),
        body="""\
## What we refund

| Situation | Refund |
| --- | --- |
| Annual plan, within 30 days of purchase | In full |
| Charged twice for the same invoice | The duplicate, always |
| Renewal you did not mean to make | Ask us within 30 days |
| Seats removed during the term | Not refunded; the change applies at renewal |

## Ask for a refund

Write to us from the owner's e-mail address with the order or invoice number. Tell us
whether to keep your workspace on the **Free plan**, so your data stays available, or to
close it.

## How long it takes

We refund to the card or account that paid. The money usually shows up within **5 to 10
business days**, depending on your bank, and you receive a credit note by e-mail.

> **Note:** a charge that shows as *pending* on your statement may be an authorisation
> that drops off by itself after a few days.
""",
    ),
    Doc(
        slug="payment-failed",
        section="Payments and refunds",
        title="Card declined or payment failed",
        tags=("payment_failed", "card", "billing", "3-d secure"),
        owner=TOM,
        views=81,
        votes=(13, 3),
        body="""\
## Symptom

We wrote that your renewal payment failed, or adding a card under **Settings > Billing**
says the card was declined, while your bank sees no attempt.

## Cause

Most banks ask you to confirm online payments (**3-D Secure**) in a pop-up window or their
app. When a pop-up blocker or an ad-blocking extension hides that window, the payment
fails before it reaches the bank.

## Fix

1. Allow pop-ups for our site, or try a private window without extensions.
2. Go to **Settings > Billing** and choose **Retry payment** or **Update card**.
3. Confirm the payment in your banking app when it asks.

Your account stays fully usable for **7 days** after a failed renewal, and the warning
disappears within an hour of a successful payment. If it still fails, ask us for a
secure payment link.
""",
    ),
    Doc(
        slug="refund-approval-limits",
        section="Payments and refunds",
        title="Refund approval limits for agents",
        tags=("refund", "policy", "billing"),
        owner=MARIA,
        visibility="internal",
        views=31,
        body="""\
What you may refund on your own, and when to ask a lead first.

| Case | Who approves |
| --- | --- |
| Duplicate charge (same invoice twice) | You, always, any amount |
| Annual plan, within 30 days, up to 500 | You |
| Annual plan, within 30 days, over 500 | Billing lead (Maria Gonzalez) |
| Outside the 30-day window | Billing lead, with a reason in the note |
| Unused seats mid-term | Not refunded; offer a credit at renewal instead |

Amounts are in the invoice currency.

## Every refund

1. Refund in the billing admin, never by bank transfer.
2. Add an internal note with the invoice number and the reason.
3. For churn (the customer leaves), add the company to the churn sheet.
4. Tell the customer: 5 to 10 business days, credit note by e-mail.
""",
    ),
)
