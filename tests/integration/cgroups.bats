#!/usr/bin/env bats
# cgroup v1 resources, read back from the host's cgroup files of the container.

load helpers

@test "cgroups: memory, cpu, pids limits are written" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}
		| .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}
		| .linux.resources.pids = {"limit": 77}'
	run_busybox_detached
	[ "$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(cgroup_dir memory)/memory.soft_limit_in_bytes")" = 33554432 ]
	[ "$(cat "$(cgroup_dir cpu)/cpu.shares")" = 512 ]
	[ "$(cat "$(cgroup_dir cpu)/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$(cgroup_dir cpu)/cpu.cfs_period_us")" = 100000 ]
	[ "$(cat "$(cgroup_dir pids)/pids.max")" = 77 ]
}

@test "cgroups: the container process is in its cgroup in every hierarchy" {
	run_busybox_detached
	local pid c
	pid=$(init_pid)
	for c in memory cpu pids freezer devices blkio cpuset; do
		grep -qx "$pid" "$(cgroup_dir $c)/cgroup.procs" || { echo "not in $c"; false; }
	done
}

@test "cgroups: an exec'd process is in the container's cgroup in every hierarchy" {
	run_busybox_detached
	runtime exec -d "$ID" sleep 1000
	local c n
	for c in memory cpu pids freezer devices blkio cpuset; do
		n=$(wc -l <"$(cgroup_dir $c)/cgroup.procs")
		[ "$n" -eq 2 ] || { echo "$c: $n processes"; cat "$(cgroup_dir $c)/cgroup.procs"; false; }
	done
}

@test "cgroups: pids limit is enforced" {
	update_config '.linux.resources.pids = {"limit": 5}'
	run_busybox_detached
	run runtime exec "$ID" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 >/dev/null 2>&1 & done; echo spawned'
	echo "$status $output"
	[ "$(cat "$(cgroup_dir pids)/pids.current")" -le 5 ]
	[ "$(awk '$1 == "max" {print $2}' "$(cgroup_dir pids)/pids.events")" -gt 0 ]
}

@test "cgroups: memory limit kills a process that exceeds it (oom)" {
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	set_args sh -c 'head -c 67108864 /dev/zero | tr "\\0" a | (x=$(cat); echo "survived ${#x}")'
	track "$ID"
	run runtime run "$ID"
	echo "$status $output"
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
}

@test "cgroups: cpuset cpus and mems" {
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	run_busybox_detached
	[ "$(cat "$(cgroup_dir cpuset)/cpuset.cpus")" = 0 ]
	run runtime exec "$ID" grep Cpus_allowed_list /proc/self/status
	[[ "$output" == *"	0" ]]
}

@test "cgroups: update changes limits of a running container" {
	update_config '.linux.resources.pids = {"limit": 50}'
	run_busybox_detached
	runtime update --pids-limit 60 --memory 50331648 "$ID"
	[ "$(cat "$(cgroup_dir pids)/pids.max")" = 60 ]
	[ "$(cat "$(cgroup_dir memory)/memory.limit_in_bytes")" = 50331648 ]
	echo '{"cpu": {"shares": 300}}' | runtime update --resources - "$ID"
	[ "$(cat "$(cgroup_dir cpu)/cpu.shares")" = 300 ]
}

@test "cgroups: relative cgroupsPath and default path are cleaned up" {
	update_config 'del(.linux.cgroupsPath)'
	run_busybox_detached
	local pid cg
	pid=$(init_pid)
	cg=$(awk -F: '$2 == "pids" {print $3}' /proc/"$pid"/cgroup)
	echo "cgroup: $cg"
	[ -d "/sys/fs/cgroup/pids$cg" ]
	runtime delete --force "$ID"
	[ ! -d "/sys/fs/cgroup/pids$cg" ]
}

@test "events --stats: JSON with memory and pids" {
	run_busybox_detached
	run runtime events --stats "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "stats" and (.data.pids.current >= 1) and (.data.memory.usage.usage > 0)'
}
