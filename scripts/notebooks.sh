#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless, on the repository's tiny
# test model, and fails on the first cell error. Installs what is missing
# first: Jupyter from the distribution's packages (when run as root), GoNB
# and goimports from tools/go.mod, and the GoNB kernel.
#
# The kernel is installed into a private Jupyter data folder and the
# notebooks' backend runs in a private runtime folder, so a user's own
# Jupyter set-up and backend are left alone. Executed notebooks are written
# to $NOTEBOOKS_OUT (default: a temporary folder, printed at the end).
#
#   scripts/notebooks.sh                  all notebooks
#   scripts/notebooks.sh 05               the notebooks whose names start with 05
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
root="$PWD"
command -v go >/dev/null || { echo "Go is not installed: see README.md" >&2; exit 1; }

step() { printf '\n== %s (%ds)\n' "$1" "$SECONDS"; }

# 1. Jupyter: nbconvert runs the notebooks.
if ! jupyter nbconvert --version >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		step "installing Jupyter (apt)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jupyter-notebook jupyter-nbconvert python3-ipykernel >/dev/null
	else
		echo "Jupyter's nbconvert is missing: install jupyter-notebook, jupyter-nbconvert and python3-ipykernel (apt), or run as root" >&2
		exit 1
	fi
fi

# 2. GoNB, goimports and the kernel, into a private Jupyter data folder.
work="$(mktemp -d "${TMPDIR:-/tmp}/notebooks.XXXXXX")"
export JUPYTER_DATA_DIR="$work/jupyter"
step "installing GoNB, goimports and the GoNB kernel"
go run ./kernel/cmd/install-kernel -tools github.com/janpfeifer/gonb,golang.org/x/tools/cmd/goimports
export PATH="$(go env GOPATH)/bin:$PATH"

# 3. The tiny fixture model instead of the Hub's SDXL; a private backend.
golden="$root/testdata/golden"
export IPADAPTER_NOTEBOOK_MODEL="$golden/tiny-sdxl"
export IPADAPTER_NOTEBOOK_ADAPTERS="$golden/ip-adapter"
export IPADAPTER_NOTEBOOK_SUBFOLDER=sdxl_models
export IPADAPTER_NOTEBOOK_ADAPTER=ip-adapter_tiny-sdxl.safetensors
export IPADAPTER_NOTEBOOK_PLUS=ip-adapter-plus_tiny-sdxl.safetensors
export IPADAPTER_NOTEBOOK_PLUS_FACE=ip-adapter-plus_tiny-sdxl.safetensors
export IPADAPTER_NOTEBOOK_VITH=image_encoder
export IPADAPTER_NOTEBOOK_IMAGES="$golden/images"
export IPADAPTER_NOTEBOOK_STEPS=2
export IPADAPTER_NOTEBOOK_SIZE=128
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}"
export IPADAPTER_KERNEL_DIR="$work/kernel"
export IPADAPTER_KERNEL_IDLE=5m
out="${NOTEBOOKS_OUT:-$work/out}"
mkdir -p "$out"

# The backend outlives the notebooks (that is its point): stop it at the
# end, whatever happens, through its socket.
stop_backend() {
	local sock="$IPADAPTER_KERNEL_DIR/kernel.sock"
	[ -S "$sock" ] || return 0
	python3 - "$sock" <<'PY' || true
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
s.sendall(b"POST /v1/shutdown HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
s.recv(4096)
PY
}
on_exit() {
	status=$?
	stop_backend
	if [ "$status" != 0 ] && [ -f "$IPADAPTER_KERNEL_DIR/kernel.log" ]; then
		echo "--- backend log (last lines): $IPADAPTER_KERNEL_DIR/kernel.log" >&2
		tail -n 20 "$IPADAPTER_KERNEL_DIR/kernel.log" >&2
	fi
}
trap on_exit EXIT

# 4. Run them, in order; nbconvert exits non-zero on a failing cell.
shopt -s nullglob
notebooks=(notebooks/"${1:-}"*.ipynb)
[ ${#notebooks[@]} -gt 0 ] || { echo "no notebook matches notebooks/${1:-}*.ipynb" >&2; exit 1; }
for nb in "${notebooks[@]}"; do
	step "executing $nb"
	start=$SECONDS
	jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
		--output-dir "$out" "$nb" 2>"$work/nbconvert.log" || {
		grep -v '^[IWE][0-9]\{4\} ' "$work/nbconvert.log" | tail -n 40 >&2
		echo "FAILED: $nb" >&2
		exit 1
	}
	echo "ok ($((SECONDS - start))s)"
done
step "done: ${#notebooks[@]} notebooks; executed copies in $out"
