#!/usr/bin/env bash
# Runs the engine suites (docker, containerd, podman), each bats file in a private mount
# namespace with its state dirs and /dev/shm (podman's lock file) on tmpfs. Every engine is
# started by its suite with private sockets and state and stopped after.
#   tests/engines/run.sh [file.bats ...]               RUNTIME (default out/nrunc) under test
#   RUNTIME=/usr/sbin/runc tests/engines/run.sh        the same scenarios on runc
#   tests/engines/run.sh --compare [file.bats ...]     nrunc and runc side by side, per scenario
#   ENGINE_FIXTURES_OUT=$PWD/spec-fixtures/engines tests/engines/run.sh   also saves captured config.json
#   FILTER=regex tests/engines/run.sh docker.bats      only the scenarios whose names match
#   ENGINE_TIMES=20 FILTER=times tests/engines/run.sh  `docker/ctr/podman run --rm` medians, nrunc vs runc vs crun
# TAP per file goes to $RESULTS (default tests/engines/.work/results[-runc]).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export RUNTIME="${RUNTIME:-$REPO/out/nrunc}"

if [ "${1:-}" = --compare ]; then
	shift
	RESULTS="$HERE/.work/cmp-nrunc" RUNTIME="$REPO/out/nrunc" "$0" "$@"
	rc=$?
	RESULTS="$HERE/.work/cmp-runc" RUNTIME=/usr/sbin/runc "$0" "$@"
	printf '\n%-6s %-6s  %s\n' nrunc runc scenario
	for t in "$HERE"/.work/cmp-nrunc/*.tap; do
		r="$HERE/.work/cmp-runc/$(basename "$t")"
		grep -E '^(not )?ok ' "$t" | while read -r line; do
			name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ //; s/ # skip.*//; s/ in [0-9]+ms$//')
			a=$(echo "$line" | sed -E 's/^(not ok).*/FAIL/; s/^ok .*# skip.*/skip/; s/^ok .*/pass/')
			b=$(grep -F " $name in " "$r" 2>/dev/null | head -1 | sed -E 's/^(not ok).*/FAIL/; s/^ok .*# skip.*/skip/; s/^ok .*/pass/')
			printf '%-6s %-6s  %s\n' "$a" "${b:-?}" "$name"
		done
	done
	exit $rc
fi

RESULTS="${RESULTS:-$HERE/.work/results}"
mkdir -p "$RESULTS"
if [ $# -eq 0 ]; then set -- "$HERE"/docker.bats "$HERE"/containerd.bats "$HERE"/podman.bats; fi
echo "engines: RUNTIME=$RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1 || echo 'not runnable'))"
rc=0
for f in "$@"; do
	name=$(basename "$f" .bats)
	tmp=$(mktemp -d /tmp/nre.XXXXXX)
	start=$(date +%s.%N)
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o size=4g,mode=0755 nrunc-engines "$1" || exit 1
		mount -t tmpfs -o size=64m,mode=1777 nrunc-engines-shm /dev/shm || exit 1
		mkdir -p "$1/bats"
		# crun 1.8.1 refuses a hybrid host whose cgroup2 mount has a controller (see tests/integration/run.sh)
		if { [ -n "${ENGINE_TIMES:-}" ] || "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q "^crun"; } && [ -d /sys/fs/cgroup/unified ]; then
			mount -t tmpfs -o size=1m hide-cgroup2 /sys/fs/cgroup/unified
		fi
		ENGINE_TMP="$1" TMPDIR="$1/bats" bats --tap -T ${3:+-f "$3"} "$2"
	' _ "$tmp" "$f" "${FILTER:-}" >"$RESULTS/$name.tap" 2>&1
	brc=$?
	end=$(date +%s.%N)
	if [ "$brc" -ne 0 ]; then
		rc=1
		grep -q '^not ok ' "$RESULTS/$name.tap" || echo "not ok - $name: bats exited with status $brc" >>"$RESULTS/$name.tap"
	fi
	rmdir "$tmp" 2>/dev/null || true
	pass=$(grep -c '^ok ' "$RESULTS/$name.tap")
	skipped=$(grep -c '^ok .*# skip' "$RESULTS/$name.tap")
	failed=$(grep -c '^not ok ' "$RESULTS/$name.tap")
	printf '%-28s %3d ok (%d skipped), %d failed  %6.1fs\n' "$name" "$pass" "$skipped" "$failed" "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')"
	grep -A30 '^not ok ' "$RESULTS/$name.tap" | grep -E '^(not ok|#)' | head -60 | sed 's/^/    /'
done
exit $rc
