#!/usr/bin/env bash
# A fake InterProScan that hangs (a child `sleep` holds the output pipes too),
# so only killing the whole process group ends it.
if [[ "${1:-}" == "--version" ]]; then echo "InterProScan version 5.77-108.0"; exit 0; fi
echo "starting a very long scan" >&2
sleep 300 &
wait
