#!/usr/bin/env bash
# Set up .venv (see scripts/setup.sh) and run the main job: an ensemble of Vilnius 2023 with its
# summary table and figures, written to a new folder under runs/.
# With arguments, runs `nzsim ARGS...` instead, from the folder you called it from.
set -euo pipefail

here="$(pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "$root/scripts/setup.sh"

if [ "$#" -gt 0 ]; then
    cd "$here"
    exec "$root/.venv/bin/nzsim" "$@"
fi
cd "$root"
exec .venv/bin/nzsim run scenarios/vilnius-2023.yaml --seed 0
