#!/usr/bin/env bash
# Set up rag in .venv/ at the project root. Safe and fast to re-run.
#   bash setup.sh          the tool itself
#   bash setup.sh --dev    plus the test tools and a headless Chromium for the UI tests (and every extra the tests use)
#   bash setup.sh --extra transformers-backend    plus an optional extra of pyproject.toml (repeatable)
set -euo pipefail
cd "$(dirname "$0")"

dev=0
extras=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dev) dev=1 ;;
    --extra) extras+=("${2:?setup: --extra needs a name, e.g. --extra transformers-backend}"); shift ;;
    *) echo "setup: unknown option $1 (use --dev or --extra NAME)" >&2; exit 2 ;;
  esac
  shift
done
[[ $dev == 1 ]] && extras=(dev "${extras[@]}")

python=${PYTHON:-}
if [[ -z "$python" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[[ -n "$python" ]] || { echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

[[ -x .venv/bin/python ]] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check --quiet)

# Re-running is fast: skip pip entirely when nothing it installs from has changed.
stamp=.venv/.rag-setup-$(IFS=-; echo "${extras[*]:-base}")
want=$(cat pyproject.toml setup.sh | sha256sum | cut -d' ' -f1)
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  # torch first, pinned to the CPU wheel: otherwise a dependency pulls several GB of CUDA packages.
  "${pip[@]}" install torch==2.13.0
  echo "setup: installing rag and its models (the first time builds llama.cpp, about 5 minutes)" >&2
  if [[ ${#extras[@]} -gt 0 ]]; then "${pip[@]}" install -e ".[$(IFS=,; echo "${extras[*]}")]"; else "${pip[@]}" install -e .; fi
  echo "$want" > "$stamp"
fi

if [[ $dev == 1 ]] && [[ ! -x /usr/bin/chromium ]]; then
  # The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not reachable).
  sudo_cmd=(); [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null
fi
echo "setup: ready (.venv/bin/rag)" >&2
