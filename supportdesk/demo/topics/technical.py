"""Technical topics: logins, errors, the API, sync, the mobile app, SSO, webhooks."""

from __future__ import annotations

from supportdesk.demo.topics.base import NORMAL, PRESSING, Topic

TECHNICAL = (
    Topic(
        key="login_fails",
        group="Technical",
        types=("incident",),
        priorities=PRESSING,
        tags=("login", "authentication"),
        fields=("product", "plan"),
        subjects=(
            "Cannot log in since this morning",
            "Login loop on {browser}",
            "Password reset e-mail never arrives",
        ),
        openings=(
            "Since this morning I cannot log in. I enter my password, the page reloads and "
            "I am back at the login screen. I am using {browser} on {os}.",
            "I requested a password reset three times but the e-mail never arrives. It is "
            "not in spam either.",
        ),
        asks=(
            "Sorry for the trouble. Could you try a private window and tell me whether the "
            "same happens? If it does, please send the time of your last attempt so I can "
            "find it in our logs.",
            "Could you check whether your mail server quarantines messages from our domain? "
            "I can see the reset mails were accepted by your server at {month} {day}.",
        ),
        answers=(
            "In a private window it works! So it must be something in my normal profile.",
            "Our IT found the mails in a quarantine folder and released them. The reset "
            "link has expired by now though.",
        ),
        solutions=(
            "An old session cookie from before our domain change confused the login. "
            "Clearing cookies for our site fixes it for good; I have also reset your "
            "sessions on our side.",
            "I have sent a fresh reset link that is valid for 24 hours, and asked your IT to "
            "allow-list our sending domain so this does not happen again.",
        ),
        notes=(
            "Known issue with legacy cookies after the domain move, see {jira}.",
            "Mail logs show 250 OK from the customer's gateway; their quarantine.",
        ),
    ),
    Topic(
        key="server_errors",
        group="Technical",
        types=("incident", "problem"),
        priorities=("high", "urgent", "urgent"),
        tags=("bug", "500_error", "outage"),
        fields=("product", "plan"),
        subjects=(
            "500 error when saving a report",
            "Internal server error on export",
            "Site throws errors for our whole team",
        ),
        openings=(
            "Every time I try to save a report I get 'Internal Server Error'. Request ID "
            "{request_id}. This started about an hour ago and affects my whole team.",
            "Exports to CSV fail with a 500 error for anything bigger than a few thousand "
            "rows. Small exports work.",
        ),
        asks=(
            "Thank you for the request ID, that helps a lot. Does it happen with every "
            "report or only with ones that have a date filter?",
            "Could you tell me roughly how many rows the failing export has and which "
            "columns are selected?",
        ),
        answers=(
            "Only reports with a date filter fail. Without the filter saving works.",
            "About {records} rows, all columns selected. With fewer columns it sometimes works.",
        ),
        solutions=(
            "Our engineers found the cause: a bug in the date filter introduced in "
            "yesterday's release. A fix is deployed, and saving reports works again.",
            "The export now runs in the background for large data sets and e-mails you a "
            "download link when it is ready. Your {records}-row export works again.",
        ),
        notes=(
            "Stack trace points at the report serializer; matches {jira}.",
            "Export times out after 30s in the web worker; engineering moved it to a job.",
        ),
    ),
    Topic(
        key="api_rate_limit",
        group="Technical",
        types=("question", "incident"),
        priorities=NORMAL,
        tags=("api", "rate_limit"),
        fields=("product", "plan"),
        subjects=(
            "429 Too Many Requests from the API",
            "API rate limit too low for sync",
            "Rate limit headers missing on {endpoint}",
        ),
        openings=(
            "Our nightly integration calls {endpoint} and started getting 429 responses "
            "after about {limit} requests. We did not change anything on our side.",
            "We are on the {plan} plan and our sync job hits your API rate limit within "
            "minutes. Can the limit be raised?",
        ),
        asks=(
            "The {plan} plan allows {limit} requests per minute per token. Are several jobs "
            "sharing the same token? Could you send the token prefix so I can check the "
            "traffic?",
            "Do you respect the Retry-After header when you get a 429? The logs show "
            "retries within the same second.",
        ),
        answers=(
            "Yes, three jobs share one token. The prefix is sd_{card}.",
            "We retry immediately, I did not know about Retry-After. Our developer will "
            "change that.",
        ),
        solutions=(
            "With one token per job and back-off on Retry-After you will stay well within "
            "the limit. I have also raised your limit to {limit} per minute for the next "
            "30 days while you roll out the change.",
            "I have documented the limits for {endpoint} in our API guide and enabled the "
            "bulk endpoint for your account, which needs far fewer calls for a sync.",
        ),
        notes=("Customer's sync hammers the API with no back-off; temporary limit raise ok'd.",),
    ),
    Topic(
        key="slow_sync",
        group="Technical",
        types=("incident", "problem"),
        priorities=NORMAL,
        tags=("sync", "performance"),
        fields=("product", "plan"),
        subjects=("Desktop sync very slow", "Changes take hours to show up", "Sync stuck at 99%"),
        openings=(
            "The desktop sync has become very slow this week. Changes made by colleagues "
            "take over an hour to show up on my machine ({os}).",
            "Sync has been stuck at 99% since yesterday. I restarted the app and my laptop, "
            "no change. Version {app_version}.",
        ),
        asks=(
            "Could you send the sync log? In the app, go to Help > Export diagnostics and "
            "attach the file here.",
            "How many files are in the synced folder, roughly? And is anything else using "
            "a lot of bandwidth on your network?",
        ),
        answers=(
            "Here is the diagnostics export. Around {records} files in the folder.",
            "About {records} files. Nothing special on the network, we are in an office "
            "with a good connection.",
        ),
        solutions=(
            "The log shows one file with a name the server rejects, which blocked the queue. "
            "Version {app_version} skips such files and reports them; please update and the "
            "sync will finish.",
            "The sync index on your account was out of date. I rebuilt it on our side; your "
            "app should finish syncing within {minutes} minutes.",
        ),
        notes=(
            "Index rebuild triggered from the admin console.",
            "Same symptom as {jira}: EU region sync workers lagging.",
        ),
    ),
    Topic(
        key="mobile_crash",
        group="Technical",
        types=("incident",),
        priorities=NORMAL,
        tags=("mobile", "crash", "bug"),
        fields=("product",),
        subjects=(
            "App crashes on startup",
            "Mobile app closes when opening attachments",
            "Crash after update to {app_version}",
        ),
        openings=(
            "Since the update to {app_version} the app crashes right after the splash screen "
            "on my {device}. Reinstalling did not help.",
            "Whenever I open a PDF attachment in the mobile app, the app closes. {device}, "
            "latest version.",
        ),
        asks=(
            "Thanks for reporting this. Which OS version does your {device} run? And does "
            "the crash also happen right after a fresh login?",
            "Could you enable Settings > Send crash reports in the app and reproduce the "
            "crash once? That sends us the details automatically.",
        ),
        answers=(
            "It is on the latest OS update. It crashes even before I can log in.",
            "Done, I enabled crash reports and reproduced it twice just now.",
        ),
        solutions=(
            "The crash reports pointed to a bug with large attachments on some devices. "
            "Version {app_version} fixing it is now in the app store; please update.",
            "We released a hotfix today that fixes the startup crash on your device. After "
            "updating, you will need to log in once more.",
        ),
        notes=("Crash reports grouped under {jira}; affects about 2% of sessions.",),
    ),
    Topic(
        key="sso",
        group="Technical",
        types=("question", "task"),
        priorities=NORMAL,
        tags=("sso", "saml", "enterprise"),
        fields=("plan",),
        subjects=(
            "Set up SSO with {idp}",
            "SAML login fails with invalid signature",
            "Enforce single sign-on for all users",
        ),
        openings=(
            "We want to connect {idp} for single sign-on. Where do we find the metadata URL "
            "and the entity ID on your side?",
            "After rotating the certificate in {idp}, SAML logins fail with 'invalid "
            "signature'. Users are locked out except the owner.",
        ),
        asks=(
            "SSO is available on the Business plan and above. You can find the metadata in "
            "Settings > Security > SSO. Which attributes does {idp} send for the e-mail?",
            "Did you upload the new certificate in Settings > Security > SSO as well? Could "
            "you send the certificate's fingerprint so I can compare?",
        ),
        answers=(
            "We send the e-mail as NameID and also as the 'email' attribute.",
            "I only changed it in {idp}. I will upload the new one now.",
        ),
        solutions=(
            "Your SSO connection is set up and verified. Once you have tested it with a "
            "second account you can enforce it for everyone in the same settings page.",
            "With the new certificate uploaded the signature checks pass again and everyone "
            "can log in. I recommend adding the next certificate before rotating it in {idp}.",
        ),
        notes=("Customer on {plan}; SSO trial enabled for 14 days.",),
    ),
    Topic(
        key="webhooks",
        group="Technical",
        types=("incident", "question"),
        priorities=NORMAL,
        tags=("api", "webhooks", "integration"),
        fields=("product",),
        subjects=(
            "Webhooks stopped arriving",
            "Webhook deliveries failing with timeout",
            "Duplicate webhook events",
        ),
        openings=(
            "Our endpoint has not received any webhooks since {month} {day}. Nothing changed "
            "on our side as far as I know.",
            "We receive each webhook event two or three times, which creates duplicate "
            "records in our system.",
        ),
        asks=(
            "Deliveries to your endpoint time out after 10 seconds, and after 50 failures in "
            "a row we pause the webhook. Does your endpoint do slow work before answering?",
            "Each delivery carries an event ID in the X-Event-Id header. Could you check "
            "whether the duplicates have the same ID?",
        ),
        answers=(
            "Yes, it writes to our database before answering. We will move that to a queue.",
            "They do have the same ID, so these are retries.",
        ),
        solutions=(
            "I have re-enabled the webhook and replayed the events since {month} {day}. "
            "Answering with 200 first and processing afterwards will keep it healthy.",
            "Retries happen when the first delivery is not acknowledged in time. Using the "
            "event ID to skip duplicates makes your handler safe; I have added this to our "
            "docs too.",
        ),
        notes=("Webhook auto-paused after 50 timeouts; replayed backlog.",),
    ),
)
