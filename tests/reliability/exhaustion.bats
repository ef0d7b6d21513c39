#!/usr/bin/env bats
# Exhaustion inside a container (fork bomb under a pids limit, memory hog under a memory limit, fds
# used up): the host and the runtime are unaffected, state/exec/delete still work, nothing is left.

load helpers

@test "exhaustion: a fork bomb stops at the pids limit; host, state and delete unaffected" {
	update_config '.linux.resources.pids = {"limit": 40}'
	# the bomb's shell gives up when fork fails; init then needs no fork to stay (exec)
	run_busybox_detached "$ID" sh -c '(while true; do sleep 1000 & done) 2>/dev/null; exec sleep 1000'
	local cg
	cg=$(cgroup_dir pids)
	# a fork was refused at the limit (pids.events "max N"), and the count never went above it
	retry 200 0.05 sh -c "grep -q '^max [1-9]' $cg/pids.events"
	[ "$(cat "$cg/pids.current")" -ge 30 ]
	[ "$(cat "$cg/pids.peak" 2>/dev/null || cat "$cg/pids.current")" -le 40 ]
	# the host still forks, the runtime still answers
	run /bin/true
	[ "$status" -eq 0 ]
	wait_status "$ID" running
	run runtime ps "$ID"
	[ "$status" -eq 0 ]
	run runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$ID"
}

@test "exhaustion: a memory hog is OOM-killed inside its memory limit; state and delete still work" {
	update_config '.linux.resources.memory = {"limit": 33554432}'
	set_args sh -c 'tail /dev/zero'
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "exit $status: $output"
	# killed by the OOM killer (SIGKILL)
	[ "$status" -eq 137 ]
	run runtime list -q
	[ "$status" -eq 0 ]
	assert_nothing_left "$ID"
}

@test "exhaustion: a container that used up its fds can still be exec'd into, stated and deleted" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 32, "hard": 32}]'
	# open fds until the limit (a failed `exec N<` would end the shell, so each one is tried in a subshell first)
	run_busybox_detached "$ID" sh -c 'i=3; while ( eval "exec $i</dev/null" ) 2>/dev/null; do eval "exec $i</dev/null"; i=$((i+1)); done; exec sleep 1000'
	local pid
	pid=$(init_pid)
	retry 200 0.05 bash -c "[ \$(ls /proc/$pid/fd | wc -l) -ge 32 ]"
	run runtime exec "$ID" sh -c 'ls /proc/1/fd | wc -l'
	echo "fds of pid 1: $output"
	[ "$status" -eq 0 ]
	[ "$output" -eq 32 ]
	run runtime state "$ID"
	[ "$status" -eq 0 ]
	wait_status "$ID" running
	run runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$ID"
}

@test "exhaustion: the runtime itself under a tiny fd limit fails cleanly or works, and leaves nothing" {
	track "$ID"
	local rc=0 out
	out=$(ulimit -n 12; "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null 2>&1) || rc=$?
	echo "exit $rc: $out"
	! grep -qE 'Unhandled exception|   at [A-Za-z]+\.' <<<"$out"
	[ "$rc" -le 1 ]
	runtime delete --force "$ID"
	assert_nothing_left "$ID"
}
