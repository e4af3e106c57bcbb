#!/usr/bin/env bash
# Installs what PROTEA needs on Debian/Ubuntu when it is missing:
# - the PostgreSQL server (for the embedded database and the tests);
# - with PROTEA_LIGHTGBM=1: what the vendored LightGBM of the `lightgbm` runner
#   feature needs to build: cmake >= 3.28 (Debian's is too old) and libclang
#   (for bindgen), from PyPI into $PROTEA_TOOLS_DIR/cmake-venv when the system
#   has none. `export CMAKE=…` and `export LIBCLANG_PATH=…` lines are written to
#   $PROTEA_TOOLS_DIR/lightgbm-env for the build to source.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
fi

have_server() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}

install_postgres() {
    if have_server; then
        echo "PostgreSQL server: found"
        return
    fi
    if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
        echo "PostgreSQL is missing; install the postgresql package as root" >&2
        exit 1
    fi
    echo "Installing the PostgreSQL server with apt-get…"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    have_server || { echo "PostgreSQL installation failed" >&2; exit 1; }
    echo "PostgreSQL server: installed"
}

# cmake >= 3.28 (lightgbm3-sys refuses older ones).
cmake_ok() {
    local v
    v=$("$1" --version 2>/dev/null | head -1 | awk '{print $3}') || return 1
    [ -n "$v" ] && [ "$(printf '%s\n3.28\n' "$v" | sort -V | head -1)" = "3.28" ]
}

install_cmake() {
    local tools="${PROTEA_TOOLS_DIR:-${HOME:-/tmp}/.cache/protea-tools}"
    mkdir -p "$tools"
    local found=""
    if [ -n "${CMAKE:-}" ] && cmake_ok "$CMAKE"; then
        found="$CMAKE"
    elif command -v cmake >/dev/null 2>&1 && cmake_ok "$(command -v cmake)"; then
        found="$(command -v cmake)"
    elif cmake_ok "$tools/cmake-venv/bin/cmake"; then
        found="$tools/cmake-venv/bin/cmake"
    else
        echo "Installing cmake >= 3.28 from PyPI into $tools/cmake-venv…"
        if ! python3 -m venv "$tools/cmake-venv" >/dev/null 2>&1; then
            export DEBIAN_FRONTEND=noninteractive
            $SUDO apt-get update -qq
            $SUDO apt-get install -y -qq --no-install-recommends python3-venv python3-pip >/dev/null
            python3 -m venv "$tools/cmake-venv"
        fi
        "$tools/cmake-venv/bin/pip" install -q 'cmake>=3.28'
        found="$tools/cmake-venv/bin/cmake"
    fi
    cmake_ok "$found" || { echo "no cmake >= 3.28 available" >&2; exit 1; }
    : > "$tools/lightgbm-env"
    echo "export CMAKE=$found" >> "$tools/lightgbm-env"
    echo "cmake: $found ($("$found" --version | head -1))"

    # libclang for bindgen: the system's, else the PyPI wheel's.
    local clang_dir=""
    if [ -n "${LIBCLANG_PATH:-}" ]; then
        clang_dir="$LIBCLANG_PATH"
    else
        clang_dir=$(ls -d /usr/lib/llvm-*/lib 2>/dev/null | while read -r d; do
            if ls "$d"/libclang.so* "$d"/libclang-[0-9]*.so* >/dev/null 2>&1; then echo "$d"; fi; done | tail -1) || true
    fi
    if [ -z "$clang_dir" ]; then
        [ -x "$tools/cmake-venv/bin/pip" ] || python3 -m venv "$tools/cmake-venv"
        "$tools/cmake-venv/bin/pip" install -q libclang
        clang_dir=$(dirname "$(find "$tools/cmake-venv" -name 'libclang.so*' | head -1)")
        # The wheel has no compiler headers (stddef.h …): borrow the C compiler's.
        local cc_include
        cc_include=$(dirname "$(${CC:-cc} -print-file-name=include/stddef.h)")
        echo "export BINDGEN_EXTRA_CLANG_ARGS=-I$cc_include" >> "$tools/lightgbm-env"
    fi
    echo "export LIBCLANG_PATH=$clang_dir" >> "$tools/lightgbm-env"
    echo "libclang: $clang_dir"
}

install_postgres
if [ "${PROTEA_LIGHTGBM:-0}" = 1 ]; then
    install_cmake
fi
