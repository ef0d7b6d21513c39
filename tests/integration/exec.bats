#!/usr/bin/env bats
# exec into running containers.

load helpers

@test "exec: runs in the container's namespaces and cgroup" {
	run_busybox_detached
	run runtime exec "$ID" sh -c 'hostname; echo $$; cat /proc/1/cmdline | tr "\0" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = nrunc ]
	[ "${lines[1]}" != 1 ]
	[[ "${lines[2]}" == "sleep 1000"* ]]
}

@test "exec: exit status is returned" {
	run_busybox_detached
	run runtime exec "$ID" sh -c 'exit 42'
	[ "$status" -eq 42 ]
}

@test "exec: stdin/stdout/stderr pass through" {
	run_busybox_detached
	echo piped | runtime exec "$ID" sh -c 'read l; echo "out:$l"; echo "err:$l" >&2' >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[ "$(cat "$BATS_TEST_TMPDIR/o")" = out:piped ]
	grep -qx err:piped "$BATS_TEST_TMPDIR/e"
}

@test "exec: --env, --cwd, --user" {
	run_busybox_detached
	run runtime exec --env FOO=bar --env PATH=/bin --cwd /tmp --user 1000:1000 "$ID" sh -c 'echo $FOO; pwd; id -u; id -g'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
}

@test "exec: --additional-gids and --cap" {
	run_busybox_detached
	run runtime exec --user 1000:1000 --additional-gids 2000 "$ID" id -G
	echo "$output"
	[[ " $output " == *" 2000 "* ]]
	run runtime exec --cap CAP_SYS_ADMIN "$ID" grep CapBnd /proc/self/status
	echo "$output"
	# CAP_SYS_ADMIN is bit 21: 0x200000
	[ $((0x${output##*	} & 0x200000)) -ne 0 ]
}

@test "exec: the process inherits the container's env unless overridden" {
	update_config '.process.env += ["FROMCONFIG=yes"]'
	run_busybox_detached
	run runtime exec "$ID" sh -c 'echo $FROMCONFIG'
	[ "$output" = yes ]
}

@test "exec: --process JSON file" {
	run_busybox_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo from-process-json $X; pwd"],
 "env": ["PATH=/bin", "X=42"], "cwd": "/etc"}
JSON
	run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "from-process-json 42" ]
	[ "${lines[1]}" = /etc ]
}

@test "exec: --tty through the console socket" {
	run_busybox_detached
	start_recvtty --no-stdin
	run rt exec -d --tty --console-socket "$CONSOLE_SOCKET" "$ID" sh -c 'tty; echo exec-tty'
	echo "$output"
	[ "$status" -eq 0 ]
	run recvtty_output
	echo "$output"
	[[ "${lines[0]}" == /dev/pts/* ]]
	[[ "$output" == *exec-tty* ]]
}

@test "exec: --detach with --pid-file" {
	run_busybox_detached
	run rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 500
	echo "$output"
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ "$pid" =~ ^[0-9]+$ ]]
	[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 500 " ]
	# same pid namespace as init
	[ "$(readlink /proc/"$pid"/ns/pid)" = "$(readlink /proc/"$(init_pid)"/ns/pid)" ]
	run runtime ps --format json "$ID"
	echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
}

@test "exec: into a stopped container fails" {
	run_busybox_detached
	runtime kill "$ID" KILL
	wait_status "$ID" stopped
	run runtime exec "$ID" true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not running"* || "$output" == *"stopped"* ]]
}

@test "exec: into a paused container fails" {
	run_busybox_detached
	runtime pause "$ID"
	run timeout 10 "$RUNTIME" --root "$ROOT" exec "$ID" true
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	runtime resume "$ID"
}

@test "exec: into a created (not started) container works" {
	set_args sleep 1000
	create_ctr
	run runtime exec "$ID" sh -c 'echo in-created'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = in-created ]
}

@test "exec: missing binary fails with a clear error" {
	run_busybox_detached
	run runtime exec "$ID" /no/such/bin
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file"* || "$output" == *"No such file"* || "$output" == *"not found"* ]]
}

@test "exec: many exec calls in a row leave no processes behind" {
	run_busybox_detached
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do runtime exec "$ID" true; done
	run runtime ps --format json "$ID"
	echo "$output" | jq -e 'length == 1'
}
