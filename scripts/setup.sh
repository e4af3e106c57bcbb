#!/usr/bin/env bash
# Installs the system packages PROTEA needs on Debian/Ubuntu when they are
# missing: the PostgreSQL server (for the embedded database and the tests).
set -euo pipefail

have_server() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}

if have_server; then
    echo "PostgreSQL server: found"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "PostgreSQL is missing; install the postgresql package as root" >&2; exit 1; }
    SUDO="sudo"
fi
echo "Installing the PostgreSQL server with apt-get…"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
have_server || { echo "PostgreSQL installation failed" >&2; exit 1; }
echo "PostgreSQL server: installed"
