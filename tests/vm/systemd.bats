#!/usr/bin/env bats
# The systemd cgroup driver against a real systemd: run inside the guest booted with CGROUP2_VM_INIT=systemd by
# tests/vm/run-cgroup2-tests.sh (with nrunc and with runc), once on cgroup v2 and once on a v1 hybrid layout like
# this project's hosts (CGROUP2_VM_CGROUP=v1). Containers go to system.slice:nrunc-test:<id> scopes.

load ../integration/helpers
load cgroup2-helpers

setup() {
	[ -d /run/systemd/system ] || skip "needs systemd as PID 1 (CGROUP2_VM_INIT=systemd)"
	setup_bundle
	UNIT="nrunc-test-$ID.scope"
	CGPATH="system.slice/$UNIT"
	update_config '.linux.cgroupsPath = "system.slice:nrunc-test:'"$ID"'"'
}

# sd_file CONTROLLER V1FILE V2FILE: the container's cgroup file on this host's layout.
sd_file() {
	if is_cgroup2; then echo "/sys/fs/cgroup/$CGPATH/$3"; else echo "/sys/fs/cgroup/$1/$CGPATH/$2"; fi
}
sd_dir() { if is_cgroup2; then echo "/sys/fs/cgroup/$CGPATH"; else echo "/sys/fs/cgroup/${1:-pids}/$CGPATH"; fi; }
prop() { systemctl show -p "$1" --value "$UNIT"; }
# every hierarchy this layout has (v2: the one), so tests can check the dirs are gone
all_dirs() {
	if is_cgroup2; then echo "/sys/fs/cgroup/$CGPATH"; return; fi
	local c
	for c in memory cpu,cpuacct pids cpuset freezer devices blkio systemd; do echo "/sys/fs/cgroup/$c/$CGPATH"; done
}

# run -d with the systemd driver (the helper's run_busybox_detached has no global flags)
run_busybox_detached_sd() {
	set_args sleep 1000
	track "$ID"
	rt --systemd-cgroup run -d --bundle "$BUNDLE" "$ID" >&2
	wait_status "$ID" running
}

@test "systemd: create/start/state/update/pause/resume/delete in a transient scope, unit gone after" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50} | .linux.resources.cpu = {"shares": 512}'
	set_args sleep 1000
	track "$ID"
	rt --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	[ "$(systemctl is-active "$UNIT")" = active ]
	grep -qx "$(init_pid)" "$(sd_dir pids)/cgroup.procs"
	grep -qx "$(init_pid)" "$(sd_dir memory)/cgroup.procs"
	[ "$(cat "$(sd_file memory memory.limit_in_bytes memory.max)")" = 67108864 ]
	[ "$(cat "$(sd_file pids pids.max pids.max)")" = 50 ]
	[ "$(prop TasksMax)" = 50 ]
	if is_cgroup2; then [ "$(prop MemoryMax)" = 67108864 ]; else [ "$(prop MemoryLimit)" = 67108864 ]; fi
	runtime --systemd-cgroup start "$ID"
	wait_status "$ID" running
	runtime --systemd-cgroup update --pids-limit 60 --memory 50331648 "$ID"
	[ "$(cat "$(sd_file pids pids.max pids.max)")" = 60 ]
	[ "$(cat "$(sd_file memory memory.limit_in_bytes memory.max)")" = 50331648 ]
	[ "$(prop TasksMax)" = 60 ]
	runtime --systemd-cgroup pause "$ID"
	[ "$(runtime state "$ID" | jq -r .status)" = paused ]
	if is_cgroup2; then grep -qx 'frozen 1' "$(sd_dir)/cgroup.events"; else [ "$(cat "$(sd_dir freezer)/freezer.state")" = FROZEN ]; fi
	runtime --systemd-cgroup resume "$ID"
	[ "$(runtime state "$ID" | jq -r .status)" = running ]
	runtime --systemd-cgroup kill "$ID" KILL
	retry 100 0.1 sh -c "[ \"\$($RUNTIME --root $ROOT state $ID | jq -r .status)\" = stopped ]"
	runtime --systemd-cgroup delete "$ID"
	local d
	for d in $(all_dirs); do [ ! -d "$d" ] || { echo "left: $d"; false; }; done
	run systemctl is-active "$UNIT"
	[ "$output" != active ]
	run systemctl status "$UNIT"
	echo "$output"
	[ "$status" -eq 4 ] # no such unit
}

@test "systemd: linux.resources become the unit's properties (memory, cpu weight, quota, tasks) and the files agree" {
	update_config '.linux.resources.memory = {"limit": 100663296} | .linux.resources.pids = {"limit": 77}
		| .linux.resources.cpu = {"shares": 2048, "quota": 25000, "period": 50000}'
	run_busybox_detached_sd
	[ "$(prop TasksMax)" = 77 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(prop CPUQuotaPeriodUSec)" = 50ms ]
	if is_cgroup2; then
		[ "$(prop MemoryMax)" = 100663296 ]
		# shares 2048 → weight 1 + ((2048 - 2) * 9999) / 262142 = 79
		[ "$(prop CPUWeight)" = 79 ]
		[ "$(cat "$(sd_dir)/cpu.weight")" = 79 ]
		[ "$(cat "$(sd_dir)/cpu.max")" = "25000 50000" ]
	else
		[ "$(prop MemoryLimit)" = 100663296 ]
		[ "$(prop CPUShares)" = 2048 ]
		[ "$(cat "$(sd_dir cpu,cpuacct)/cpu.shares")" = 2048 ]
		[ "$(cat "$(sd_dir cpu,cpuacct)/cpu.cfs_quota_us")" = 25000 ]
		[ "$(cat "$(sd_dir cpu,cpuacct)/cpu.cfs_period_us")" = 50000 ]
	fi
	# update: systemd's view follows, so a later re-apply of the unit does not undo it
	runtime --systemd-cgroup update --cpu-quota 30000 --cpu-period 100000 --pids-limit 88 "$ID"
	[ "$(prop TasksMax)" = 88 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 300ms ]
	[ "$(prop CPUQuotaPeriodUSec)" = 100ms ]
	[ "$(cat "$(sd_file pids pids.max pids.max)")" = 88 ]
}

@test "systemd: exec'd processes join the container's scope; ps lists them" {
	run_busybox_detached_sd
	rt --systemd-cgroup exec -d "$ID" sleep 999
	retry 50 0.1 sh -c "[ \$(wc -l <$(sd_dir pids)/cgroup.procs) -eq 2 ]"
	run runtime --systemd-cgroup ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq length)" -eq 2 ]
	runtime --systemd-cgroup delete --force "$ID"
	[ ! -d "$(sd_dir pids)" ]
}

@test "systemd: a nested slice is expanded (a-b.slice under a.slice) and the scope goes in it" {
	local slice="nrunctest$$-sub.slice"
	update_config '.linux.cgroupsPath = "'"$slice"':nrunc-test:'"$ID"'"'
	CGPATH="nrunctest$$.slice/$slice/$UNIT"
	run_busybox_detached_sd
	grep -qx "$(init_pid)" "$(sd_dir pids)/cgroup.procs"
	[ "$(prop Slice)" = "$slice" ]
	runtime --systemd-cgroup delete --force "$ID"
	[ ! -d "$(sd_dir pids)" ]
	systemctl stop "$slice" "nrunctest$$.slice"
}

@test "systemd: without a cgroupsPath the scope is system.slice/runc-<id>.scope, as runc names it" {
	update_config 'del(.linux.cgroupsPath)'
	UNIT="runc-$ID.scope" CGPATH="system.slice/runc-$ID.scope"
	run_busybox_detached_sd
	[ "$(systemctl is-active "$UNIT")" = active ]
	grep -qx "$(init_pid)" "$(sd_dir pids)/cgroup.procs"
	runtime --systemd-cgroup delete --force "$ID"
	run systemctl status "$UNIT"
	[ "$status" -eq 4 ]
}

# systemd re-applies a unit's device settings when they change or on daemon-reload: with its default device policy
# it would write "a" to devices.allow on v1 and open every device. /dev/fuse (c 10:229) is in no default rule.
# (daemon-reload itself is not used: in the TCG guest it sometimes takes minutes.)
@test "systemd: device rules survive systemd re-applying the unit's device settings" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	run_busybox_detached_sd
	[ "$(prop DevicePolicy)" = strict ]
	systemctl set-property --runtime "$UNIT" DevicePolicy=strict TasksMax=100
	if ! is_cgroup2; then
		run cat "$(sd_dir devices)/devices.list"
		echo "$output"
		[[ "$output" != *"a *:* rwm"* ]]
	fi
	run runtime exec "$ID" sh -c 'mknod /tmp/fuse c 10 229 && exec 3</tmp/fuse && echo opened'
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	run runtime exec "$ID" sh -c 'head -c 3 /dev/zero | wc -c'
	[ "$output" = 3 ]
}

@test "systemd: delete --force of a running container stops the unit" {
	run_busybox_detached_sd
	[ "$(systemctl is-active "$UNIT")" = active ]
	runtime --systemd-cgroup delete --force "$ID"
	local d
	for d in $(all_dirs); do [ ! -d "$d" ] || { echo "left: $d"; false; }; done
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
