#!/usr/bin/env bash
# Helpers for the reliability suites, on top of the integration helpers (bundle, private --root,
# cgroup parent, teardown that fails on leftovers).
load ../integration/helpers.bash

# The test flavour with crash-injection points (tests/reliability/build-faults.sh).
FAULTY="${FAULTY:-$REPO/out/test/nrunc}"

# Is the runtime under test nrunc (the suites' nrunc-only checks need its test build)?
is_nrunc() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^nrunc'; }

# Processes whose cgroup (any hierarchy) is inside the container's cgroup, or that carry our tag in their
# environment (a clone of create that never reached a cgroup): what a crashed create might leave running.
leftover_procs() {
	local id=$1 tag=${2:-}
	{
		grep -ls ":/$CG_PARENT/$id\(/.*\)\?\$" /proc/[0-9]*/cgroup
		[ -z "$tag" ] || grep -lsxz "NRUNC_REL_TAG=$tag" /proc/[0-9]*/environ
	} 2>/dev/null | cut -d/ -f3 | sort -u | grep -vx "$$" || true
}

# assert_nothing_left ID [TAG]: no state dir, no cgroup dir, no process, no mount of the bundle.
assert_nothing_left() {
	local id=$1 tag=${2:-} bad=0 d procs
	if [ -e "$ROOT/$id" ]; then echo "left: state dir $ROOT/$id" >&2; bad=1; fi
	for d in /sys/fs/cgroup/*/"$CG_PARENT/$id"; do
		if [ -d "$d" ]; then echo "left: cgroup $d" >&2; bad=1; fi
	done
	procs=$(leftover_procs "$id" "$tag")
	if [ -n "$procs" ]; then
		echo "left: processes $procs" >&2
		ps -o pid,ppid,stat,args -p "$(echo $procs | tr ' ' ,)" >&2 || true
		kill -9 $procs 2>/dev/null || true
		bad=1
	fi
	if grep -q " $BUNDLE/" /proc/self/mountinfo; then echo "left: mounts under $BUNDLE" >&2; bad=1; fi
	return $bad
}
