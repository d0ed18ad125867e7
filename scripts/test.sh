#!/usr/bin/env bash
# The project's test command (README, .ci/run): vet and test every package
# on the pure-Go backend, offline, against the golden fixtures in
# testdata/golden; then execute the notebooks headless on the tiny fixture
# model (scripts/notebooks.sh). Jupyter is installed from apt when missing
# and running as root (as CI does); otherwise the notebooks are skipped with
# a notice. IPADAPTER_SKIP_NOTEBOOKS=1 skips them on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
command -v go >/dev/null || { echo "Go is not installed: see README.md" >&2; exit 1; }
go version
go vet ./...
go test -count=1 -timeout 20m ./...

if [ "${IPADAPTER_SKIP_NOTEBOOKS:-}" = 1 ]; then
	echo "notebooks: skipped (IPADAPTER_SKIP_NOTEBOOKS=1)"
elif jupyter nbconvert --version >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }; then
	bash scripts/notebooks.sh
else
	echo "notebooks: NOT executed — Jupyter's nbconvert is missing and this is not root;" \
		"install jupyter-notebook jupyter-nbconvert python3-ipykernel (apt) to run them"
fi
