#!/usr/bin/env bats
# run/create/start/state/kill/delete/list/ps, pid file, log format, error cases.

load helpers

@test "run: exit status of the container process is returned" {
	set_args sh -c 'exit 3'
	track "$ID"
	run runtime run "$ID"
	[ "$status" -eq 3 ]
	[ ! -e "$ROOT/$ID" ]
}

@test "run: exit 0 and the container is deleted afterwards" {
	set_args true
	track "$ID"
	run runtime run "$ID"
	[ "$status" -eq 0 ]
	run runtime state "$ID"
	[ "$status" -ne 0 ]
}

@test "run: killed by a signal returns 128+signal" {
	# pid 1 of a pid namespace ignores signals it has no handler for, so kill from outside.
	set_args sleep 1000
	track "$ID"
	local pid rc
	runtime run "$ID" </dev/null >/dev/null 2>&1 &
	pid=$!
	wait_status "$ID" running
	runtime kill "$ID" KILL
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]

	# a status above 128 reported by the process itself passes through unchanged
	set_args sh -c 'exit 130'
	run runtime run "$ID"
	[ "$status" -eq 130 ]
}

@test "run: stdin, stdout and stderr pass through" {
	set_args sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'
	track "$ID"
	echo hello | runtime run "$ID" >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[ "$(cat "$BATS_TEST_TMPDIR/o")" = "out:hello" ]
	grep -qx "err:hello" "$BATS_TEST_TMPDIR/e"
}

@test "run: large output is not truncated" {
	set_args sh -c 'seq 1 20000'
	track "$ID"
	runtime run "$ID" >"$BATS_TEST_TMPDIR/o"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/o")" -eq 20000 ]
	[ "$(tail -n1 "$BATS_TEST_TMPDIR/o")" = 20000 ]
}

@test "create/start: statuses created, running, stopped and state fields" {
	set_args sh -c 'echo started > /tmp/started; read x < /dev/null; sleep 1000'
	update_config '.annotations = {"org.nrunc.test": "yes"}'
	run create_ctr
	[ "$status" -eq 0 ]
	run runtime state "$ID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.status == "created"'
	echo "$output" | jq -e --arg id "$ID" '.id == $id'
	echo "$output" | jq -e '.pid > 0'
	echo "$output" | jq -e --arg b "$BUNDLE" '.bundle == $b'
	echo "$output" | jq -e '.ociVersion | type == "string"'
	echo "$output" | jq -e '.annotations["org.nrunc.test"] == "yes"'
	# The user process has not run yet.
	[ ! -e "$BUNDLE/rootfs/tmp/started" ]
	local pid
	pid=$(echo "$output" | jq .pid)
	kill -0 "$pid"

	run runtime start "$ID"
	[ "$status" -eq 0 ]
	wait_status "$ID" running
	retry 50 0.05 test -e "$BUNDLE/rootfs/tmp/started"
	[ "$(init_pid)" = "$pid" ]

	runtime kill "$ID" KILL
	wait_status "$ID" stopped
	run runtime state "$ID"
	echo "$output" | jq -e '.status == "stopped"'
	run runtime delete "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/$ID" ]
	run runtime state "$ID"
	[ "$status" -ne 0 ]
}

@test "state: only JSON on stdout, nothing on stderr" {
	run_busybox_detached
	runtime state "$ID" >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	jq -e . "$BATS_TEST_TMPDIR/o" >/dev/null
	[ ! -s "$BATS_TEST_TMPDIR/e" ]
}

@test "start: a stopped container cannot be started again" {
	set_args true
	create_ctr
	runtime start "$ID"
	wait_status "$ID" stopped
	run runtime start "$ID"
	[ "$status" -ne 0 ]
}

@test "kill: by name, SIG-prefixed name and number" {
	local sig
	for sig in TERM SIGTERM 15 SIGKILL 9 KILL; do
		# init has a TERM handler (pid 1 ignores handler-less signals other than KILL)
		run_busybox_detached "$ID" sh -c 'trap "exit 0" TERM; touch /tmp/trapped; while true; do sleep 0.1; done'
		# a TERM before the trap is set would be ignored (pid 1 without a handler)
		retry 100 0.05 runtime exec "$ID" test -e /tmp/trapped
		run runtime kill "$ID" "$sig"
		[ "$status" -eq 0 ]
		wait_status "$ID" stopped
		runtime delete "$ID"
	done
}

@test "kill: signal is delivered to the container process (USR1 trap)" {
	run_busybox_detached "$ID" sh -c 'trap "echo got-usr1 > /tmp/usr1" USR1; while true; do sleep 0.1; done'
	sleep 0.3
	runtime kill "$ID" USR1
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/usr1"
	[ "$(cat "$BUNDLE/rootfs/tmp/usr1")" = got-usr1 ]
}

@test "kill: default signal is TERM" {
	run_busybox_detached "$ID" sh -c 'trap "echo got-term > /tmp/term; exit 0" TERM; while true; do sleep 0.1; done'
	sleep 0.3
	runtime kill "$ID"
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/term"
	wait_status "$ID" stopped
}

@test "kill: invalid signal fails" {
	run_busybox_detached
	run runtime kill "$ID" NOSUCHSIG
	[ "$status" -ne 0 ]
	wait_status "$ID" running
}

@test "delete: running container refused without --force, removed with --force" {
	run_busybox_detached
	local pid
	pid=$(init_pid)
	run runtime delete "$ID"
	[ "$status" -ne 0 ]
	kill -0 "$pid"
	run runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/$ID" ]
	retry 50 0.05 sh -c "! kill -0 $pid 2>/dev/null"
	# cgroup is gone as well
	[ ! -d "$(cgroup_dir pids)" ]
}

@test "delete: created (not started) container is removed with --force" {
	create_ctr
	local pid
	pid=$(init_pid)
	runtime delete --force "$ID"
	[ ! -e "$ROOT/$ID" ]
	retry 50 0.05 sh -c "! kill -0 $pid 2>/dev/null"
}

@test "delete: stopped container, cgroup removed" {
	# not run_busybox_detached: it waits for "running", which a 0.2 s container may already have left under load
	set_args sh -c 'sleep 0.2'
	track "$ID"
	rt run -d --bundle "$BUNDLE" "$ID"
	wait_status "$ID" stopped
	[ -d "$(cgroup_dir pids)" ]
	runtime delete "$ID"
	[ ! -e "$ROOT/$ID" ]
	[ ! -d "$(cgroup_dir pids)" ]
}

@test "list: json, -q and table" {
	run runtime list --format json
	[ "$status" -eq 0 ]
	# An empty list is [] (or, for runc, null); never an error.
	echo "$output" | jq -e '(. == []) or (. == null)'

	run_busybox_detached "$ID-a"
	run_busybox_detached "$ID-b"
	run runtime list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'length == 2'
	echo "$output" | jq -e --arg id "$ID-a" 'map(select(.id == $id))[0] | .status == "running" and .pid > 0'
	echo "$output" | jq -e --arg b "$BUNDLE" 'all(.bundle == $b)'

	run runtime list -q
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "$ID-a $ID-b " ]

	run runtime list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER* ]]
	[[ "$output" == *"$ID-a"*running* ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "ps: json lists the host pids, table has a PID column" {
	run_busybox_detached "$ID" sh -c 'sleep 1000 & sleep 1000'
	sleep 0.3
	local pid
	pid=$(init_pid)
	run runtime ps --format json "$ID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
	echo "$output" | jq -e 'length == 2'
	run runtime ps "$ID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[[ "$output" == *"$pid"* ]]
}

@test "pid file: decimal pid with no newline, written by create" {
	set_args sleep 1000
	create_ctr "$ID" --pid-file "$BATS_TEST_TMPDIR/pid"
	[ -f "$BATS_TEST_TMPDIR/pid" ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(init_pid)" ]
	# no trailing newline
	[ "$(tail -c1 "$BATS_TEST_TMPDIR/pid" | od -An -c | tr -d ' ')" != '\n' ]
	grep -Eqx '[0-9]+' "$BATS_TEST_TMPDIR/pid"
	# relative pid file path is relative to the caller's cwd
	cd "$BATS_TEST_TMPDIR"
	create_ctr "$ID-2" --pid-file rel.pid
	[ "$(cat "$BATS_TEST_TMPDIR/rel.pid")" = "$(init_pid "$ID-2")" ]
}

@test "--log json: error lines are JSON objects with level, msg, time" {
	run "$RUNTIME" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json state no-such-container
	[ "$status" -ne 0 ]
	[ -s "$BATS_TEST_TMPDIR/log.json" ]
	# every line is an object with level, msg and time
	jq -e -s 'all(has("level") and has("msg") and has("time"))' "$BATS_TEST_TMPDIR/log.json"
	jq -e -s 'map(select(.level == "error"))[-1].msg | test("does not exist")' "$BATS_TEST_TMPDIR/log.json"
	# time is RFC 3339
	jq -e -s '.[-1].time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}")' "$BATS_TEST_TMPDIR/log.json"
}

@test "--log json: a failed create writes an error naming the problem" {
	set_args /no/such/binary
	track "$ID"
	run "$RUNTIME" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	jq -e -s 'map(select(.level == "error")) | length >= 1' "$BATS_TEST_TMPDIR/log.json"
	jq -e -s 'map(select(.level == "error"))[-1].msg | test("no such file|not found|No such file"; "i")' "$BATS_TEST_TMPDIR/log.json"
	[ ! -e "$ROOT/$ID" ]
}

@test "errors: unknown id says 'does not exist' and exits 1" {
	local verb
	for verb in state start delete kill pause resume ps; do
		run runtime "$verb" no-such-ctr
		echo "$verb: $status $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"does not exist"* ]]
	done
	# runc's exec exits 255 on its own errors (the process' status otherwise)
	run runtime exec no-such-ctr true
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]]
}

@test "errors: duplicate id says 'container with id exists'" {
	run_busybox_detached
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 1 ]
	# CONTRACTS.md: "container with id exists"; runc 1.1.5 says "container with given ID already exists"
	[[ "$output" == *"container with id exists"* ]] || { is_runc && [[ "$output" == *"already exists"* ]]; }
	# the first container is untouched
	wait_status "$ID" running
}

@test "errors: malformed config.json fails and leaves nothing in --root" {
	track "$ID"
	echo '{ "ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "errors: missing process.args, missing rootfs, missing config" {
	track "$ID"
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
	update_config 'del(.process.args)'
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]

	jq '.root.path = "no-such-rootfs"' "$BATS_TEST_TMPDIR/good.json" >"$BUNDLE/config.json"
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]

	rm "$BUNDLE/config.json"
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]
	[ ! -d "$(cgroup_dir pids)" ]
}

@test "errors: invalid container id is rejected" {
	run rt create --bundle "$BUNDLE" "../escape"
	[ "$status" -ne 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
	run rt create --bundle "$BUNDLE" "a/b"
	[ "$status" -ne 0 ]
}

@test "errors: executable not found fails at create with nothing left" {
	set_args /bin/does-not-exist
	track "$ID"
	run rt run "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]
}

@test "pause/resume: freezer state and status paused" {
	run_busybox_detached
	run runtime pause "$ID"
	[ "$status" -eq 0 ]
	wait_status "$ID" paused
	[ "$(cat "$(cgroup_dir freezer)/freezer.state")" = FROZEN ]
	run runtime resume "$ID"
	[ "$status" -eq 0 ]
	wait_status "$ID" running
	[ "$(cat "$(cgroup_dir freezer)/freezer.state")" = THAWED ]
}

@test "pause/resume: wrong-state operations fail" {
	run_busybox_detached
	run runtime resume "$ID"
	[ "$status" -ne 0 ]
	runtime kill "$ID" KILL
	wait_status "$ID" stopped
	run runtime pause "$ID"
	[ "$status" -ne 0 ]
}

@test "run --detach: returns at once with the container running" {
	set_args sleep 1000
	track "$ID"
	local t0 t1
	t0=$(date +%s%N)
	rt run -d "$ID"
	t1=$(date +%s%N)
	wait_status "$ID" running
	# generous bound: detach must not wait for the process (sleep 1000)
	[ $(((t1 - t0) / 1000000)) -lt 10000 ]
}

@test "version: three lines with version and spec" {
	run "$RUNTIME" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"version "* ]]
	[[ "$output" == *"spec: "* ]]
}

@test "spec: writes a valid default config.json" {
	cd "$BATS_TEST_TMPDIR"
	mkdir specdir && cd specdir
	run "$RUNTIME" spec
	[ "$status" -eq 0 ]
	jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length > 0)' config.json
	# refuses to overwrite
	run "$RUNTIME" spec
	[ "$status" -ne 0 ]
}

@test "features: JSON with the spec version range, all hooks and namespaces" {
	run runtime features
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ociVersionMin and .ociVersionMax and (.hooks | index("poststop")) and (.hooks | index("createRuntime")) and (.linux.namespaces | index("pid")) and (.linux.namespaces | index("user"))'
}

@test "errors: an unknown flag fails with exit 1 and names the flag" {
	run runtime state --bogus-flag x
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *bogus-flag* ]]
	[ ! -e "$ROOT/x" ]
}
