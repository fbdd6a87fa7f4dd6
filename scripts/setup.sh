#!/usr/bin/env bash
# Set up .venv with a Python >= 3.12 found on this machine and install nzsim into it (editable, with
# the test extras), every distribution pinned by the lock for that Python and checked by its sha256:
#   requirements/lock-py<MAJOR><MINOR>-<platform>-<machine>.txt   (scripts/lock.sh regenerates them)
#
# Interpreter search order (each candidate is actually executed, so pyenv
# shims for versions that are not selected are skipped):
#   1. $NZSIM_PYTHON, if set
#   2. python3.13, python3.12, python3, python on PATH
#   3. $(pyenv root)/versions/*/bin/python, newest first
#      (${PYENV_ROOT:-$HOME/.pyenv}/versions/*/bin/python if pyenv is not on PATH)
# A candidate counts if it reports version >= 3.12, can import venv and has a lock; if creating the
# virtual environment with it fails, the next one is tried.
#
# A Python with no lock is refused (NZSIM_PYTHON naming one is an error) unless NZSIM_UNLOCKED=1:
# then, if no candidate has a lock, the first usable one is taken and nzsim is installed from
# pyproject.toml's version ranges, with a warning, and no lock is recorded (nzsim.version.lock_sha256()
# is None, and so is the lock hash in every run's manifest).
#
# Steps, each announced with an estimate of its time: (1) find the Python and create .venv,
# (2) install the lock with `pip install --require-hashes --only-binary :all:`, (3) install nzsim itself
# with --no-deps, (4) the dashboard's browser files from npm, (5) compile the public's numba kernels. After step 2, .venv/nzsim-lock.json records
# the lock's name and sha256 (read by nzsim.version.lock_sha256()).
#
# Idempotent: an existing .venv is kept if its python is >= 3.12 (and has a lock); step 2 runs only
# when the lock's sha256 differs from the one recorded, step 3 only when that ran or pyproject.toml
# is newer than .venv/.nzsim-installed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.nzsim-installed"
RECORD="$VENV/nzsim-lock.json"
export PIP_DISABLE_PIP_VERSION_CHECK=1
started=$SECONDS

say() { printf 'nzsim setup: %s\n' "$*" >&2; }
warn() { printf 'nzsim setup: warning: %s\n' "$*" >&2; }
step() { printf 'nzsim setup: [%s] %s\n' "$1" "$2" >&2; }
took() { printf 'nzsim setup:       done in %ss\n' "$(( SECONDS - $1 ))" >&2; }

# Prints "<major.minor.micro> <lock tag> <executable>" and exits 0 if the interpreter is >= 3.12 and
# has the venv module; exits non-zero otherwise. The tag names the lock for that Python and platform
# (the same as nzsim.version.lock_name()).
PROBE='
import platform, sys
v = sys.version_info
print("%d.%d.%d py%d%d-%s-%s %s" % (v[0], v[1], v[2], v[0], v[1], sys.platform, platform.machine().lower(), sys.executable))
if v < (3, 12):
    sys.exit(3)
import venv  # noqa: F401
'

lock_for() { printf 'requirements/lock-%s.txt' "$1"; }
locks_here() {
    local f found=""
    for f in requirements/lock-*.txt; do
        [ -f "$f" ] && found="$found ${f#requirements/lock-}"
    done
    found=${found//.txt/}
    printf '%s' "${found:- none}"
}

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

no_lock_error() {  # PYTHON VERSION TAG
    {
        echo "nzsim setup: error: there is no lock for Python $2 on this platform ($(lock_for "$3") is missing; locks here:$(locks_here))."
        echo "  The setup installs only pinned, hash-checked versions. Either:"
        echo "    - use a Python that has a lock (see above): NZSIM_PYTHON=/path/to/that/python bash scripts/setup.sh"
        echo "    - make a lock for this one and commit it: bash scripts/lock.sh $1"
        echo "    - or install unpinned from pyproject.toml's ranges, knowingly: NZSIM_UNLOCKED=1 bash scripts/setup.sh"
    } >&2
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

unlocked_ok=0
[ "${NZSIM_UNLOCKED:-}" = 1 ] && unlocked_ok=1

# ---------------------------------------------------------------------------
# Step 1: the Python and .venv. Re-use an existing .venv if it is sound, has a lock (or
# NZSIM_UNLOCKED=1) and (when NZSIM_PYTHON is set) was made from that interpreter.
step 1/5 "finding a Python >= 3.12 with a lock and creating .venv (a few seconds)"
t=$SECONDS
venv_ok=0
if [ -x "$VENV/bin/python" ] && venv_info=$("$VENV/bin/python" -c '
import importlib.util, platform, sys
if sys.version_info < (3, 12) or importlib.util.find_spec("pip") is None:
    sys.exit(1)
v = sys.version_info
print("%d.%d.%d" % (v[0], v[1], v[2]))
print("py%d%d-%s-%s" % (v[0], v[1], sys.platform, platform.machine().lower()))
print(sys.base_prefix)
print(getattr(sys, "_base_executable", sys.executable))
' </dev/null 2>/dev/null); then
    venv_ok=1
    { IFS= read -r venv_version; IFS= read -r venv_tag; IFS= read -r venv_base_prefix; IFS= read -r venv_base_exe; } <<<"$venv_info"
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
    if [ "$venv_ok" -eq 1 ] && [ ! -f "$(lock_for "$venv_tag")" ] && [ "$unlocked_ok" -eq 0 ]; then
        say "existing .venv has Python $venv_version, for which there is no lock ($(lock_for "$venv_tag")); recreating it"
        venv_ok=0
    fi
elif [ -e "$VENV" ]; then
    say "existing .venv is unusable (no Python >= 3.12 with pip in it); recreating it"
fi

if [ "$venv_ok" -eq 1 ]; then
    say "using existing .venv (Python $venv_version, from $venv_base_exe)"
    tag=$venv_tag
else
    rm -rf "$VENV"
    # Usable candidates, "<version> <tag> <exe>" per line, in search order, each once.
    usable=()
    seen=" "
    while IFS= read -r cand; do
        # Skip exact duplicates (e.g. the same path via two routes).
        case "$seen" in *" $cand "*) continue ;; esac
        seen="$seen$cand "
        if ! probe "$cand"; then
            if [ "$cand" = "${NZSIM_PYTHON:-}" ]; then
                warn "NZSIM_PYTHON=$NZSIM_PYTHON is not a usable Python >= 3.12; searching further"
            fi
            continue
        fi
        v=${probe_out%% *}; rest=${probe_out#* }; ptag=${rest%% *}; exe=${rest#* }
        if [ "$cand" = "${NZSIM_PYTHON:-}" ] && [ ! -f "$(lock_for "$ptag")" ] && [ "$unlocked_ok" -eq 0 ]; then
            no_lock_error "$NZSIM_PYTHON" "$v" "$ptag"
            exit 1
        fi
        usable+=("$v $ptag $cand $exe")
    done < <(list_candidates)

    # Those with a lock first; with NZSIM_UNLOCKED=1 (or for NZSIM_PYTHON) the others after them.
    ordered=()
    for u in "${usable[@]}"; do
        read -r v ptag cand exe <<<"$u"
        if [ -f "$(lock_for "$ptag")" ]; then
            ordered+=("$u")
        elif [ "$unlocked_ok" -eq 0 ]; then
            rejected+=("$cand (Python $v: no lock $(lock_for "$ptag"))")
        fi
    done
    if [ "$unlocked_ok" -eq 1 ]; then
        for u in "${usable[@]}"; do
            read -r v ptag cand exe <<<"$u"
            [ -f "$(lock_for "$ptag")" ] || ordered+=("$u")
        done
    fi

    created=0
    for u in "${ordered[@]}"; do
        read -r version tag cand exe <<<"$u"
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
    done

    if [ "$created" -eq 0 ]; then
        {
            echo "nzsim setup: error: no usable Python >= 3.12 (one that runs, has the venv module, has a lock and can create .venv) found."
            echo "  Looked for: \$NZSIM_PYTHON (${NZSIM_PYTHON:-unset}); python3.13, python3.12, python3, python on PATH;"
            for root in "${pyenv_roots[@]}"; do
                echo "              $root/versions/*/bin/python"
            done
            echo "  Locks here (requirements/lock-*.txt):$(locks_here)"
            if [ "${#rejected[@]}" -gt 0 ]; then
                echo "  Rejected:"
                for r in "${rejected[@]}"; do
                    echo "    $r"
                done
            fi
            echo "  Fix: install a Python that has a lock (e.g. 'pyenv install 3.13', or your OS's"
            echo "       python3.13 and python3.13-venv packages), or point NZSIM_PYTHON at one:"
            echo "       NZSIM_PYTHON=/path/to/python3.13 bash scripts/setup.sh"
            echo "       (for a Python with no lock: 'bash scripts/lock.sh /path/to/python' makes one;"
            echo "       NZSIM_UNLOCKED=1 installs unpinned from pyproject.toml's ranges instead)"
        } >&2
        exit 1
    fi
fi
took "$t"

# ---------------------------------------------------------------------------
# Step 2: the pinned distributions. Step 3: nzsim itself, editable, with --no-deps (everything it
# needs came from the lock; its build backend, setuptools, too, hence --no-build-isolation).
lock=$(lock_for "$tag")
installed_now=0
if [ -f "$lock" ]; then
    want=$(sha256sum "$lock" | cut -d' ' -f1)
    have=$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["sha256"])' "$RECORD" 2>/dev/null </dev/null || true)
    if [ "$want" != "$have" ]; then
        rm -f "$RECORD" "$STAMP"
        n=$(grep -c '^[A-Za-z0-9]' "$lock")
        step 2/5 "installing $n pinned distributions from $lock, each checked against its sha256"
        say "      (about a minute here, 36 s measured without pip's cache; a few minutes where every file is"
        say "      downloaded; about 1.1 GB in .venv; seconds when pip's cache has them)"
        t=$SECONDS
        # pip's "Collecting"/"Processing" lines become one counted line per distribution; its warnings
        # about missing folders of a machine's local package index are left out.
        "$VENV/bin/python" -m pip install --require-hashes --only-binary :all: --progress-bar off \
            -r "$lock" </dev/null \
            2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$" >&2) \
            | { i=0
                while IFS= read -r line; do
                    case "$line" in
                        Collecting\ *) what=${line#Collecting }; what=${what%% *} ;;
                        Processing\ *.whl\ *) what=${line#Processing }; what=${what%% *}; what=${what##*/}
                            rest=${what#*-}; what="${what%%-*}==${rest%%-*}" ;;
                        *) continue ;;
                    esac
                    i=$((i + 1))
                    printf 'nzsim setup:       [%d/%d] %s\n' "$i" "$n" "$what" >&2
                done; }
        "$VENV/bin/python" - "$lock" "$want" "$RECORD" <<'PY'
import json, os, platform, sys
lock, sha, record = sys.argv[1:4]
with open(record + ".tmp", "w", encoding="utf-8") as f:
    json.dump({"lock": lock, "sha256": sha, "python": platform.python_version()}, f, indent=1)
    f.write("\n")
os.replace(record + ".tmp", record)
PY
        took "$t"
        installed_now=1
    else
        step 2/5 "the pinned distributions of $lock are installed already (sha256 ${want:0:12}...)"
    fi
    if [ "$installed_now" -eq 1 ] || ! { [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ] && [ -x "$VENV/bin/nzsim" ]; }; then
        rm -f "$STAMP"
        step 3/5 "installing nzsim itself, editable, with --no-deps (about 10 seconds)"
        t=$SECONDS
        "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e . </dev/null
        took "$t"
        # A dependency that pyproject.toml declares but the lock lacks (or pins outside its range).
        if ! problems=$("$VENV/bin/python" -m pip check 2>&1 </dev/null); then
            if printf '%s\n' "$problems" | grep -q '^nzsim '; then
                printf '%s\n' "$problems" | grep '^nzsim ' >&2
                echo "nzsim setup: error: pyproject.toml asks for what $lock does not give; regenerate it: bash scripts/lock.sh" >&2
                exit 1
            fi
            warn "pip check: $(printf '%s' "$problems" | head -n 3 | tr '\n' ';')"
        fi
        touch "$STAMP"
    else
        step 3/5 "nzsim is installed already"
    fi
else
    # Only reached with NZSIM_UNLOCKED=1.
    rm -f "$RECORD"
    {
        echo "nzsim setup: ************************************************************************"
        echo "nzsim setup: WARNING: NO LOCK for this Python ($lock is missing; locks here:$(locks_here))."
        echo "nzsim setup: NZSIM_UNLOCKED=1: installing from pyproject.toml's version ranges, unpinned and"
        echo "nzsim setup: without hash checks. Results may differ from a locked install, and no lock is"
        echo "nzsim setup: recorded (nzsim.version.lock_sha256() is None). 'bash scripts/lock.sh' makes a lock."
        echo "nzsim setup: ************************************************************************"
    } >&2
    if ! { [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ] && [ -x "$VENV/bin/nzsim" ]; }; then
        rm -f "$STAMP"
        step 2/5 "installing nzsim's dependencies unpinned, from pyproject.toml (about a minute here, a few minutes where every file is downloaded)"
        t=$SECONDS
        "$VENV/bin/python" -m pip install -q -e '.[test]' </dev/null \
            2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$" >&2)
        took "$t"
        touch "$STAMP"
    fi
    step 3/5 "nzsim itself was installed with them"
fi

# ---------------------------------------------------------------------------
# Step 4: the dashboard's browser files. Solara's page loads its scripts from a public CDN, which a
# computer without internet cannot reach; they are npm packages, so they are put into Solara's
# asset folder (.venv/share/solara/cdn) here, from the npm registry, once. `nzsim dashboard`
# never downloads: it says what is missing and points here. A failure only warns (the rest of
# nzsim does not need these files).
if ! "$VENV/bin/python" -m nzsim.teaching.browser_files --browser-files-present </dev/null; then
    if command -v npm >/dev/null 2>&1; then
        step 4/5 "installing the dashboard's browser files with npm, once (about 30 seconds)"
        t=$SECONDS
        "$VENV/bin/python" -m nzsim.teaching.browser_files --install-browser-files </dev/null \
            || warn "installing the dashboard's browser files failed; 'nzsim dashboard' will say what is missing"
        took "$t"
    else
        warn "npm is not installed: the dashboard's browser files cannot be put in place ('nzsim dashboard' needs them)"
    fi
else
    step 4/5 "the dashboard's browser files are in place already"
fi

# ---------------------------------------------------------------------------
# Step 5: the public's kernels (nzsim/model/agents/voters.py, numba) are compiled for this machine and
# cached beside the module, so that no run, worker or test pays for it; later runs only load them.
step 5/5 "compiling the public's weekly kernels for this machine, or loading them if compiled (a few seconds the first time)"
t=$SECONDS
"$VENV/bin/python" -c "import nzsim.model.agents.voters" </dev/null || { echo "nzsim setup: error: the public's kernels (numba) did not compile; see the message above" >&2; exit 1; }
took "$t"

say "ready in $(( SECONDS - started ))s: .venv/bin/nzsim (lock: $( [ -f "$RECORD" ] && echo "$lock" || echo none))"
