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

@test "exec: seccomp SCMP_ACT_NOTIFY: the exec'd process's listener reaches the agent" {
	load seccomp-agent
	start_seccomp_agent
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],
		\"listenerPath\": \"$AGENT_SOCK\", \"listenerMetadata\": \"exec-meta\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	run_busybox_detached
	# init's listener first
	wait_agent_states 1
	# the agent answers "success" without doing anything
	run runtime exec "$ID" sh -c 'echo $$ > /tmp/exec.pid; mkdir /tmp/d && echo MADE; [ -d /tmp/d ] || echo ABSENT'
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr '\n' ' ')" = "MADE ABSENT " ]
	wait_agent_states 2
	cat "$AGENT_OUT/state-2.json"
	jq -e --arg id "$ID" --argjson init "$(init_pid)" '.fds == ["seccompFd"] and .metadata == "exec-meta"
		and .state.id == $id and .state.status == "running" and .state.pid == $init and .pid > 0 and .pid != $init' \
		"$AGENT_OUT/state-2.json"
	cat "$AGENT_OUT/notify.log"
	grep -Eq '^nr=(83|258) ' "$AGENT_OUT/notify.log"
}

@test "exec: process.scheduler from --process is applied" {
	skip_if_runc "process.scheduler is not implemented"
	run_busybox_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "cut -d' ' -f19,41 /proc/self/stat"], "env": ["PATH=/bin"], "cwd": "/",
 "scheduler": {"policy": "SCHED_BATCH", "nice": 7}}
JSON
	run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# nice 7, policy SCHED_BATCH (3)
	[ "$output" = "7 3" ]
}

@test "exec: the container's process.scheduler and ioPriority apply to exec'd processes" {
	skip_if_runc "process.scheduler and ioPriority are not implemented"
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"} | .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run_busybox_detached
	run runtime exec "$ID" sh -c 'cut -d" " -f41 /proc/self/stat; ionice -p $$'
	echo "$output"
	[ "$status" -eq 0 ]
	# SCHED_IDLE (5)
	[ "${lines[0]}" = 5 ]
	[[ "${lines[1]}" == *"best-effort"*"6"* ]]
}

@test "exec: process.ioPriority from --process is applied" {
	skip_if_runc "process.ioPriority is not implemented"
	run_busybox_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "ionice -p $$"], "env": ["PATH=/bin"], "cwd": "/",
 "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 0}}
JSON
	run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *idle* ]]
}

@test "exec: execCPUAffinity.final is the affinity the process runs with" {
	skip_if_runc "process.execCPUAffinity is not implemented"
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	run_busybox_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"], "env": ["PATH=/bin"], "cwd": "/",
 "execCPUAffinity": {"initial": "0", "final": "1"}}
JSON
	run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "Cpus_allowed_list:	1" ]
}

@test "exec: execCPUAffinity.initial alone is kept through the cgroup move (the runtime does not reset it)" {
	skip_if_runc "process.execCPUAffinity is not implemented"
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	update_config '.process.execCPUAffinity = {"initial": "1"}'
	run_busybox_detached
	run runtime exec "$ID" grep Cpus_allowed_list /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	# without "final" the runtime leaves the affinity to the kernel, which (Linux >= 6.2) keeps the requested mask
	# within the cgroup's cpus
	[ "$output" = "Cpus_allowed_list:	1" ]
}

@test "exec: an invalid execCPUAffinity fails exec naming the field, the container lives on" {
	skip_if_runc "process.execCPUAffinity is not implemented"
	run_busybox_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"user": {"uid": 0, "gid": 0}, "args": ["true"], "env": ["PATH=/bin"], "cwd": "/", "execCPUAffinity": {"final": "9999"}}
JSON
	run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *execCPUAffinity* ]]
	wait_status "$ID" running
	run runtime ps --format json "$ID"
	echo "$output" | jq -e 'length == 1'
}

@test "exec: linux.personality LINUX32 applies to exec'd processes" {
	skip_if_runc "linux.personality is not implemented"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run_busybox_detached
	run runtime exec "$ID" uname -m
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == i?86 ]]
}
