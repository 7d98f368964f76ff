"""Settings for the test suite: a throwaway data folder, jobs run inline, fast hashing."""

import os
import tempfile

os.environ.setdefault("SUPPORTDESK_DATA_DIR", tempfile.mkdtemp(prefix="supportdesk-test-"))
os.environ["HUEY_IMMEDIATE"] = "true"

from supportdesk.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
