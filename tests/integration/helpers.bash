#!/usr/bin/env bash
# Shared helpers for the integration suites. Every suite runs against RUNTIME (default: the
# nrunc built into out/), with a private --root, a fresh busybox bundle per test and a
# cgroup parent of its own; teardown checks that nothing is left behind.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
RECVTTY="${RECVTTY:-$REPO/out/tests/recvtty}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
TESTDATA="$REPO/tests/integration/testdata"
# One cgroup parent per bats process; each container gets /nrunc-test-$$/<id>.
CG_PARENT="nrunc-test-$$"

# Is the runtime under test runc itself? Used to skip checks that runc 1.1.5 fails.
is_runc() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^runc version'; }
is_crun() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^crun version'; }
skip_if_runc() { if is_runc; then skip "runc 1.1.5: $*"; fi; }

# Runs the runtime with the test's private root.
runtime() { "$RUNTIME" --root "$ROOT" "$@"; }

# Like runtime, for verbs that leave a container process behind (create, run -d, exec -d):
# the container must not inherit bats' capture pipe (bats `run` would wait for EOF forever),
# so stdio goes to a file whose contents are printed afterwards.
rt() {
	local f="$BATS_TEST_TMPDIR/rt.$RANDOM" rc=0
	"$RUNTIME" --root "$ROOT" "$@" </dev/null >"$f" 2>&1 || rc=$?
	cat "$f"
	return $rc
}

# create_ctr [id] [create flags...]: creates a container from $BUNDLE.
create_ctr() {
	local id=${1:-$ID}
	shift || true
	track "$id"
	rt create --bundle "$BUNDLE" "$@" "$id"
}

# Builds a busybox rootfs template once per file, copied per test (cp -a is much cheaper
# than ~400 symlink calls).
_rootfs_template() {
	local t="$BATS_FILE_TMPDIR/rootfs-template"
	if [ ! -d "$t" ]; then
		mkdir -p "$t.tmp"/{bin,etc,proc,sys,dev,tmp,root}
		cp "$BUSYBOX" "$t.tmp/bin/busybox"
		local a
		for a in $("$BUSYBOX" --list); do
			[ "$a" = busybox ] || ln -s busybox "$t.tmp/bin/$a"
		done
		chmod 1777 "$t.tmp/tmp"
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\ntester:x:1000:1000:tester:/tmp:/bin/sh\n' >"$t.tmp/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\ntester:x:1000:\nextra:x:2000:tester\n' >"$t.tmp/etc/group"
		mv "$t.tmp" "$t"
	fi
	echo "$t"
}

# setup_bundle: creates $BUNDLE (rootfs + config.json) and $ROOT, sets $ID and the cgroupsPath.
setup_bundle() {
	ROOT="$BATS_TEST_TMPDIR/root"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ID="t${BATS_TEST_NUMBER}-$$"
	mkdir -p "$ROOT" "$BUNDLE"
	cp -a "$(_rootfs_template)" "$BUNDLE/rootfs"
	jq --arg cg "/$CG_PARENT/$ID" '.linux.cgroupsPath = $cg' "$TESTDATA/config.json" >"$BUNDLE/config.json"
	cd "$BUNDLE" || return 1
}

# update_config 'jq filter' [bundle]: edits config.json in place.
update_config() {
	local f="${2:-$BUNDLE}/config.json"
	jq "$1" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_args sh -c '...': sets .process.args.
set_args() {
	local f="$BUNDLE/config.json"
	local j
	# \x1e (record separator) keeps multi-line arguments intact
	j=$(printf '%s\x1e' "$@" | jq -c -R -s 'split("\u001e")[:-1]')
	jq --argjson a "$j" '.process.args = $a' "$f" >"$f.new" && mv "$f.new" "$f"
}

# Container ids created by a test are remembered so teardown can delete them.
track() { echo "$1" >>"$BATS_TEST_TMPDIR/ids"; }

# Poll until a command succeeds (tries, command...).
retry() {
	local n=$1 d=$2; shift 2
	local i
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$d"
	done
	return 1
}

# Waits until `state` reports the wanted status.
wait_status() {
	local id=$1 want=$2 i s
	for ((i = 0; i < 100; i++)); do
		s=$(runtime state "$id" 2>/dev/null | jq -r .status)
		[ "$s" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status '$s', wanted '$want'" >&2
	return 1
}

# Creates and starts a container running `sleep` (or the args given) in the background.
run_busybox_detached() {
	local id=${1:-$ID}
	shift || true
	if [ $# -gt 0 ]; then set_args "$@"; else set_args sleep 1000; fi
	track "$id"
	rt run -d --bundle "$BUNDLE" "$id" >&2 || return 1
	wait_status "$id" running
}

# Host pid of a container's init.
init_pid() { runtime state "${1:-$ID}" | jq -r .pid; }

# cgroup path of the container in a v1 hierarchy (on a cgroup v2 host, e.g. the tests/vm guest: its one dir).
is_cgroup2() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }
cgroup_dir() {
	if is_cgroup2; then echo "/sys/fs/cgroup/$CG_PARENT/${2:-$ID}"; else echo "/sys/fs/cgroup/$1/$CG_PARENT/${2:-$ID}"; fi
}

# Starts recvtty on $BATS_TEST_TMPDIR/tty.sock; output in $BATS_TEST_TMPDIR/tty.out.
start_recvtty() {
	[ -x "$RECVTTY" ] || skip "recvtty not built ($RECVTTY): run ./build.sh"
	CONSOLE_SOCKET="$BATS_TEST_TMPDIR/tty.sock"
	rm -f "$BATS_TEST_TMPDIR/recvtty.pid"
	"$RECVTTY" --pid-file "$BATS_TEST_TMPDIR/recvtty.pid" "$@" "$CONSOLE_SOCKET" \
		</dev/null >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	RECVTTY_PID=$!
	retry 200 0.02 test -s "$BATS_TEST_TMPDIR/recvtty.pid"
}

# Waits for recvtty to finish (the pty's slave side closed) and prints what it copied, without CRs.
recvtty_output() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$RECVTTY_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$RECVTTY_PID" 2>/dev/null || true
	wait "$RECVTTY_PID" 2>/dev/null || true
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out"
}

setup() {
	setup_bundle
}

_rm_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/unified/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT"; do
		[ -d "$d" ] || continue
		case "$(stat -f -c %T "$d")" in
		cgroupfs | cgroup2fs)
			# children first
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true ;;
		*)
			# not a cgroup fs: the tmpfs that hides cgroup2 for crun (see run.sh)
			rm -rf "$d" ;;
		esac
	done
}

teardown() {
	local id leftover=0
	cd /
	if [ -n "${RECVTTY_PID:-}" ]; then kill "$RECVTTY_PID" 2>/dev/null || true; fi
	if [ -n "${AGENT_PID:-}" ]; then kill "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; fi
	if [ -f "$BATS_TEST_TMPDIR/ids" ]; then
		for id in $(sort -u "$BATS_TEST_TMPDIR/ids"); do
			"$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	# Whatever the runtime left: kill processes still in our cgroups so the dirs can go.
	local procs
	procs=$(cat /sys/fs/cgroup/pids/"$CG_PARENT"/*/cgroup.procs /sys/fs/cgroup/"$CG_PARENT"/*/cgroup.procs 2>/dev/null || true)
	if [ -n "$procs" ]; then
		echo "teardown: processes left in the container cgroups: $procs" >&2
		kill -9 $procs 2>/dev/null || true
		sleep 0.2
		leftover=1
	fi
	_rm_cgroups
	if grep -q " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo; then
		echo "teardown: mounts left under the test dir:" >&2
		grep " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo >&2
		# unmount so bats can remove its temp dir
		grep " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
		leftover=1
	fi
	if [ -f "$BATS_TEST_TMPDIR/ids" ]; then
		for id in $(sort -u "$BATS_TEST_TMPDIR/ids"); do
			if [ -e "$ROOT/$id" ]; then
				echo "teardown: state dir $ROOT/$id left after delete --force" >&2
				leftover=1
			fi
		done
	fi
	for d in /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT"; do
		if [ -d "$d" ]; then
			echo "teardown: cgroup $d could not be removed" >&2
			leftover=1
		fi
	done
	[ "$leftover" = 0 ]
}
