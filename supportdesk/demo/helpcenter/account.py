"""Help-center articles about signing in and looking after a workspace."""

from __future__ import annotations

from supportdesk.demo.helpcenter.base import ADMIN, PRIYA, SOFIA, Doc

SIGNING_IN = (
    Doc(
        slug="reset-your-password",
        section="Signing in",
        title="Reset your password",
        tags=("password", "login", "sign-in"),
        owner=ADMIN,
        views=184,
        votes=(31, 4),
        body="""\
Forgot your password? You can set a new one yourself in a minute.

## Request a reset link

1. Open the sign-in page and choose **Forgot password?**
2. Enter the e-mail address you sign in with and press **Send link**.
3. Open the e-mail from us and follow the link within **24 hours**.
4. Choose a new password of at least 12 characters and sign in.

The link works once. If you ask for several links, only the newest one is valid.

## The e-mail does not arrive

- Check your spam or junk folder.
- Many company mail servers hold messages in a **quarantine** folder. Ask your IT team to
  release our message and to allow-list our sending domain, so it does not happen again.
- Make sure you typed the address your account uses; we do not say whether an address
  has an account.

> **Note:** if your workspace uses single sign-on, you sign in through your company's
> identity provider and change your password there, not with us.

Still stuck? [Send us a request](/requests/new/) and tell us when you last asked for a link.
""",
    ),
    Doc(
        slug="two-factor-sign-in",
        section="Signing in",
        title="Turn on two-factor sign-in",
        tags=("2fa", "security", "login"),
        owner=SOFIA,
        views=121,
        votes=(18, 2),
        body="""\
Two-factor sign-in asks for a six-digit code from your phone after your password, so a
stolen password alone is not enough to get in.

## Turn it on

1. Go to **Profile > Security** and choose **Turn on two-factor sign-in**.
2. Scan the QR code with an authenticator app (any app that supports TOTP codes works).
3. Type the code the app shows to confirm.
4. **Save your backup codes** in a password manager or print them. Each code works once.

## New phone

Before you reset your old phone, open **Profile > Security** and choose **Move to a new
device**, then scan the new QR code. Moving the authenticator app by backup alone often
loses the codes.

## Lost your phone?

Sign in with one of your backup codes and set up two-factor sign-in again. Without backup
codes, ask another admin of your workspace to contact us, or write to us from your
account's e-mail address. For your security we verify every request before we reset
two-factor sign-in, and we sign out all your sessions when we do.
""",
    ),
    Doc(
        slug="login-page-keeps-reloading",
        section="Signing in",
        title="The sign-in page keeps reloading",
        tags=("login", "cookies", "browser"),
        owner=PRIYA,
        views=67,
        votes=(12, 3),
        body="""\
## Symptom

You enter your e-mail and password, the page reloads, and you are back on the sign-in
screen without an error message.

## Cause

Almost always an old session cookie in your browser, for example one saved before we moved
to our current domain. The browser keeps sending it, and it wins over the new sign-in.

## Fix

1. Try signing in from a **private window**. If that works, the cookie is the culprit.
2. Clear the cookies and site data for our site only (in Chrome: the lock icon in the
   address bar > **Cookies and site data**).
3. Close all our tabs, open a new one and sign in again.

If a private window shows the same loop, disable browser extensions that block cookies
or scripts and try once more. Still looping? Tell us your browser, its version and the
time of your last attempt, so we can find it in our logs.
""",
    ),
    Doc(
        slug="verify-identity-before-2fa-reset",
        section="Signing in",
        title="Verifying identity before a two-factor reset",
        tags=("2fa", "security", "runbook"),
        owner=SOFIA,
        visibility="internal",
        views=23,
        body="""\
Resetting two-factor sign-in hands an account to whoever asked, so we never do it on the
requester's word alone.

## Accept one of these

| Proof | How |
| --- | --- |
| Second admin | Another admin of the same workspace confirms in the ticket |
| Account address | Sent from the account e-mail **and** names the last invoice's date |
| Letter | Signed by a director, on letterhead, for single-admin workspaces |

A phone call, a new e-mail address or urgency is never enough.

## Then

1. Reset two-factor sign-in in the admin console.
2. Sign out all of the user's sessions.
3. Add an internal note: "Identity verified via ..." and which proof you used.
4. Tell the customer to store the new backup codes safely.
""",
    ),
)

WORKSPACE = (
    Doc(
        slug="transfer-workspace-ownership",
        section="Your workspace",
        title="Transfer workspace ownership",
        tags=("account", "ownership", "admin"),
        owner=SOFIA,
        views=44,
        votes=(7, 1),
        body="""\
Every workspace has exactly one owner, who manages billing and can close the workspace.

## Hand over ownership yourself

1. Make sure the new owner already has an account in the workspace and is an **admin**.
   Ownership can only go to an existing admin.
2. As the current owner, open **Settings > Members**.
3. Open the new owner's menu and choose **Make owner**, then confirm with your password.

You stay an admin afterwards; you can leave or be removed like any other member.

## The owner has left the company

Write to us from an admin account. We need either a confirmation from the previous owner
or a short letter on company letterhead, signed by a director, that names the new owner.
We check the letter and transfer ownership, usually within one business day.
""",
    ),
    Doc(
        slug="export-your-data",
        section="Your workspace",
        title="Export your data",
        tags=("export", "gdpr", "privacy"),
        owner=ADMIN,
        views=58,
        votes=(9, 2),
        body="""\
You can take a full copy of your workspace at any time, on every plan.

## Export the workspace

1. Go to **Settings > Data > Export**.
2. Choose what to include: files, comments, members and the activity log.
3. Press **Start export**. Large workspaces take a while; we e-mail you when it is ready.
4. Download the archive from the link in the e-mail. The link works for **7 days**.

The archive holds CSV files and your files in their original format.

## Personal data requests (GDPR)

Anyone can ask for a copy of the personal data we hold about them. Write to us from the
address on the account; if the request is about a colleague, an admin of the workspace
confirms it. We answer within **30 days**, with a download link sent to the account
address.
""",
    ),
    Doc(
        slug="delete-your-account",
        section="Your workspace",
        title="Delete your account or workspace",
        tags=("account", "deletion", "gdpr"),
        owner=ADMIN,
        views=39,
        votes=(6, 1),
        body="""\
Deleting is permanent. If you might need your data later,
[export it](/help/articles/export-your-data/) first.

## Leave a workspace

Open **Profile > Account** and choose **Delete my account**. Your comments stay in the
workspace under "Former member".

## Close the whole workspace

Only the owner can do this.

1. Cancel any paid plan under **Settings > Billing**.
2. Go to **Settings > Workspace** and choose **Close workspace**.
3. Type the workspace name to confirm.

## What happens next

| When | What |
| --- | --- |
| At once | Nobody can sign in any more |
| Within 30 days | All data is deleted from our systems |
| Within 35 days | The last backups holding it expire |

You get an e-mail when the deletion is complete.
""",
    ),
    Doc(
        slug="schedule-recurring-exports",
        section="Your workspace",
        title="Schedule recurring exports",
        tags=("export", "automation"),
        owner=ADMIN,
        state="draft",
        body="""\
*Draft: the feature ships with the next release. Check the menu names before publishing.*

Business and Enterprise workspaces will be able to run the export every night or every
week and deliver it to an S3 bucket or an SFTP server, so a copy of your data is always
somewhere you control.

## Set up a schedule

1. Go to **Settings > Data > Scheduled exports**.
2. Choose the schedule: daily at a time you pick, or weekly on a weekday.
3. Choose the destination and enter its address and credentials.
4. Press **Test connection**, then **Save**.

Each run replaces nothing: exports are stored side by side, named by date. We e-mail the
owner when a run fails.
""",
    ),
)
