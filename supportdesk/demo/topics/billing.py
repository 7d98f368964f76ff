"""Billing topics: charges, refunds, invoices, tax, failed payments."""

from __future__ import annotations

from supportdesk.demo.topics.base import NORMAL, PRESSING, Topic

BILLING = (
    Topic(
        key="double_charge",
        group="Billing",
        types=("incident", "question"),
        priorities=PRESSING,
        tags=("billing", "double_charge"),
        fields=("order_number", "plan"),
        subjects=(
            "Charged twice for {month} subscription",
            "Double charge on my card",
            "Duplicate payment for invoice {invoice}",
        ),
        openings=(
            "Our card ending in {card} was charged twice for the {month} renewal of our "
            "{plan} plan, {amount} {currency} each time. Please refund one of the charges.",
            "I just noticed two identical payments of {amount} {currency} on our company "
            "card for invoice {invoice}. We only have one workspace, so one of them must be "
            "a mistake.",
        ),
        asks=(
            "Sorry about that. I can see one successful charge for {invoice} on our side. "
            "Could you send me the dates of both charges as they appear on your statement? "
            "Sometimes the bank shows a pending authorisation that drops off after a few days.",
            "Thanks for letting us know. To find the second payment, could you tell me the "
            "last four digits of the card and the exact amounts on your bank statement?",
        ),
        answers=(
            "Both are booked, not pending: {amount} {currency} on {month} {day} and again "
            "the day after. Card ending {card}.",
            "I checked with our accountant. The second charge is definitely booked, same "
            "amount, reference {ref}.",
        ),
        solutions=(
            "You were right: our payment provider retried the renewal after a timeout and "
            "both attempts went through. I have refunded {amount} {currency} to the card "
            "ending in {card}; it should appear within 5-10 business days.",
            "I found the duplicate and refunded it in full. You will receive a credit note "
            "by e-mail, and the money should be back on your card within a week.",
        ),
        notes=(
            "Stripe shows two captures for the same invoice ({ref}). Refunded the later one.",
            "Third duplicate charge this week after the retry change. Flagged to finance.",
        ),
    ),
    Topic(
        key="refund",
        group="Billing",
        types=("question", "task"),
        priorities=NORMAL,
        tags=("billing", "refund"),
        fields=("order_number", "plan"),
        subjects=(
            "Refund request for order {order}",
            "Cancel and refund annual plan",
            "Please refund unused seats",
        ),
        openings=(
            "We bought the annual {plan} plan last week (order {order}) but our team decided "
            "to go with another tool. Is it possible to get a refund?",
            "We accidentally renewed for another year. We stopped using the product in "
            "{month}. Could you cancel the renewal and refund {amount} {currency}?",
        ),
        asks=(
            "I am sorry to hear it did not work out. Annual plans can be refunded within 30 "
            "days of purchase. Could you confirm the e-mail address of the account owner so "
            "I can verify the request?",
            "I can help with that. Before I process it: would you like to keep the workspace "
            "on the Free plan so your data stays available, or should we close it entirely?",
        ),
        answers=(
            "The owner is our office manager, she is in CC on our internal thread. Please "
            "go ahead and keep the data on the Free plan.",
            "Please keep the data for now, we may need to export some of it. Thanks!",
        ),
        solutions=(
            "Done: I have cancelled the renewal and refunded {amount} {currency} for order "
            "{order}. Your workspace is now on the Free plan and all data is still there.",
            "The refund of {amount} {currency} is on its way and the subscription will not "
            "renew again. You will get a confirmation from our payment provider shortly.",
        ),
        notes=(
            "Within the 30-day window, refund approved without manager sign-off.",
            "Customer churning to a competitor (pricing). Logged in the churn sheet.",
        ),
    ),
    Topic(
        key="invoice_address",
        group="Billing",
        types=("task",),
        priorities=("low", "normal"),
        tags=("billing", "invoice"),
        fields=("order_number",),
        subjects=(
            "Change billing address on invoices",
            "Wrong company name on invoice {invoice}",
            "Invoice needs our new address",
        ),
        openings=(
            "We moved offices last month. Could you update the address on our invoices to "
            "{street}, {city}, {country}? Invoice {invoice} still shows the old one.",
            "Our legal entity name changed to {company} GmbH. Our accounting cannot book "
            "invoice {invoice} with the old name; could you reissue it?",
        ),
        asks=(
            "Happy to help. You can change the address yourself under Settings > Billing, "
            "but past invoices are locked. Should I reissue {invoice} with the new details "
            "as well?",
            "Sure. Could you also send the purchase order number you want on the invoice, "
            "if your accounting needs one?",
        ),
        answers=(
            "Yes please, reissue {invoice} as well. No PO number needed.",
            "Our PO number is {order}. Please put it on both the corrected and future invoices.",
        ),
        solutions=(
            "I have updated the billing details and reissued {invoice} with the new address. "
            "You will find the corrected PDF under Settings > Billing > Invoices.",
            "All future invoices will use the new company name and address, and the corrected "
            "copy of {invoice} is attached to your account now.",
        ),
        notes=("Reissued invoice manually in the billing admin; old PDF voided.",),
    ),
    Topic(
        key="vat",
        group="Billing",
        types=("question", "task"),
        priorities=NORMAL,
        tags=("billing", "vat", "tax"),
        fields=("plan",),
        subjects=(
            "VAT charged although we have a VAT ID",
            "Add VAT number {vat}",
            "Reverse charge missing on invoice",
        ),
        openings=(
            "We are a registered business in {country} and our VAT ID is {vat}, but the last "
            "invoice added VAT anyway. Can you apply the reverse charge and refund the VAT?",
            "Could you add our VAT number {vat} to the account? Our invoices should show "
            "reverse charge.",
        ),
        asks=(
            "Thanks. The VAT ID did not validate in the EU VIES system when it was entered. "
            "Could you double-check the number, including the country prefix?",
            "I can add it. Which invoices should be corrected: only the latest one or all "
            "invoices since {month}?",
        ),
        answers=(
            "The number is {vat}, I just checked it in VIES myself and it shows as valid.",
            "All invoices since {month} please, our tax advisor needs them corrected.",
        ),
        solutions=(
            "The VAT ID is now validated and saved. I have credited the VAT on the affected "
            "invoices and issued corrected copies with the reverse-charge note.",
            "Done. Future invoices will not include VAT, and the VAT you paid since {month} "
            "will be credited to your next invoice.",
        ),
        notes=(
            "VIES was down on the day they entered the ID; validated manually.",
            "Tax team confirmed reverse charge applies for {country}.",
        ),
    ),
    Topic(
        key="card_declined",
        group="Billing",
        types=("incident", "question"),
        priorities=PRESSING,
        tags=("billing", "payment_failed"),
        fields=("plan",),
        subjects=(
            "Payment failed, account locked?",
            "Card declined on renewal",
            "Cannot update payment method",
        ),
        openings=(
            "We got an e-mail saying the renewal payment failed and the account will be "
            "limited in 7 days. The card is valid. What is going on?",
            "I am trying to add a new credit card but the form keeps saying the card was "
            "declined. Our bank says they see no attempt at all.",
        ),
        asks=(
            "The bank returned 'authentication required' for the last attempt, which usually "
            "means a 3-D Secure confirmation was needed. Could you try again from Settings > "
            "Billing in {browser} with pop-ups allowed?",
            "Could you tell me which browser you are using and whether you see a bank "
            "confirmation window at all?",
        ),
        answers=(
            "I tried again in {browser}; this time the bank app asked me to confirm and it "
            "went through.",
            "I use {browser} on {os}. No confirmation window appears, the form just fails.",
        ),
        solutions=(
            "The payment is now confirmed and your account is in good standing; the warning "
            "will disappear within the hour.",
            "A browser extension blocked the bank's confirmation window. I have sent you a "
            "secure payment link instead, which worked: the invoice is paid.",
        ),
        notes=("3DS challenge blocked by an ad blocker; sent a hosted payment link.",),
    ),
)
