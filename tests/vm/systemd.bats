#!/usr/bin/env bats
# The systemd cgroup driver against a real systemd: run inside the guest booted with CGROUP2_VM_INIT=systemd by
# tests/vm/run-cgroup2-tests.sh (with nrunc and with runc). Containers go to system.slice:nrunc-test:<id> scopes.

load ../integration/helpers
load cgroup2-helpers

setup() {
	[ -d /run/systemd/system ] || skip "needs systemd as PID 1 (CGROUP2_VM_INIT=systemd)"
	setup_bundle
	UNIT="nrunc-test-$ID.scope"
	update_config '.linux.cgroupsPath = "system.slice:nrunc-test:'"$ID"'"'
}

@test "systemd: create/start/state/update/pause/resume/delete in a transient scope, unit gone after" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50} | .linux.resources.cpu = {"shares": 512}'
	set_args sleep 1000
	track "$ID"
	rt --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	local d=/sys/fs/cgroup/system.slice/$UNIT
	[ "$(systemctl is-active "$UNIT")" = active ]
	grep -qx "$(init_pid)" "$d/cgroup.procs"
	[ "$(cat "$d/memory.max")" = 67108864 ]
	[ "$(cat "$d/pids.max")" = 50 ]
	[ "$(systemctl show -p MemoryMax --value "$UNIT")" = 67108864 ]
	[ "$(systemctl show -p TasksMax --value "$UNIT")" = 50 ]
	runtime --systemd-cgroup start "$ID"
	wait_status "$ID" running
	runtime --systemd-cgroup update --pids-limit 60 --memory 50331648 "$ID"
	[ "$(cat "$d/pids.max")" = 60 ]
	[ "$(cat "$d/memory.max")" = 50331648 ]
	runtime --systemd-cgroup pause "$ID"
	[ "$(runtime state "$ID" | jq -r .status)" = paused ]
	grep -qx 'frozen 1' "$d/cgroup.events"
	runtime --systemd-cgroup resume "$ID"
	[ "$(runtime state "$ID" | jq -r .status)" = running ]
	run runtime --systemd-cgroup exec "$ID" cat /proc/self/cgroup
	echo "$output"
	[ "$status" -eq 0 ]
	runtime --systemd-cgroup kill "$ID" KILL
	retry 100 0.1 sh -c "[ \"\$($RUNTIME --root $ROOT state $ID | jq -r .status)\" = stopped ]"
	runtime --systemd-cgroup delete "$ID"
	[ ! -d "$d" ]
	run systemctl is-active "$UNIT"
	[ "$output" != active ]
	run systemctl status "$UNIT"
	echo "$output"
	[ "$status" -eq 4 ] # no such unit
}

@test "systemd: delete --force of a running container stops the unit" {
	set_args sleep 1000
	track "$ID"
	rt --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	[ "$(systemctl is-active "$UNIT")" = active ]
	runtime --systemd-cgroup delete --force "$ID"
	[ ! -d "/sys/fs/cgroup/system.slice/$UNIT" ]
	run systemctl status "$UNIT"
	[ "$status" -eq 4 ]
}

@test "systemd: a bad cgroupsPath is an error naming it, nothing left" {
	update_config '.linux.cgroupsPath = "not-a-systemd-path"'
	track "$ID"
	run rt --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"slice:prefix:name"* ]]
	[ ! -e "$ROOT/$ID" ]
}
