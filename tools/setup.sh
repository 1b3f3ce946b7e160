#!/usr/bin/env bash
# Install what BCL needs on a Debian machine, only what is missing, then the Python venv.
#   tools/setup.sh run    PostGIS, fonts, poppler, venv with requirements.txt
#   tools/setup.sh test   the same plus chromium and the dev requirements
# A second call finishes in about a second when nothing changed.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(postgresql-15 postgresql-contrib postgresql-15-postgis-3 fonts-ipaexfont poppler-utils)
if [ "$mode" = test ]; then
  packages+=(chromium fonts-noto-cjk libnss3-tools)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || true
    apt-get install -y -q "${missing[@]}"
  elif [ -n "${DATABASE_URL:-}" ] && [ "$mode" = run ]; then
    echo "Note: missing ${missing[*]}; DATABASE_URL is set, continuing without the embedded PostGIS." >&2
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

requirements=requirements.txt
[ "$mode" = test ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$(basename "$requirements" .txt)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ "$requirements" -nt "$stamp" ]; then
  echo "Installing Python packages from $requirements"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$requirements"
  touch "$stamp"
fi
