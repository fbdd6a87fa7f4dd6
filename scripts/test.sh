#!/usr/bin/env bash
# Set up .venv (see scripts/setup.sh) and run the test suite:
#   bash scripts/test.sh [PYTEST_ARGS...]
# Exits with pytest's status; "no tests collected" (pytest exit 5) is a failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

# --- Browser for dashboard tests -------------------------------------------
# The dashboard tests in tests/browser/ drive Debian's Chromium (/usr/bin/chromium).
# If it is missing, it is installed with apt-get when this script runs as root
# on a machine with apt-get; otherwise the browser tests skip themselves. It is
# a no-op without a tests/browser/ directory and when NZSIM_SKIP_BROWSER=1. A
# failed install only prints a warning: it never fails this script.
ensure_browser() {
    [ -d tests/browser ] || return 0
    [ "${NZSIM_SKIP_BROWSER:-}" = 1 ] && return 0
    [ -x /usr/bin/chromium ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "nzsim test: warning: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get)" >&2
        return 0
    fi
    echo "nzsim test: installing chromium for the dashboard tests"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } </dev/null; then
        echo "nzsim test: warning: installing chromium failed; browser tests may fail or be skipped" >&2
    fi
    return 0
}
ensure_browser

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "nzsim test: error: pytest ran no tests (exit status 5)" >&2
fi
exit "$status"
