#!/usr/bin/env bats
# Exhaustion inside a container (fork bomb under a pids limit, memory hog under a memory limit, fds
# used up): the host and the runtime are unaffected, state/exec/delete still work, nothing is left.

load helpers

@test "exhaustion: a fork bomb stops at the pids limit; host, state and delete unaffected" {
	update_config '.linux.resources.pids = {"limit": 40}'
	run_busybox_detached "$ID" sh -c 'while true; do sleep 1000 & done'
	local cg
	cg=$(cgroup_dir pids)
	retry 100 0.05 sh -c "[ \$(cat $cg/pids.current) -ge 40 ]"
	sleep 0.5
	[ "$(cat "$cg/pids.current")" -le 40 ]
	[ "$(cat "$cg/pids.events" | awk '/max/ {print $2}')" -gt 0 ]
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
	run_busybox_detached "$ID" sh -c 'i=3; while eval "exec $i</dev/null" 2>/dev/null; do i=$((i+1)); done; echo $i > /tmp/fds; sleep 1000'
	retry 100 0.05 runtime exec "$ID" test -s /tmp/fds
	run runtime exec "$ID" cat /tmp/fds
	echo "first fd that failed: $output"
	[ "$status" -eq 0 ]
	[ "$output" -le 32 ]
	run runtime exec "$ID" sh -c 'ls /proc/1/fd | wc -l'
	[ "$status" -eq 0 ]
	[ "$output" -ge 30 ]
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
