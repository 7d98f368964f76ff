#!/usr/bin/env bash
# Makes sure the Debian packages the test suite drives are here: PostgreSQL 15 (a
# throwaway cluster), Chromium (browser tests) and dovecot-imapd (IMAP polling tests). As root it installs them; otherwise it
# says what to install. In CI (CI=true) a missing one fails the run: tests never skip.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
missing=()
[ -x "$PGBIN/initdb" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "supportdesk tests need these Debian packages: ${missing[*]}" >&2
echo "install them with: sudo apt-get install ${missing[*]}" >&2
[ "${CI:-}" = true ] && exit 1
exit 0
