#!/usr/bin/env bash
# Set up .venv (see scripts/setup.sh) and run the main job.
# With arguments, runs `nzsim ARGS...` instead of the default job.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

if [ "$#" -gt 0 ]; then
    exec .venv/bin/nzsim "$@"
fi
exec .venv/bin/nzsim story scenarios/vilnius-2023.yaml --seed 1
