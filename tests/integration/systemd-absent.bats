#!/usr/bin/env bats
# --systemd-cgroup on a host where systemd is not PID 1 (these machines): a clear error, nothing left behind.
# The driver itself is tested against a real systemd in tests/vm/systemd.bats.

load helpers

@test "systemd driver without systemd as PID 1: a clear error, no state, no cgroups, no process" {
	[ ! -d /run/systemd/system ] || skip "systemd is PID 1 here: tests/vm/systemd.bats covers the driver"
	update_config '.linux.cgroupsPath = "system.slice:nrunc-test:'"$ID"'"'
	set_args sleep 100
	track "$ID"
	run rt --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd not running on this host"* ]]
	[ ! -e "$ROOT/$ID" ]
	local d
	for d in /sys/fs/cgroup/*/system.slice/nrunc-test-"$ID".scope /sys/fs/cgroup/*/nrunc-test-"$ID"*; do [ ! -e "$d" ]; done
	! pgrep -f "sleep 100$" >/dev/null
}
