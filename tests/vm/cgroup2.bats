#!/usr/bin/env bats
# cgroup v2 behaviour, run inside the cgroup-v2-only qemu guest by tests/vm/run-cgroup2-tests.sh (with nrunc and
# with runc): limits read back from the unified hierarchy, the eBPF device filter (OOM events: tests/integration/cgroup-resources.bats).

load ../integration/helpers
load cgroup2-helpers

setup() {
	is_cgroup2 || skip "needs a cgroup v2 host (run through tests/vm/run-cgroup2-tests.sh)"
	setup_bundle
}

# The device tests make their own nodes: the container needs CAP_MKNOD.
with_mknod() { update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'; }

@test "v2: memory, cpu, pids limits are written to the unified hierarchy" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}
		| .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}
		| .linux.resources.pids = {"limit": 77}'
	run_busybox_detached
	local d
	d=$(cgroup_dir)
	[ "$(cat "$d/memory.max")" = 67108864 ]
	[ "$(cat "$d/memory.low")" = 33554432 ]
	[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	[ "$(cat "$d/pids.max")" = 77 ]
	grep -qx "$(init_pid)" "$d/cgroup.procs"
	runtime delete --force "$ID"
	[ ! -d "$d" ]
}

@test "v2 devices: the default rules allow /dev/null-like devices and deny others (eBPF filter)" {
	with_mknod
	run_busybox_detached
	# mknod of any char device is allowed (c *:* m), opening it only when a rule allows it
	run runtime exec "$ID" sh -c 'mknod /tmp/zero c 1 5 && mknod /tmp/fuse c 10 229 && head -c 3 /tmp/zero | wc -c'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
	run runtime exec "$ID" sh -c 'exec 3</tmp/fuse && echo opened'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

# /dev/fuse (c 10:229) is in none of the default rules and needs no capability to open: "Operation not permitted"
# comes from the device filter; allowed, it opens or fails otherwise (ENODEV without the fuse module).
@test "v2 devices: linux.resources.devices allows reading but not writing a device" {
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
	with_mknod
	run_busybox_detached
	run runtime exec "$ID" sh -c 'mknod /tmp/fuse c 10 229 && (exec 3</tmp/fuse) 2>&1; echo done'
	echo "$output"
	[[ "$output" == *done* && "$output" != *"Operation not permitted"* ]]
	run runtime exec "$ID" sh -c 'exec 3>/tmp/fuse && echo opened'
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	# a block device: runc's defaults allow b *:* m, nothing allows opening it
	run runtime exec "$ID" sh -c 'mknod /tmp/blk b 7 0 && exec 3</tmp/blk && echo opened'
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "v2 devices: update replaces the filter" {
	skip_if_runc "runc 1.1 update does not take device rules"
	with_mknod
	run_busybox_detached
	run runtime exec "$ID" sh -c 'mknod /tmp/fuse c 10 229 && exec 3</tmp/fuse && echo opened'
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	echo '{"devices": [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]}' | runtime update --resources - "$ID"
	run runtime exec "$ID" sh -c '(exec 3<>/tmp/fuse) 2>&1; echo done'
	echo "$output"
	[[ "$output" == *done* && "$output" != *"Operation not permitted"* ]]
}

@test "v2 ownership: with its own user and cgroup namespace, container root owns its cgroup" {
	skip_if_runc "runc 1.1.5 does not hand the cgroup over (runc 1.2 does)"
	# the mapped root must reach the rootfs through bats' 0700 temp dirs
	local p=$BUNDLE
	while [ "$p" != / ]; do chmod o+x "$p"; p=$(dirname "$p"); done
	update_config '.linux.namespaces += [{"type": "user"}, {"type": "cgroup"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_busybox_detached
	local d
	d=$(cgroup_dir)
	[ "$(stat -c %u:%g "$d")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$d/cgroup.procs")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$d/cgroup.subtree_control")" = 100000:100000 ]
	[ "$(stat -c %u "$d/memory.max")" = 0 ]
}
