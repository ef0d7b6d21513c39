#!/usr/bin/env bats
# containerd-shim-nrunc-v2 under a real containerd 1.6 (private instance, see tests/shim/containerd.bash).
#   SHIM=io.containerd.runc.v2 runs the same scenarios through containerd's own runc shim;
#   RUNTIME=/path is the OCI runtime binary the shim drives (BinaryName), as in every suite.

load helpers
source "$REPO/tests/shim/containerd.bash"

setup_file() {
	command -v containerd >/dev/null || skip "containerd not installed"
	export CTRD_DIR="$BATS_FILE_TMPDIR/ctrd" CTRD_NS="nrunc-shim-$$"
	mkdir -p /run/containerd/s
	ls /run/containerd/s >"$BATS_FILE_TMPDIR/sockets.before"
	ctrd_start
	build_image "$BATS_FILE_TMPDIR"
	c image import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
	rm -f "$BATS_FILE_TMPDIR/image.tar"
}

teardown_file() {
	ctrd_stop
	local p
	for p in $(shim_pids); do kill -9 "$p" 2>/dev/null; done
	grep -o " $CTRD_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	for d in /sys/fs/cgroup/*/"$CTRD_NS"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	# sockets this file's shims left behind (a failure is reported by the last test)
	comm -13 "$BATS_FILE_TMPDIR/sockets.before" <(ls /run/containerd/s) | while read -r s; do rm -f "/run/containerd/s/$s"; done
	rm -rf "$CTRD_DIR/root" "$CTRD_DIR/state" "$CTRD_DIR/runtime-root" 2>/dev/null || true
}

setup() {
	ID="c${BATS_TEST_NUMBER}"
	read -r -a OPTS <<<"$(runtime_opts)"
}

teardown() {
	local id i
	for id in "$ID" "$ID-b"; do
		c task kill -s KILL "$id" >/dev/null 2>&1 || true
		for i in $(seq 1 50); do c task ls 2>/dev/null | grep -q "^$id .*RUNNING\|^$id .*PAUSED\|^$id .*CREATED" || break; sleep 0.1; done
		c task delete "$id" >/dev/null 2>&1 || true
		c container delete "$id" >/dev/null 2>&1 || true
	done
}

# stop_task ID [signal]: kills the task and waits until it is stopped.
stop_task() {
	c task kill -s "${2:-KILL}" "$1"
	local i
	for i in $(seq 1 50); do c task ls | grep -q "^$1 .*STOPPED" && return 0; sleep 0.1; done
	return 1
}

# no_leftovers: no shim process, no rootfs mount, no container cgroup is left for this containerd.
no_leftovers() {
	local i
	for i in $(seq 1 50); do [ -z "$(shim_pids)" ] && break; sleep 0.1; done
	[ -z "$(shim_pids)" ] || { echo "shims left: $(shim_pids)"; return 1; }
	! grep -q " $CTRD_DIR/state" /proc/self/mountinfo || { echo "mounts left"; grep " $CTRD_DIR/state" /proc/self/mountinfo; return 1; }
	! ls -d /sys/fs/cgroup/*/"$CTRD_NS"/"$ID" 2>/dev/null || { echo "cgroups left"; return 1; }
}

@test "shim: ctr run --rm prints stdout and stderr and returns the exit status" {
	run c run --rm "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'echo out; echo err >&2; exit 3' </dev/null
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	run bash -c 'ctr -a "$CTRD_DIR/c.sock" -n "$CTRD_NS" "$@" 2>/dev/null' _ run --rm "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'echo only-out; echo only-err >&2' </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "only-out" ]
	no_leftovers
}

@test "shim: no output is lost at exit" {
	run c run --rm "${OPTS[@]}" "$IMAGE" "$ID" seq 1 50000 </dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50000 ]
	[ "${lines[49999]}" = 50000 ]
	no_leftovers
}

@test "shim: stdin reaches the container and its end closes it" {
	run bash -c 'printf "line1\nline2\n" | "$@"' _ ctr -a "$CTRD_DIR/c.sock" -n "$CTRD_NS" run --rm "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'cat; echo done'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'line1\nline2\ndone' ]
	no_leftovers
}

@test "shim: file:// and binary:// log URIs" {
	local log="$BATS_TEST_TMPDIR/logs/ctr.log"
	run c run --rm --log-uri "file://$log" "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'echo to-file; echo err-to-file >&2' </dev/null
	[ "$status" -eq 0 ]
	grep -qx to-file "$log"
	grep -qx err-to-file "$log"
	# with containerd-shim-runc-v2 1.6.20 this ctr run --rm hangs after the container exits (not investigated)
	[ "$SHIM" = io.containerd.nrunc.v2 ] || skip "binary:// hangs under containerd-shim-runc-v2 1.6.20"
	# a logger gets the container's stdout and stderr as fds 3 and 4 and closes fd 5 when ready
	local logger="$BATS_TEST_TMPDIR/logger.sh" dir="$BATS_TEST_TMPDIR/binlog"
	mkdir -p "$dir"
	printf '#!/bin/sh
cat <&3 >"$1/out.$CONTAINER_ID" & cat <&4 >"$1/err.$CONTAINER_NAMESPACE" & exec 5>&-
wait
' >"$logger"
	chmod +x "$logger"
	run c run --rm --log-uri "binary://$logger?$dir" "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'echo to-binary; echo err-to-binary >&2' </dev/null
	[ "$status" -eq 0 ]
	for i in $(seq 1 50); do [ -s "$dir/err.$CTRD_NS" ] && break; sleep 0.1; done
	[ "$(cat "$dir/out.$ID")" = to-binary ]
	[ "$(cat "$dir/err.$CTRD_NS")" = err-to-binary ]
	no_leftovers
}

@test "shim: a terminal with -t" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	# containerd-shim-runc-v2 1.6.20 never ends this run when ctr's stdin is at EOF (not investigated)
	[ "$SHIM" = io.containerd.nrunc.v2 ] || skip "hangs under containerd-shim-runc-v2 1.6.20 with stdin at EOF"
	run script -qec "ctr -a $CTRD_DIR/c.sock -n $CTRD_NS run --rm -t ${OPTS[*]} $IMAGE $ID sh -c 'tty; test -t 0 && echo is-a-tty; exit 4'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/* ]]
	[[ "$output" == *is-a-tty* ]]
	no_leftovers
}

@test "shim: detached task, exec, ps, kill" {
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' </dev/null
	run c task ls
	[[ "$output" =~ $ID[[:space:]]+[0-9]+[[:space:]]+RUNNING ]]
	run c task exec --exec-id e1 "$ID" sh -c 'echo from-exec; exit 5' </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[ "$output" = from-exec ]
	run c task ps "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]
	c task kill -s TERM "$ID"
	for i in $(seq 1 50); do c task ls | grep -q "$ID.*STOPPED" && break; sleep 0.1; done
	run c task delete "$ID"
	[[ "$output" == *"exit code 7"* ]]
	c container delete "$ID"
	no_leftovers
}

@test "shim: pause and resume" {
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	c task pause "$ID"
	run c task ls
	[[ "$output" =~ $ID[[:space:]]+[0-9]+[[:space:]]+PAUSED ]]
	c task resume "$ID"
	run c task ls
	[[ "$output" =~ $ID[[:space:]]+[0-9]+[[:space:]]+RUNNING ]]
	c task kill -s KILL "$ID"
	for i in $(seq 1 50); do c task ls | grep -q "$ID.*STOPPED" && break; sleep 0.1; done
	run c task delete "$ID"
	[[ "$output" == *"exit code 137"* ]]
	c container delete "$ID"
	no_leftovers
}

@test "shim: metrics come from the container's cgroup" {
	c run -d --memory-limit 67108864 "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	# start returns before init has exec'd sleep: until then the cgroup has two pids
	local i
	for ((i = 0; i < 40; i++)); do c task metrics "$ID" 2>/dev/null | grep -Eq 'pids.current[[:space:]]+1$' && break; sleep 0.05; done
	run c task metrics "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *memory.usage_in_bytes* ]]
	[[ "$output" =~ memory.limit_in_bytes[[:space:]]+67108864 ]]
	[[ "$output" =~ pids.current[[:space:]]+1 ]]
	run c task metrics --format json "$ID"
	[[ "$output" == *'"usage"'* ]]
	stop_task "$ID"
	c task delete "$ID" || true
	c container delete "$ID"
	no_leftovers
}

@test "shim: events create, start, exec-added, exec-started, paused, resumed, exit, delete" {
	c events >"$BATS_TEST_TMPDIR/events" 2>&1 &
	local ev=$!
	sleep 0.3
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	c task exec --exec-id e1 "$ID" true </dev/null
	c task pause "$ID"
	c task resume "$ID"
	c task kill -s KILL "$ID"
	for i in $(seq 1 50); do c task ls | grep -q "$ID.*STOPPED" && break; sleep 0.1; done
	c task delete "$ID" || true
	sleep 0.5
	kill "$ev"; wait "$ev" || true
	cat "$BATS_TEST_TMPDIR/events"
	local t
	for t in /tasks/create /tasks/start /tasks/exec-added /tasks/exec-started /tasks/paused /tasks/resumed /tasks/exit /tasks/delete; do
		grep -q "$t" "$BATS_TEST_TMPDIR/events" || { echo "missing $t"; return 1; }
	done
}

@test "shim: an OOM kill is reported (TaskOOM) with status 137" {
	[ -z "$(swapon --show 2>/dev/null)" ] || skip "swap is on: the allocation would swap"
	c events >"$BATS_TEST_TMPDIR/events" 2>&1 &
	local ev=$!
	sleep 0.3
	run c run --rm --memory-limit 16777216 "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived' </dev/null
	echo "$output"
	sleep 0.5
	kill "$ev"; wait "$ev" || true
	cat "$BATS_TEST_TMPDIR/events"
	grep -q /tasks/oom "$BATS_TEST_TMPDIR/events"
	no_leftovers
}

@test "shim: the exit status survives a containerd restart" {
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sh -c 'sleep 2; exit 5' </dev/null
	ctrd_stop
	sleep 3
	ctrd_start
	for i in $(seq 1 50); do c task ls | grep -q "$ID.*STOPPED" && break; sleep 0.1; done
	run c task ls
	echo "$output"
	[[ "$output" =~ $ID[[:space:]]+[0-9]+[[:space:]]+STOPPED ]]
	run c task delete "$ID"
	[[ "$output" == *"exit code 5"* ]]
	c container delete "$ID"
	no_leftovers
}

@test "shim: a running task is still served after a containerd restart" {
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	ctrd_stop
	ctrd_start
	run c task ls
	[[ "$output" =~ $ID[[:space:]]+[0-9]+[[:space:]]+RUNNING ]]
	run c task exec --exec-id e2 "$ID" echo still-here </dev/null
	[ "$output" = still-here ]
	c task kill -s KILL "$ID"
	for i in $(seq 1 50); do c task ls | grep -q "$ID.*STOPPED" && break; sleep 0.1; done
	run c task delete "$ID"
	[[ "$output" == *"exit code 137"* ]]
	c container delete "$ID"
	no_leftovers
}

@test "shim: containers of one pod (io.kubernetes.cri.sandbox-id) share one shim" {
	local sb="pod-$$"
	c run -d --annotation "io.kubernetes.cri.sandbox-id=$sb" "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	c run -d --annotation "io.kubernetes.cri.sandbox-id=$sb" "${OPTS[@]}" "$IMAGE" "$ID-b" sleep 1000 </dev/null
	run shim_pids
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	c task kill -s KILL "$ID"; c task kill -s KILL "$ID-b"
	for i in $(seq 1 50); do [ "$(c task ls | grep -c STOPPED)" -eq 2 ] && break; sleep 0.1; done
	c task delete "$ID" || true
	run shim_pids
	[ "${#lines[@]}" -eq 1 ]
	c task delete "$ID-b" || true
	c container delete "$ID" "$ID-b"
	no_leftovers
}

@test "shim: a failed create reports the runtime's error and leaves nothing behind" {
	run c run --rm "${OPTS[@]}" "$IMAGE" "$ID" /no/such/program </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file or directory"* ]]
	c container delete "$ID" 2>/dev/null || true
	no_leftovers
}

@test "shim: checkpoint answers a clear error" {
	[ "$SHIM" = io.containerd.nrunc.v2 ] || skip "nrunc shim's own message"
	c run -d "${OPTS[@]}" "$IMAGE" "$ID" sleep 1000 </dev/null
	run c task checkpoint "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"checkpoint is not supported"* ]]
	stop_task "$ID"
}

@test "shim: nothing left behind (shims, sockets)" {
	ctrd_stop
	no_leftovers
	run comm -13 "$BATS_FILE_TMPDIR/sockets.before" <(ls /run/containerd/s)
	echo "$output"
	[ -z "$output" ]
	ctrd_start
}
