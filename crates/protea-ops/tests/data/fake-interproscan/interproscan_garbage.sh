#!/usr/bin/env bash
# The replaying fake (interproscan.sh), with a malformed line after the real rows.
exec env FAKE_IPS_GARBAGE=1 "$(dirname "$0")/interproscan.sh" "$@"
