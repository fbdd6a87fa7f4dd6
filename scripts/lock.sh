#!/usr/bin/env bash
# Regenerate the lock files that scripts/setup.sh installs from:
#   requirements/lock-py<MAJOR><MINOR>-<platform>-<machine>.txt
# one per Python, each pinning every distribution of nzsim's dependencies, its test extra and its
# build requirements (setuptools, wheel) to one version with the sha256 of every file of it.
#
#   bash scripts/lock.sh                         # for python3.13 and python3.12, keeping current pins
#   bash scripts/lock.sh /path/to/python3.14     # a lock for another Python
#   bash scripts/lock.sh -- --upgrade            # move every pin to the newest release allowed
#   bash scripts/lock.sh -- --upgrade-package scipy
#
# Arguments after "--" go to pip-compile. The tool is pip-tools' pip-compile at a fixed version,
# run in a throwaway virtual environment made with the Python that the lock is for (so markers,
# wheels and the resolution are that Python's), with this machine's pip configuration. Existing pins
# are kept unless pip-compile is told to upgrade them or pyproject.toml no longer allows them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PIP_TOOLS_VERSION=7.6.2
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The command pip-compile names in the header of each lock.
export CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh"

pythons=()
while [ "$#" -gt 0 ]; do
    if [ "$1" = "--" ]; then
        shift
        break
    fi
    pythons+=("$1")
    shift
done
if [ "${#pythons[@]}" -eq 0 ]; then
    for name in python3.13 python3.12; do
        if command -v "$name" >/dev/null 2>&1 && "$name" -c 'import sys' 2>/dev/null; then
            pythons+=("$(command -v "$name")")
        fi
    done
fi
if [ "${#pythons[@]}" -eq 0 ]; then
    echo "nzsim lock: error: no python3.13 or python3.12 found; name the interpreter: bash scripts/lock.sh /path/to/python" >&2
    exit 1
fi

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT

mkdir -p requirements
for py in "${pythons[@]}"; do
    # The same name scripts/setup.sh looks for (nzsim.version.lock_name()).
    tag=$("$py" -c 'import platform, sys; v = sys.version_info; print(f"py{v[0]}{v[1]}-{sys.platform}-{platform.machine().lower()}")')
    out="requirements/lock-$tag.txt"
    echo "nzsim lock: $out (Python $("$py" -c 'import platform; print(platform.python_version())') from $py)" >&2
    venv="$tools/$tag"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q "pip-tools==$PIP_TOOLS_VERSION" </dev/null
    "$venv/bin/pip-compile" --quiet \
        --generate-hashes --allow-unsafe --strip-extras \
        --extra test --extra bench --build-deps-for editable \
        --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
        --output-file "$out" "$@" pyproject.toml </dev/null
    echo "nzsim lock: $out: $(grep -c '^[A-Za-z0-9]' "$out") pins, sha256 $(sha256sum "$out" | cut -d' ' -f1)" >&2
done
