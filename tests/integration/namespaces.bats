#!/usr/bin/env bats
# Namespaces: uts, pid, mount, ipc, network, user, cgroup, time.

load helpers

# out_of CMD...: runs the container with args and prints its stdout (stderr to a file).
out_of() {
	set_args "$@"
	track "$ID"
	runtime run "$ID" </dev/null 2>"$BATS_TEST_TMPDIR/err"
}

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "uts: hostname from config" {
	update_config '.hostname = "box-42"'
	run out_of hostname
	[ "$status" -eq 0 ]
	[ "$output" = box-42 ]
	[ "$(hostname)" != box-42 ]
}

@test "uts: domainname from config" {
	# runc 1.1.5 ignores .domainname (the container sees "(none)")
	skip_if_runc "ignores .domainname"
	update_config '.domainname = "example.test"'
	run out_of cat /proc/sys/kernel/domainname
	[ "$status" -eq 0 ]
	[ "$output" = example.test ]
}

@test "pid: the process is pid 1 and sees only its own processes" {
	run out_of sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	# sh, ls, wc: a handful at most
	[ "${lines[1]}" -le 4 ]
}

@test "namespaces: each configured namespace differs from the host's" {
	run_busybox_detached
	local pid ns
	pid=$(init_pid)
	for ns in mnt uts ipc pid net; do
		[ "$(ns_of "$pid" "$ns")" != "$(ns_of $$ "$ns")" ] || { echo "$ns is shared"; false; }
	done
}

@test "namespaces: a namespace left out of config is shared with the host" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	run_busybox_detached
	local pid
	pid=$(init_pid)
	[ "$(ns_of "$pid" net)" = "$(ns_of $$ net)" ]
	[ "$(ns_of "$pid" ipc)" = "$(ns_of $$ ipc)" ]
	[ "$(ns_of "$pid" uts)" != "$(ns_of $$ uts)" ]
}

@test "namespaces: joining a namespace by path" {
	run_busybox_detached "$ID-a"
	local pa
	pa=$(init_pid "$ID-a")
	jq --arg p "/proc/$pa/ns/net" --arg u "/proc/$pa/ns/uts" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p elif .type == "uts" then .path = $u else . end) | del(.hostname)' \
		"$BUNDLE/config.json" >"$BUNDLE/c2" && mv "$BUNDLE/c2" "$BUNDLE/config.json"
	update_config ".linux.cgroupsPath = \"/$CG_PARENT/$ID-b\""
	run_busybox_detached "$ID-b"
	local pb
	pb=$(init_pid "$ID-b")
	[ "$(ns_of "$pb" net)" = "$(ns_of "$pa" net)" ]
	[ "$(ns_of "$pb" uts)" = "$(ns_of "$pa" uts)" ]
	[ "$(ns_of "$pb" mnt)" != "$(ns_of "$pa" mnt)" ]
}

@test "mount: mounts made inside do not appear on the host" {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_busybox_detached
	runtime exec "$ID" mount -t tmpfs none /tmp
	runtime exec "$ID" sh -c 'grep -q " /tmp " /proc/self/mounts'
	! grep -q "$BUNDLE/rootfs/tmp" /proc/self/mountinfo
}

@test "ipc: private SysV IPC namespace" {
	run out_of cat /proc/sysvipc/shm
	[ "$status" -eq 0 ]
	# header only
	[ "${#lines[@]}" -le 1 ]
}

@test "network: only the loopback interface, and it is up" {
	run out_of sh -c 'ls /sys/class/net; ip link show lo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "$(echo "$output" | grep -c '^[0-9]*:')" -eq 1 ]
	# runc brings lo up
	[[ "$output" == *"UP"* ]]
}

@test "user: uid/gid mappings are applied" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "mqueue" and .destination != "/sys/fs/cgroup"))
		| .mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	# the mapped root must be able to reach the rootfs (mktemp dirs are 0700)
	local d="$BUNDLE"
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	run_busybox_detached
	local pid
	pid=$(init_pid)
	[ "$(awk '{print $1, $2, $3}' /proc/"$pid"/uid_map)" = "0 100000 65536" ]
	[ "$(awk '{print $1, $2, $3}' /proc/"$pid"/gid_map)" = "0 100000 65536" ]
	# the host sees the process as uid 100000
	[ "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" = 100000 ]
	run runtime exec "$ID" id -u
	[ "$output" = 0 ]
	[ "$(ns_of "$pid" user)" != "$(ns_of $$ user)" ]
}

@test "user: an idmap bind mount shows host root's files as the container's root" {
	skip_if_runc "id-mapped mounts are newer than runc 1.1.5"
	mkdir -p "$BATS_TEST_TMPDIR/shared"
	echo data >"$BATS_TEST_TMPDIR/shared/f"
	chmod 755 "$BATS_TEST_TMPDIR/shared"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "mqueue" and .destination != "/sys/fs/cgroup"))
		| .mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts += [{"destination": "/mapped", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/shared"'", "options": ["bind", "idmap"]},
		              {"destination": "/plain", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/shared"'", "options": ["bind"]}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	local d="$BUNDLE"
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	run out_of sh -c 'stat -c "%u:%g" /mapped/f /plain/f'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0:0" ]
	[ "${lines[1]}" = "65534:65534" ]
}

@test "netDevices: a host device is moved in, renamed, keeps its address and is up" {
	skip_if_runc "linux.netDevices is newer than runc 1.1.5"
	local dev="nrt$$" peer="nrp$$"
	ip link add "$dev" type veth peer name "$peer"
	ip addr add 10.199.0.1/24 dev "$dev"
	update_config '.linux.netDevices = {"'"$dev"'": {"name": "eth7"}}'
	run out_of sh -c 'ip addr show eth7'
	ip link del "$peer" 2>/dev/null || true
	ip link del "$dev" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"10.199.0.1/24"* ]]
	[[ "$output" == *",UP"* ]]
}

@test "netDevices: a missing host device fails create, naming the JSON path" {
	skip_if_runc "linux.netDevices is newer than runc 1.1.5"
	update_config '.linux.netDevices = {"nrunc-nosuch0": {}}'
	track "$ID"
	run rt create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.netDevices['*nrunc-nosuch0* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "cgroup: namespace root is the container's cgroup" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	run out_of cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	# with a cgroup namespace every path is relative to the container's cgroup: "/"
	echo "$output" | grep -E '^[0-9]+:(memory|pids):/$'
	! echo "$output" | grep -q "$CG_PARENT"
}

@test "time: offsets for monotonic and boottime" {
	[ -e /proc/self/ns/time ] || skip "kernel has no time namespaces"
	skip_if_runc "time namespaces are not supported (runc 1.2 adds them)"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}}'
	local host
	host=$(awk '{print int($1)}' /proc/uptime)
	run out_of cat /proc/uptime
	[ "$status" -eq 0 ]
	local inside=${output%%.*}
	[ "$inside" -ge $((host + 172800)) ]
	[ "$inside" -lt $((host + 172800 + 60)) ]
}
