#!/usr/bin/env bash
# Idempotent setup from a fresh clone: system libraries, .venv, the project with its test extra.
# Usage: scripts/bootstrap.sh [--browser]   (--browser also makes sure Debian's chromium is present)
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

have_zbar() { ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0' || [ -e /usr/local/lib/libzbar.dylib ] || [ -e /opt/homebrew/lib/libzbar.dylib ]; }
need_apt=()
have_zbar || need_apt+=(libzbar0)
if [ "$want_browser" = 1 ] && [ "${YIBAO_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
  # A CJK font, or every page draws its Chinese as boxes (tests/e2e/test_cjk_glyphs.py checks the pixels).
  [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] || need_apt+=(fonts-noto-cjk)
  command -v fc-list >/dev/null 2>&1 || need_apt+=(fontconfig)
  command -v curl >/dev/null 2>&1 || need_apt+=(curl)   # the README's shell examples, run by the tests
  command -v jq >/dev/null 2>&1 || need_apt+=(jq)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${need_apt[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    cat >&2 <<MSG
bootstrap: missing system packages: ${need_apt[*]}
  Debian/Ubuntu:  sudo apt-get install -y --no-install-recommends ${need_apt[*]}
  macOS:          brew install zbar        (and a Chromium/Chrome for the browser tests)
  Windows:        pip install pyzbar bundles zbar's DLLs; if it still fails, install the
                  Visual C++ 2013 redistributable (vcredist_x64.exe)
Then run the make command again.
MSG
    exit 1
  fi
fi

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bootstrap: Python >= 3.11 is required")'
  "$py" -m venv .venv
fi
stamp=.venv/.yibao-installed
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,postgres]'
  touch "$stamp"
fi
