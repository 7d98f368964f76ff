"""Account topics: ownership, deletion, seats, privacy requests, two-factor resets."""

from __future__ import annotations

from supportdesk.demo.topics.base import NORMAL, PRESSING, Topic

ACCOUNTS = (
    Topic(
        key="change_owner",
        group="Accounts",
        types=("task",),
        priorities=NORMAL,
        tags=("account", "ownership"),
        fields=("plan",),
        subjects=(
            "Transfer account ownership",
            "Account owner left the company",
            "Make {owner} the new owner",
        ),
        openings=(
            "Our account owner left {company} last month. Please transfer ownership to me; "
            "I am the new head of operations.",
            "Could you make {owner} the owner of our workspace? I am the current owner and "
            "am moving to another team.",
        ),
        asks=(
            "For security we need a confirmation from the current owner, or if that is not "
            "possible, a short letter on company letterhead signed by a director. Which "
            "works for you?",
            "Of course. Could you confirm that {owner} already has an account in your "
            "workspace? The transfer only works to an existing admin.",
        ),
        answers=(
            "The previous owner cannot be reached, so I attached a signed letter from our CEO.",
            "Yes, {owner} is already an admin. Please go ahead.",
        ),
        solutions=(
            "Thank you. Ownership is transferred and the previous owner is now a regular "
            "member; you can remove them in Settings > Members.",
            "{owner} is now the owner of the workspace and has received a confirmation "
            "e-mail. Your own role is admin.",
        ),
        notes=("Verified letter against the company register. OK to transfer.",),
    ),
    Topic(
        key="delete_account",
        group="Accounts",
        types=("task",),
        priorities=("low", "normal"),
        tags=("account", "deletion", "gdpr"),
        fields=(),
        subjects=("Please delete my account", "Close our workspace", "Delete all our data"),
        openings=(
            "Please delete my account and all data associated with it. I no longer use the "
            "service.",
            "We are closing our workspace. Please make sure all our data is removed from "
            "your systems, including backups.",
        ),
        asks=(
            "I am sorry to see you go. Deleting is permanent; would you like an export of "
            "your data first?",
            "Deletion removes everything within 30 days, and backups expire after 35 days. "
            "Please confirm that you want to go ahead.",
        ),
        answers=(
            "No export needed, please go ahead.",
            "Confirmed, please delete everything.",
        ),
        solutions=(
            "Your account is scheduled for deletion and will be removed within 30 days; "
            "backups expire within 35 days. You will get a confirmation when it is done.",
            "The workspace is closed and all data is queued for deletion. Thank you for "
            "having been a customer.",
        ),
        notes=("Deletion job queued; confirmation goes out automatically.",),
    ),
    Topic(
        key="add_seats",
        group="Accounts",
        types=("task", "question"),
        priorities=NORMAL,
        tags=("account", "seats", "upsell"),
        fields=("plan",),
        subjects=(
            "Add {seats_new} seats to our plan",
            "Upgrade to {plan_up}",
            "How do we add more users?",
        ),
        openings=(
            "We are growing and need to go from {seats} to {seats_new} seats. How is the "
            "price calculated if we add them mid-term?",
            "We want to upgrade from {plan} to {plan_up}. Will our data and settings stay "
            "the same?",
        ),
        asks=(
            "Added seats are charged pro rata until your renewal. Should I add them now, or "
            "would you prefer to do it yourself under Settings > Billing?",
            "Everything stays as it is when you upgrade. Would you like me to apply the "
            "upgrade from the first of next month instead of today?",
        ),
        answers=(
            "Please add them now, thanks.",
            "Today is fine, we need the new features this week.",
        ),
        solutions=(
            "Done: you now have {seats_new} seats. The pro-rata amount will appear on your "
            "next invoice.",
            "Your workspace is on {plan_up} now. The new features are available to everyone "
            "right away.",
        ),
        notes=("Expansion: +{seats} seats. Told the account manager.",),
    ),
    Topic(
        key="gdpr_export",
        group="Accounts",
        types=("task",),
        priorities=NORMAL,
        tags=("gdpr", "privacy", "export"),
        fields=(),
        subjects=(
            "GDPR data access request",
            "Export all personal data",
            "Subject access request for {owner}",
        ),
        openings=(
            "Under Article 15 GDPR I request a copy of all personal data you hold about me.",
            "One of our employees, {owner}, asked us for all data stored about them. Can you "
            "provide an export from your side?",
        ),
        asks=(
            "We will provide the export within 30 days as required. To protect your data, "
            "please confirm the request from the e-mail address on the account.",
            "Could you confirm that you are an admin of the workspace and that {owner} is "
            "the person the request is about?",
        ),
        answers=(
            "Confirming from my account address. Thank you.",
            "Yes, I am an admin and the request is about {owner}.",
        ),
        solutions=(
            "The export is ready. You will receive a download link valid for 7 days at the "
            "account address.",
            "We sent the data export for {owner} to your admin address. It contains the "
            "profile, activity log and messages.",
        ),
        notes=("DSAR logged in the privacy register; deadline in 30 days.",),
    ),
    Topic(
        key="two_factor",
        group="Accounts",
        types=("incident", "question"),
        priorities=PRESSING,
        tags=("account", "2fa", "security"),
        fields=(),
        subjects=(
            "Lost phone, cannot log in (2FA)",
            "Reset two-factor authentication",
            "Backup codes not working",
        ),
        openings=(
            "My phone was stolen and I cannot log in because of two-factor authentication. "
            "I do not have the backup codes.",
            "I got a new phone and did not move the authenticator app. Can you reset 2FA "
            "for my account?",
        ),
        asks=(
            "For your security we need to verify your identity first. Could another admin "
            "of your workspace confirm the request by replying to this ticket?",
            "To reset 2FA I need to verify that you own the account. Please reply from the "
            "account e-mail address and tell me the date of your last invoice.",
        ),
        answers=(
            "My colleague, who is an admin, is in CC and confirms.",
            "Replying from my account address. The last invoice was from {month} {day}.",
        ),
        solutions=(
            "Two-factor authentication is reset. At your next login you will be asked to set "
            "it up again; please store the new backup codes somewhere safe.",
            "I have reset 2FA on your account and signed out all other sessions as a precaution.",
        ),
        notes=("Identity verified via second admin. 2FA reset per the security runbook.",),
    ),
)
