# Sourced by scripts/demo and scripts/test: create or reuse .venv and install narrate into it.
# Usage: source scripts/_setup.sh [EXTRAS]   (EXTRAS e.g. "test"). Needs only Python >= 3.11 and pip.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
EXTRAS=${1:-}

if [ ! -x "$VENV/bin/python" ]; then
  PY=${PYTHON:-}
  if [ -z "$PY" ]; then
    for candidate in python3.13 python3.12 python3.11 python3 python; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PY=$candidate
        break
      fi
    done
  fi
  if [ -z "$PY" ]; then
    echo "Error: narrate needs Python 3.11 or newer (set PYTHON=/path/to/python3)" >&2
    exit 1
  fi
  echo "Creating $VENV with $PY" >&2
  "$PY" -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed or an extra is asked for that is not installed yet; the
# extras installed before are kept (so scripts/test and scripts/intelligibility do not take turns
# reinstalling), and an install with "test" also serves the demo.
STAMP="$VENV/.narrate-install"
HASH=$("$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$ROOT/pyproject.toml")
HAVE_HASH=""
HAVE_EXTRAS=""
[ -f "$STAMP" ] && read -r HAVE_HASH HAVE_EXTRAS <"$STAMP" || true
WANT=$EXTRAS
NEED=0
if [ "$HAVE_HASH" != "$HASH" ]; then
  NEED=1
else
  for extra in ${EXTRAS//,/ }; do
    case ",$HAVE_EXTRAS," in *",$extra,"*) ;; *) NEED=1 ;; esac
  done
  # Keep what is installed: ask for the union.
  for extra in ${HAVE_EXTRAS//,/ }; do
    case ",$WANT," in *",$extra,"*) ;; *) WANT=${WANT:+$WANT,}$extra ;; esac
  done
fi
if [ "$NEED" = 1 ]; then
  echo "Installing narrate${WANT:+ [$WANT]} into $VENV" >&2
  SPEC="$ROOT"
  [ -n "$WANT" ] && SPEC="$ROOT[$WANT]"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$SPEC"
  echo "$HASH $WANT" >"$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
# An editable install leaves narrate's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE
# is set (as on this project's CI machines) every process compiled them again on start: a
# quarter of a second for each build and for each of its worker processes. Compiled once here.
"$VENV/bin/python" -m compileall -q "$ROOT/narrate" >/dev/null
