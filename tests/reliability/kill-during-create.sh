#!/usr/bin/env bash
# kill-during-create.sh RUNTIME [TRIES] [CGROUP_PARENT]: SIGKILLs `RUNTIME create` at a random moment
# (0-60 ms after it started), then runs `delete --force` and `list`, and counts the tries that left a
# state dir, a cgroup or a process behind. Prints one line per try and a summary
# "RUNTIME: left something in N of TRIES tries (cgroups X, state dirs Y, processes Z)".
# Exits 1 if anything was left. Cleans up whatever the runtime left. Run it in a private mount namespace.
set -u
RUNTIME=${1:?runtime}
TRIES=${2:-15}
PARENT=${3:-nrunc-rel-kill-$$}
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
WORK=$(mktemp -d /tmp/nrunc-kill.XXXXXX)
ROOT="$WORK/root"
BUNDLE="$WORK/bundle"
mkdir -p "$ROOT" "$BUNDLE/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$BUNDLE/rootfs/bin/"
ln -s busybox "$BUNDLE/rootfs/bin/sh"; ln -s busybox "$BUNDLE/rootfs/bin/sleep"

bad=0 cg_left=0 st_left=0 pr_left=0
procs_of() { # pids in any of the container's cgroups, or carrying its tag in their environment
	{ grep -ls ":/$PARENT/$1\$" /proc/[0-9]*/cgroup; grep -lsxz "NRUNC_REL_TAG=$1" /proc/[0-9]*/environ; } 2>/dev/null |
		cut -d/ -f3 | sort -u
}
for ((i = 1; i <= TRIES; i++)); do
	id="k$i-$$"
	jq --arg cg "/$PARENT/$id" '.linux.cgroupsPath = $cg | .process.args = ["sleep", "1000"]' \
		"$REPO/tests/integration/testdata/config.json" >"$BUNDLE/config.json"
	delay=$(printf '0.%03d' $((RANDOM % 60)))
	NRUNC_REL_TAG=$id "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	"$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
	"$RUNTIME" --root "$ROOT" list -q >/dev/null 2>&1
	sleep 0.1
	what=""
	cgs=$(ls -d /sys/fs/cgroup/*/"$PARENT/$id" 2>/dev/null)
	[ -n "$cgs" ] && { what+=" cgroups"; cg_left=$((cg_left + 1)); }
	[ -e "$ROOT/$id" ] && { what+=" state-dir"; st_left=$((st_left + 1)); }
	procs=$(procs_of "$id")
	[ -n "$procs" ] && { what+=" processes($(echo $procs))"; pr_left=$((pr_left + 1)); }
	[ -n "$what" ] && bad=$((bad + 1))
	echo "try $i: killed after ${delay}s (create exit $rc):${what:- nothing left}"
	# clean up after the runtime
	[ -n "$procs" ] && kill -9 $procs 2>/dev/null && sleep 0.1
	for d in $cgs; do rmdir "$d" 2>/dev/null; done
	rm -rf "${ROOT:?}/$id"
done
for d in /sys/fs/cgroup/*/"$PARENT"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
rm -rf "$WORK"
echo "$RUNTIME: left something in $bad of $TRIES tries (cgroups $cg_left, state dirs $st_left, processes $pr_left)"
[ "$bad" -eq 0 ]
