#!/usr/bin/env bash
# Runs the reliability suites (bad input, faults, concurrency, exhaustion, CVE regressions) through
# tests/integration/run.sh (each file in a private mount namespace). Builds the crash-injection
# flavour out/test/nrunc first when the runtime under test is nrunc.
#   RUNTIME=/usr/sbin/runc tests/reliability/run.sh [file.bats ...]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
if "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^nrunc' && [ "${NRUNC_SKIP_BUILD:-0}" != 1 ]; then
	if ! "$HERE/build-faults.sh"; then
		# counted as a failure by tests/run-all.sh
		results="${RESULTS:-$REPO/tests/integration/.work/results}"
		mkdir -p "$results"
		echo "not ok 1 - reliability: building out/test/nrunc failed" >"$results/build-faults.tap"
		exit 1
	fi
fi
if [ $# -eq 0 ]; then set -- "$HERE"/*.bats; fi
exec "$REPO/tests/integration/run.sh" "$@"
