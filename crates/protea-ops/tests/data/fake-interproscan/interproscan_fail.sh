#!/usr/bin/env bash
# A fake InterProScan that fails every scan the way a broken install does.
if [[ "${1:-}" == "--version" ]]; then echo "InterProScan version 5.77-108.0"; exit 0; fi
for i in $(seq 1 200); do echo "INFO: step $i of a long log" >&2; done
echo "java.lang.OutOfMemoryError: Java heap space (fake)" >&2
exit 3
