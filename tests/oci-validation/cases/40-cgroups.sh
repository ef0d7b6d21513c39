# linux.cgroupsPath and cgroup v1 resources, checked from the host while the container runs.

if [ -d /sys/fs/cgroup/memory ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	b=$(new_bundle c-res)
	cfg "$b" '.process.args = ["sleep", "300"] | .linux.resources += {
		"memory": {"limit": 67108864, "reservation": 33554432},
		"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
		"pids": {"limit": 42}}'
	(cd "$b" && rt run -d c-res </dev/null >/dev/null 2>"$WORK/c-res.err")
	cg() { cat "/sys/fs/cgroup/$1/$CGP/c-res/$2" 2>/dev/null; }
	pid=$(state_field c-res pid)
	grep -q "^[0-9]*:memory:/$CGP/c-res\$" "/proc/$pid/cgroup" 2>/dev/null
	tap $? "[linux.cgroupsPath] an absolute cgroupsPath is relative to the cgroup mount" "$(cat "/proc/$pid/cgroup" 2>&1) $(cat "$WORK/c-res.err")"
	eq "[linux.resources.memory] memory.limit" "$(cg memory memory.limit_in_bytes)" 67108864
	eq "[linux.resources.memory] memory.reservation" "$(cg memory memory.soft_limit_in_bytes)" 33554432
	eq "[linux.resources.cpu] cpu.shares" "$(cg cpu cpu.shares)" 512
	eq "[linux.resources.cpu] cpu.quota/period" "$(cg cpu cpu.cfs_quota_us)/$(cg cpu cpu.cfs_period_us)" 50000/100000
	eq "[linux.resources.cpu] cpu.cpus" "$(cg cpuset cpuset.cpus)" 0
	eq "[linux.resources.pids] pids.limit" "$(cg pids pids.max)" 42
	devs=$(cg devices devices.list)
	[[ "$devs" != "a *:* rwm" && "$devs" == *"c 1:3 rwm"* ]]
	tap $? "[linux.resources.devices] device rules: deny all, then the default devices" "$devs"
	rt kill c-res KILL >/dev/null 2>&1
	wait_state c-res stopped
	rt delete c-res >/dev/null 2>&1
	[ ! -d "/sys/fs/cgroup/memory/$CGP/c-res" ]
	tap $? "[runtime.delete.resources] delete removes the container's cgroups"

	if [ -e /sys/fs/cgroup/blkio/blkio.weight ]; then
		in_ctr c-blkio '.linux.resources.blockIO = {"weight": 300}' 'cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || echo none'
		[ "$rc" -eq 0 ]; tap $? "[linux.resources.blockIO] blockIO.weight accepted" "$err"
	else
		skip_case "[linux.resources.blockIO] blockIO.weight" "no blkio.weight (no CFQ/BFQ) on this kernel"
	fi
	fails_ctr c-badcpus '.linux.resources.cpu = {"cpus": "999"}'
	tap $? "[runtime.create.error] an impossible cgroup value is an error, nothing left" "$out"
else
	skip_case "[linux.cgroupsPath] cgroup v1 resources" "no cgroup v1 memory hierarchy here (tests/vm covers v2)"
fi
