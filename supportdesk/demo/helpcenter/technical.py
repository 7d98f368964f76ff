"""Help-center articles about the desktop sync, the mobile apps and developers."""

from __future__ import annotations

from supportdesk.demo.helpcenter.base import JAMIE, JONAS, PRIYA, Doc

SYNC = (
    Doc(
        slug="sync-errors",
        section="Desktop sync",
        title="Sync is slow or stuck",
        tags=("sync", "desktop", "performance"),
        owner=JONAS,
        views=92,
        votes=(12, 6),
        body="""\
## Symptom

Changes from colleagues take hours to appear, or the desktop app shows **Syncing... 99%**
and never finishes, even after a restart.

## Cause

Usually one of these:

- A file whose name our servers refuse (for example a name ending in a space or a dot)
  blocks the queue behind it. Older app versions retry that file forever.
- The sync index of your account is out of date after a large move or rename.
- Another program uses most of your bandwidth.

## Fix

1. Update the desktop app: **Help > Check for updates**. Current versions skip refused
   files and list them under **Activity > Problems**.
2. Rename the files listed there; the sync finishes by itself.
3. Still stuck? Choose **Help > Export diagnostics** and attach the file to a request.
   We can rebuild your sync index from our side, which takes a few minutes.

> **Note:** folders with more than 100,000 files sync more slowly; pick fewer folders
> under **Preferences > Selective sync**.
""",
    ),
    Doc(
        slug="legacy-sync-client",
        section="Desktop sync",
        title="Install the legacy sync client 2.x",
        tags=("sync", "desktop", "legacy"),
        owner=JONAS,
        state="archived",
        views=14,
        body="""\
*Archived: version 2.x is no longer supported. Point customers to the current app and
[Sync is slow or stuck](/help/articles/sync-errors/).*

Some teams kept the 2.x client for older operating systems that the current app no
longer runs on.

## Install

1. Download the 2.x installer from **Settings > Downloads > Older versions**.
2. Quit any running sync client, including the current app.
3. Run the installer and sign in with your e-mail and password (2.x does not support
   single sign-on).
4. Choose the folders to sync.

Do not run 2.x and the current app on one computer: both sync the same folder.
""",
    ),
)

MOBILE = (
    Doc(
        slug="mobile-notifications",
        section="Mobile apps",
        title="Get notifications on your phone",
        tags=("mobile", "notifications", "ios", "android"),
        owner=PRIYA,
        views=48,
        votes=(7, 3),
        body="""\
The mobile apps can tell you about mentions, comments and shared files as they happen.

## Choose what you hear about

1. In the app, open **Settings > Notifications**.
2. Turn on the kinds you want: mentions, replies, shared files.
3. Optionally set **Quiet hours**, for example 19:00 to 08:00.

## No notifications arrive

| Phone | Check |
| --- | --- |
| iPhone / iPad | **Settings > Notifications**: the app may notify, no Focus mode hides it |
| Android | **Settings > Apps**: notifications on, battery use *Unrestricted* |
| Both | You are signed in, and mobile alerts are on in **Profile > Notifications** |

Signing out and in again registers your phone anew, which fixes most remaining cases.
""",
    ),
    Doc(
        slug="mobile-app-crashes",
        section="Mobile apps",
        title="The mobile app crashes",
        tags=("mobile", "crash", "bug"),
        owner=PRIYA,
        views=36,
        votes=(5, 2),
        body="""\
## Symptom

The app closes right after the splash screen, or whenever you open an attachment.

## Cause

Crashes are nearly always bugs on our side that affect some devices or files. We fix them
quickly, but we need the details of your device to find them.

## Fix

1. Update the app from the App Store or Google Play; the fix may already be there.
2. In the app, turn on **Settings > Send crash reports** and make the crash happen once
   more. The report reaches our engineers automatically.
3. Tell us your device, its system version and the app version (**Settings > About**).

After an update that fixes a crash you may need to sign in once more.
""",
    ),
)

DEVELOPERS = (
    Doc(
        slug="api-tokens-and-rate-limits",
        section="API and webhooks",
        title="API tokens and rate limits",
        tags=("api", "rate_limit", "token"),
        owner=JAMIE,
        views=64,
        votes=(9, 2),
        stale=True,
        body="""\
## Create a token

1. Go to **Settings > API tokens** and choose **New token**.
2. Name it after the job that uses it, for example "nightly CRM sync".
3. Copy the token now: we show it **once** and store only a fingerprint. Tokens start
   with `sd_`.

Use **one token per job or integration**: limits count per token, and you can revoke one
without breaking the others.

## Rate limits

| Plan | Requests per minute, per token |
| --- | --- |
| Starter | 60 |
| Team | 300 |
| Business | 1,000 |
| Enterprise | By agreement |

Every response carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`. Over the limit,
you get **429 Too Many Requests** with a `Retry-After` header: wait that many seconds
before the next call. Retrying at once only extends the wait.

For syncs, use the bulk endpoint `/v2/sync/changes`, which returns many changes per call.
""",
    ),
    Doc(
        slug="webhook-deliveries",
        section="API and webhooks",
        title="Webhooks: deliveries, retries and duplicates",
        tags=("webhooks", "api", "integration"),
        owner=PRIYA,
        views=41,
        votes=(6, 1),
        body="""\
We send each event to your endpoint as a `POST` with a JSON body.

## Answer fast

Your endpoint must answer with a `2xx` status within **10 seconds**. Return `200` first
and do the slow work (database writes, calls to other systems) afterwards, for example
through a queue.

## Retries and pausing

A delivery that times out or fails is retried with growing pauses. After **50 failures in
a row** we pause the webhook and e-mail the workspace admins. To resume:

1. Fix the endpoint.
2. Open **Settings > Webhooks** and choose **Resume**.
3. Choose **Replay** to send the events you missed.

## Duplicates

Because of retries, an event can arrive more than once. Each delivery carries its event
ID in the `X-Event-Id` header: store the IDs you have handled and skip repeats.
""",
    ),
    Doc(
        slug="set-up-single-sign-on",
        section="Single sign-on",
        title="Set up single sign-on (SAML)",
        tags=("sso", "saml", "security"),
        owner=JONAS,
        views=55,
        votes=(8, 2),
        body="""\
Single sign-on lets your team sign in through Okta, Microsoft Entra ID, Google Workspace
or any SAML 2.0 identity provider. It is part of the **Business** and **Enterprise** plans.

## Connect your identity provider

1. In **Settings > Security > SSO**, copy our **metadata URL** and **entity ID**.
2. Create a SAML app in your identity provider with them.
3. Send the e-mail address as the **NameID** (and, if you like, as an `email` attribute).
4. Upload your provider's metadata or certificate back in **Settings > Security > SSO**.
5. Press **Test** and sign in with a second account before going further.

## Enforce it

Once the test works, turn on **Require SSO**. The owner can still sign in with a password,
so nobody is locked out when the provider is down.

> **Note:** when you rotate the signing certificate, upload the new one here **before**
> switching in your provider. Otherwise sign-ins fail with "invalid signature".
""",
    ),
)
