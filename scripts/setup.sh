#!/usr/bin/env bash
# Installs what Zera needs, idempotently: system packages (only when missing), uv, the Python
# dependencies from uv.lock, htmx from package-lock.json, and the database schema.
# Usage: scripts/setup.sh [--test]   (--test adds what the test suite needs: Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Please install: $* (need root or sudo)" >&2; exit 1; }
    sudo="sudo"
  fi
  say "Installing system packages: $*"
  if [[ ! -f /var/lib/apt/periodic/zera-updated ]]; then
    $sudo apt-get update -qq
    $sudo mkdir -p /var/lib/apt/periodic && $sudo touch /var/lib/apt/periodic/zera-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr tesseract-ocr-eng)
if ((want_test)); then
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
fi
((${#missing[@]})) && apt_install "${missing[@]}"

export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null; then
  if [[ ! -x .tools/bin/uv ]]; then
    say "Installing uv into .tools/"
    # Debian's python3 needs python3-venv for this; install it when the first try fails.
    python3 -m venv .tools 2>/dev/null || { rm -rf .tools; apt_install python3-venv; python3 -m venv .tools; }
    .tools/bin/pip install --quiet uv
  fi
  export PATH="$PWD/.tools/bin:$PATH"
fi

say "Installing Python dependencies from uv.lock"
uv sync --frozen --quiet

if [[ ! -f static/vendor/htmx.min.js || package-lock.json -nt static/vendor/htmx.min.js ]]; then
  say "Installing htmx from package-lock.json"
  npm ci --no-audit --no-fund --silent
  mkdir -p static/vendor
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
fi
