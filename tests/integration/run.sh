#!/usr/bin/env bash
# Runs the integration suites, each bats file in a private mount namespace (a runtime bug
# cannot leak mounts to the host) with its temp dir on a tmpfs (bundle copies on this
# machine's ext4 are ~50x slower). TAP output per file goes to $RESULTS (default
# tests/integration/.work/results); timing per file is printed.
#   RUNTIME=/usr/sbin/runc tests/integration/run.sh [file.bats ...]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
RESULTS="${RESULTS:-$HERE/.work/results}"
mkdir -p "$RESULTS"
if [ $# -eq 0 ]; then set -- "$HERE"/*.bats; fi

echo "integration: RUNTIME=$RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1 || echo 'not runnable'))"
rc=0
total_start=$(date +%s)
for f in "$@"; do
	name=$(basename "$f" .bats)
	tmp=$(mktemp -d /tmp/nrunc-it.XXXXXX)
	start=$(date +%s.%N)
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o size=4g,mode=0755 nrunc-it "$1" || exit 1
		# crun 1.8.1 refuses a hybrid host whose cgroup2 mount has a controller: hide that
		# mount in this namespace (see bench/README.md)
		if "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q "^crun" && [ -d /sys/fs/cgroup/unified ]; then
			mount -t tmpfs -o size=1m hide-cgroup2 /sys/fs/cgroup/unified
		fi
		TMPDIR="$1" bats --tap -T "$2"
	' _ "$tmp" "$f" >"$RESULTS/$name.tap" 2>&1
	brc=$?
	end=$(date +%s.%N)
	if [ "$brc" -ne 0 ]; then
		rc=1
		# bats failed without a failing test (syntax error, crash): record it as a failure
		grep -q '^not ok ' "$RESULTS/$name.tap" || echo "not ok - $name: bats exited with status $brc" >>"$RESULTS/$name.tap"
	fi
	rmdir "$tmp" 2>/dev/null || true
	pass=$(grep -c '^ok ' "$RESULTS/$name.tap" | head -1)
	skipped=$(grep -c '^ok .*# skip' "$RESULTS/$name.tap")
	failed=$(grep -c '^not ok ' "$RESULTS/$name.tap")
	printf '%-28s %3d ok (%d skipped), %d failed  %6.1fs\n' "$name" "$pass" "$skipped" "$failed" "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')"
	grep -A30 '^not ok ' "$RESULTS/$name.tap" | grep -E '^(not ok|#)' | head -60 | sed 's/^/    /'
done
echo "integration: $(($(date +%s) - total_start))s total"
exit $rc
