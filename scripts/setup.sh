#!/usr/bin/env bash
# Set up .venv with a Python >= 3.12 found on this machine and install nzsim
# (editable, with the test extras) into it.
#
# Interpreter search order (each candidate is actually executed, so pyenv
# shims for versions that are not selected are skipped):
#   1. $NZSIM_PYTHON, if set
#   2. python3.13, python3.12, python3, python on PATH
#   3. $(pyenv root)/versions/*/bin/python, newest first
#      (${PYENV_ROOT:-$HOME/.pyenv}/versions/*/bin/python if pyenv is not on PATH)
# A candidate counts if it reports version >= 3.12 and can import venv; if
# creating the virtual environment with it fails, the next one is tried.
#
# Idempotent: an existing .venv is kept if its python is >= 3.12, and the pip
# install is skipped while .venv/.nzsim-installed is newer than pyproject.toml.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.nzsim-installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf 'nzsim setup: %s\n' "$*" >&2; }
warn() { printf 'nzsim setup: warning: %s\n' "$*" >&2; }

# Prints "<major.minor.micro> <executable>" and exits 0 if the interpreter is
# >= 3.12 and has the venv module; exits non-zero otherwise.
PROBE='
import sys
v = sys.version_info
print("%d.%d.%d %s" % (v[0], v[1], v[2], sys.executable))
if v < (3, 12):
    sys.exit(3)
import venv  # noqa: F401
'

rejected=()

# probe CANDIDATE -> sets probe_out; returns 0 if usable.
probe() {
    local cand=$1 out rc=0
    out=$("$cand" -c "$PROBE" </dev/null 2>/dev/null) || rc=$?
    probe_out=$out
    if [ "$rc" -eq 0 ] && [ -n "$out" ]; then
        return 0
    fi
    if [ "$rc" -eq 3 ]; then
        rejected+=("$cand (Python ${out%% *}: too old)")
    elif [ -n "$out" ]; then
        rejected+=("$cand (Python ${out%% *}: no venv module)")
    else
        rejected+=("$cand (does not run)")
    fi
    return 1
}

# List candidate interpreters, one per line, in search order.
list_candidates() {
    if [ -n "${NZSIM_PYTHON:-}" ]; then
        printf '%s\n' "$NZSIM_PYTHON"
    fi
    local name
    for name in python3.13 python3.12 python3 python; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
        fi
    done
    local root
    for root in "${pyenv_roots[@]}"; do
        [ -d "$root/versions" ] || continue
        # Version directory names, newest first.
        find "$root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null \
            | sort -V -r \
            | while IFS= read -r v; do
                if [ -x "$root/versions/$v/bin/python" ]; then
                    printf '%s\n' "$root/versions/$v/bin/python"
                fi
            done
    done
}

pyenv_roots=()
if command -v pyenv >/dev/null 2>&1; then
    r=$(pyenv root 2>/dev/null </dev/null || true)
    if [ -n "$r" ]; then
        pyenv_roots+=("$r")
    fi
fi
if [ "${#pyenv_roots[@]}" -eq 0 ]; then
    pyenv_roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
fi

# ---------------------------------------------------------------------------
# Re-use an existing .venv if it is sound and (when NZSIM_PYTHON is set) was
# made from that interpreter.
venv_ok=0
if [ -x "$VENV/bin/python" ] && venv_info=$("$VENV/bin/python" -c '
import importlib.util, sys
if sys.version_info < (3, 12) or importlib.util.find_spec("pip") is None:
    sys.exit(1)
v = sys.version_info
print("%d.%d.%d" % (v[0], v[1], v[2]))
print(sys.base_prefix)
print(getattr(sys, "_base_executable", sys.executable))
' </dev/null 2>/dev/null); then
    venv_ok=1
    { IFS= read -r venv_version; IFS= read -r venv_base_prefix; IFS= read -r venv_base_exe; } <<<"$venv_info"
    if [ -n "${NZSIM_PYTHON:-}" ]; then
        if want_prefix=$("$NZSIM_PYTHON" -c 'import sys; print(sys.base_prefix)' </dev/null 2>/dev/null) \
            && probe "$NZSIM_PYTHON"; then
            if [ "$want_prefix" != "$venv_base_prefix" ]; then
                say "existing .venv was made from $venv_base_exe, not NZSIM_PYTHON=$NZSIM_PYTHON; recreating it"
                venv_ok=0
            fi
        else
            warn "NZSIM_PYTHON=$NZSIM_PYTHON is not a usable Python >= 3.12; keeping the existing .venv"
        fi
    fi
elif [ -e "$VENV" ]; then
    say "existing .venv is unusable (no Python >= 3.12 with pip in it); recreating it"
fi

if [ "$venv_ok" -eq 1 ]; then
    say "using existing .venv (Python $venv_version, from $venv_base_exe)"
else
    rm -rf "$VENV"
    created=0
    seen=" "
    while IFS= read -r cand; do
        # Skip exact duplicates (e.g. the same path via two routes).
        case "$seen" in *" $cand "*) continue ;; esac
        seen="$seen$cand "
        probe "$cand" || {
            if [ "$cand" = "${NZSIM_PYTHON:-}" ]; then
                warn "NZSIM_PYTHON=$NZSIM_PYTHON is not a usable Python >= 3.12; searching further"
            fi
            continue
        }
        version=${probe_out%% *}
        exe=${probe_out#* }
        if venv_err=$("$exe" -m venv "$VENV" </dev/null 2>&1); then
            if [ "$cand" = "$exe" ]; then
                say "using Python $version from $exe"
            else
                say "using Python $version from $exe (found as $cand)"
            fi
            created=1
            break
        fi
        warn "creating .venv with $exe failed: $(printf '%s' "$venv_err" | tail -n 1)"
        rejected+=("$cand (Python $version: 'python -m venv' failed)")
        rm -rf "$VENV"
    done < <(list_candidates)

    if [ "$created" -eq 0 ]; then
        {
            echo "nzsim setup: error: no usable Python >= 3.12 (one that runs, has the venv module and can create .venv) found."
            echo "  Looked for: \$NZSIM_PYTHON (${NZSIM_PYTHON:-unset}); python3.13, python3.12, python3, python on PATH;"
            for root in "${pyenv_roots[@]}"; do
                echo "              $root/versions/*/bin/python"
            done
            if [ "${#rejected[@]}" -gt 0 ]; then
                echo "  Rejected:"
                for r in "${rejected[@]}"; do
                    echo "    $r"
                done
            fi
            echo "  Fix: install Python 3.12 or newer (e.g. 'pyenv install 3.12', or your OS's"
            echo "       python3.12 and python3.12-venv packages), or point NZSIM_PYTHON at one:"
            echo "       NZSIM_PYTHON=/path/to/python3.12 bash scripts/setup.sh"
        } >&2
        exit 1
    fi
fi

# ---------------------------------------------------------------------------
if ! { [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ] && [ -x "$VENV/bin/nzsim" ]; }; then
    rm -f "$STAMP"
    "$VENV/bin/python" -m pip install -q -e '.[test]' </dev/null
    touch "$STAMP"
fi

# ---------------------------------------------------------------------------
# The dashboard's browser files. Solara's page loads its scripts from a public CDN, which a
# computer without internet cannot reach; they are npm packages, so they are put into Solara's
# asset folder (.venv/share/solara/cdn) here, from the npm registry, once. `nzsim dashboard`
# never downloads: it says what is missing and points here. A failure only warns (the rest of
# nzsim does not need these files).
if ! "$VENV/bin/python" -m nzsim.teaching.browser_files --browser-files-present </dev/null; then
    if command -v npm >/dev/null 2>&1; then
        say "installing the dashboard's browser files with npm (once)"
        "$VENV/bin/python" -m nzsim.teaching.browser_files --install-browser-files </dev/null \
            || warn "installing the dashboard's browser files failed; 'nzsim dashboard' will say what is missing"
    else
        warn "npm is not installed: the dashboard's browser files cannot be put in place ('nzsim dashboard' needs them)"
    fi
fi
