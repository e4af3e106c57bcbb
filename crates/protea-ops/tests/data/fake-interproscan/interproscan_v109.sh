#!/usr/bin/env bash
# The replaying fake (interproscan.sh), reporting a newer release.
exec env FAKE_IPS_VERSION=5.78-109.0 "$(dirname "$0")/interproscan.sh" "$@"
