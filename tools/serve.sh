#!/usr/bin/env bash
# Serve BCL on 127.0.0.1:$PORT with gunicorn, and run the job worker beside it; Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-5000}
.venv/bin/flask --app wsgi jobs work &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --timeout 600 \
  --access-logfile - --log-level warning wsgi:app
