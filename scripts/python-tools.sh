#!/usr/bin/env bash
# Installs the pinned Python test tools (moto server, cfn-lint, parliament, shellcheck) into .venv.
# Re-installs only when requirements-test.txt changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.requirements-test.sha256
want=$(sha256sum requirements-test.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "installing Python test tools into .venv (requirements-test.txt)" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
echo "$want" > "$stamp"
