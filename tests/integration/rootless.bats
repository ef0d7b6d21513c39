#!/usr/bin/env bats
# Rootless: the runtime run by an unprivileged user that this file creates (useradd, removed in
# teardown_file, with its /etc/subuid and /etc/subgid lines). The user gets a private
# XDG_RUNTIME_DIR, a copy of the runtime it can execute, and bundles it owns; every runtime
# call goes through `as_user` (setpriv, no capabilities left).

load helpers

setup_file() {
	RL_USER="nrrl$$${RANDOM}"
	useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$RL_USER"
	# useradd may have given the user a subordinate range already (login.defs SUB_UID_*): use
	# ours, a block far from the usual ones, so the test knows what is allowed.
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	RL_SUB=$((400000000 + ($$ % 1000) * 65536))
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subuid
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subgid
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# bats' temp dirs are 0700: let the user through to its own dirs below them.
	chmod 0711 "$BATS_RUN_TMPDIR" "$BATS_FILE_TMPDIR"
	RL_RUNTIME="$BATS_FILE_TMPDIR/$(basename "$RUNTIME")"
	cp "$RUNTIME" "$RL_RUNTIME"
	chmod 0755 "$RL_RUNTIME"
	# Delegated cgroups (v1): one parent per file, owned by the user.
	RL_CG="nrunc-rl-$$"
	export RL_USER RL_SUB RL_UID RL_GID RL_RUNTIME RL_CG
}

teardown_file() {
	pkill -9 -u "$RL_USER" 2>/dev/null || true
	sleep 0.2
	local d
	for d in /sys/fs/cgroup/*/"$RL_CG"; do
		[ -d "$d" ] || continue
		if [ "$(stat -f -c %T "$d")" = tmpfs ]; then rm -rf "$d"; else find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; fi
	done
	userdel "$RL_USER" 2>/dev/null || true
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
}

# Runs a command as the test user with nothing but its own environment.
as_user() {
	setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups --inh-caps=-all \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ USER="$RL_USER" XDG_RUNTIME_DIR="$XDG" "$@"
}

# The user's live processes (zombies excluded: PID 1 here reaps orphans slowly).
user_procs() { ps -u "$RL_USER" -o pid=,stat=,args= | awk '$2 !~ /^Z/'; }

# The runtime as the user, with its default --root ($XDG_RUNTIME_DIR/<runtime>).
urt() { as_user "$RL_RUNTIME" "$@"; }

# Like rt (helpers.bash): stdio to a file, for verbs that leave a container process behind.
urt_bg() {
	local f="$BATS_TEST_TMPDIR/rt.$RANDOM" rc=0
	as_user "$RL_RUNTIME" "$@" </dev/null >"$f" 2>&1 || rc=$?
	cat "$f"
	return $rc
}

setup() {
	XDG="$BATS_TEST_TMPDIR/xdg"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ID="rl${BATS_TEST_NUMBER}-$$"
	chmod 0711 "$BATS_TEST_TMPDIR"
	mkdir -p "$XDG" "$BUNDLE"
	chmod 0700 "$XDG"
	cp -a "$(_rootfs_template)" "$BUNDLE/rootfs"
	chown -R "$RL_USER:" "$XDG" "$BUNDLE"
	cd "$BUNDLE" || return 1
	# The runtime's own rootless spec, made by the user, without a terminal.
	as_user "$RL_RUNTIME" spec --rootless
	update_config '.process.terminal = false | .root.readonly = false'
	# crun's rootless spec maps the /etc/subuid ranges and keeps a network namespace: start from runc's shape
	if is_crun; then
		update_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}]
			| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1}]
			| .linux.namespaces |= map(select(.type != \"network\")) | del(.linux.resources)"
	fi
	chown "$RL_USER:" "$BUNDLE/config.json"
}

teardown() {
	local id leftover=0
	cd /
	if [ -f "$BATS_TEST_TMPDIR/ids" ]; then
		for id in $(sort -u "$BATS_TEST_TMPDIR/ids"); do
			urt delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	if [ -n "$(user_procs)" ]; then
		echo "teardown: processes of $RL_USER left: $(user_procs)" >&2
		pkill -9 -u "$RL_USER" || true
		leftover=1
	fi
	if grep -q " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo; then
		echo "teardown: mounts left under the test dir" >&2
		grep " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
		leftover=1
	fi
	if [ -f "$BATS_TEST_TMPDIR/ids" ]; then
		for id in $(sort -u "$BATS_TEST_TMPDIR/ids"); do
			if compgen -G "$XDG/*/$id" >/dev/null; then
				echo "teardown: state dir of $id left after delete --force" >&2
				leftover=1
			fi
			local d
			for d in /sys/fs/cgroup/*/"$id" /sys/fs/cgroup/*/"$RL_CG/$id"; do
				# not a cgroup fs: the tmpfs that hides cgroup2 from crun (see run.sh)
				if [ -d "$d" ] && [ "$(stat -f -c %T "$d")" = tmpfs ]; then rm -rf "$d"; continue; fi
				if [ -d "$d" ]; then
					echo "teardown: cgroup $d left" >&2
					rmdir "$d" 2>/dev/null || true
					leftover=1
				fi
			done
		done
	fi
	[ "$leftover" = 0 ]
}

# The runtime's default state dir name: $XDG_RUNTIME_DIR/nrunc (runc: runc, crun: crun).
state_dir() { echo "$XDG/$(basename "$RUNTIME")"; }

@test "spec --rootless: user namespace mapping the caller, no network namespace, sysfs bound, no cgroup resources" {
	if is_crun; then skip "crun 1.8.1 writes its own rootless spec (network namespace kept)"; fi
	run jq -c '[.linux.uidMappings, .linux.gidMappings]' config.json
	[ "$output" = "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]]" ]
	run jq -r '[.linux.namespaces[].type] | sort | join(",")' config.json
	[ "$output" = "ipc,mount,pid,user,uts" ]
	run jq -c '.mounts[] | select(.destination == "/sys")' config.json
	[ "$output" = '{"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]}' ]
	run jq -c '.linux.resources' config.json
	[ "$output" = "null" ]
	run jq -c '.mounts[] | select(.destination == "/dev/pts") | .options | map(select(startswith("gid=")))' config.json
	[ "$output" = "[]" ]
}

@test "run as the user: root in the container is the user, state under \$XDG_RUNTIME_DIR, no cgroup written" {
	set_args sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; cat /proc/self/cgroup'
	track "$ID"
	run urt run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ +0\ +$RL_UID\ +1$ ]]
	[[ "${lines[2]}" =~ ^\ +0\ +$RL_GID\ +1$ ]]
	[ "${lines[3]}" = deny ]
	# the container was not put into a cgroup of its own
	! echo "$output" | grep -q "$ID"
	[ -d "$(state_dir)" ]
	[ "$(stat -c %U "$(state_dir)")" = "$RL_USER" ]
	! compgen -G "/sys/fs/cgroup/*/$ID" >/dev/null
}

@test "create, start, state, ps, exec, kill, delete as the user" {
	set_args sleep 1000
	track "$ID"
	urt_bg create "$ID"
	[ -d "$(state_dir)/$ID" ]
	run urt state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	urt start "$ID"
	run urt state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ]
	pid=$(jq -r .pid <<<"$output")
	[ "$(stat -c %u /proc/"$pid")" = "$RL_UID" ]

	# without a cgroup runc 1.1.5 and crun 1.8.1 cannot list the processes; nrunc lists init's
	run urt ps --format json "$ID"
	echo "$output"
	if ! is_runc && ! is_crun; then
		[ "$status" -eq 0 ]
		[ "$output" = "[$pid]" ]
		# without a cgroup nrunc finds the container's processes through init's pid namespace
		urt_bg exec -d "$ID" sleep 500
		run urt ps --format json "$ID"
		echo "$output"
		[ "$(jq length <<<"$output")" -eq 2 ]
	fi

	# exec joins the user namespace first: root inside, the same maps as init
	run urt exec "$ID" sh -c 'id -u; cat /proc/self/uid_map'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ +0\ +$RL_UID\ +1$ ]]
	[ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ]

	urt kill "$ID" KILL
	for _ in $(seq 100); do
		s=$(urt state "$ID" | jq -r .status)
		[ "$s" = stopped ] && break
		sleep 0.05
	done
	[ "$s" = stopped ]
	urt delete "$ID"
	[ ! -e "$(state_dir)/$ID" ]
}

@test "pause without a writable freezer cgroup fails clearly; the container keeps running" {
	set_args sleep 1000
	track "$ID"
	urt_bg run -d "$ID"
	run urt pause "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *cgroup* || "$output" == *freezer* ]]
	run urt state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ]
}

@test "linux.resources without a writable cgroup: create fails naming the limit, nothing left behind" {
	if is_crun; then skip "crun 1.8.1 ignores limits it cannot write in rootless mode"; fi
	update_config '.linux.resources = {"pids": {"limit": 10}}'
	track "$ID"
	run urt_bg run -d "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot set pids limit: container could not join or create cgroup"* ]]
	[ ! -e "$(state_dir)/$ID" ]
	[ -z "$(user_procs)" ]
}

@test "an explicit cgroupsPath that is not delegated fails; nothing left behind" {
	update_config ".linux.cgroupsPath = \"/nrunc-rl-nodeleg-$$/$ID\""
	track "$ID"
	run urt_bg run -d "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"nrunc-rl-nodeleg-$$"* ]]
	[ ! -e "$(state_dir)/$ID" ]
	! compgen -G "/sys/fs/cgroup/*/nrunc-rl-nodeleg-$$" >/dev/null
}

@test "a delegated cgroup: limits written, pause and resume work, the cgroup is removed on delete" {
	local c
	for c in /sys/fs/cgroup/{cpu,cpuacct,cpuset,memory,devices,freezer,blkio,pids,systemd}; do
		[ -d "$c" ] || continue
		mkdir -p "$c/$RL_CG"
		chown -R "$RL_USER:" "$c/$RL_CG"
	done
	cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$RL_CG/cpuset.cpus"
	cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$RL_CG/cpuset.mems"
	update_config ".linux.cgroupsPath = \"/$RL_CG/$ID\" | .linux.resources = {\"memory\": {\"limit\": 104857600}, \"pids\": {\"limit\": 42}}"
	set_args sleep 1000
	track "$ID"
	urt_bg run -d "$ID"
	[ "$(cat "/sys/fs/cgroup/memory/$RL_CG/$ID/memory.limit_in_bytes")" = 104857600 ]
	[ "$(cat "/sys/fs/cgroup/pids/$RL_CG/$ID/pids.max")" = 42 ]
	pid=$(urt state "$ID" | jq -r .pid)
	grep -qx "$pid" "/sys/fs/cgroup/pids/$RL_CG/$ID/cgroup.procs"
	urt pause "$ID"
	[ "$(urt state "$ID" | jq -r .status)" = paused ]
	urt resume "$ID"
	[ "$(urt state "$ID" | jq -r .status)" = running ]
	urt delete --force "$ID"
	for c in /sys/fs/cgroup/{cpu,cpuacct,cpuset,memory,devices,freezer,blkio,pids,systemd}; do
		[ ! -d "$c/$RL_CG/$ID" ]
	done
}

@test "devices are bind-mounted from the host, sysfs bound where it cannot be mounted (no network namespace)" {
	# sysfs asked for as sysfs: a user namespace without its own network namespace cannot mount it
	update_config '.mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]} else . end)'
	set_args sh -c 'stat -c "%t:%T %F" /dev/null; grep " /dev/null " /proc/self/mountinfo; grep " /sys " /proc/self/mountinfo; echo x >/dev/null && echo null-writable; touch /sys/fs/cgroup/x 2>&1 || echo sys-readonly'
	track "$ID"
	run urt run "$ID"
	echo "$output"
	if is_runc; then
		# runc 1.1.5 has no fallback: mount sysfs ... operation not permitted
		[ "$status" -ne 0 ]
		skip "runc 1.1.5: no sysfs fallback in rootless (EPERM)"
	fi
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1:3 character special file" ]
	[[ "${lines[1]}" == *" /null /dev/null "* ]]
	[[ "${lines[2]}" == *" /sys ro,"* ]]
	[[ "$output" == *null-writable* ]]
	# crun 1.8.1 leaves /sys/fs/cgroup writable here
	if ! is_crun; then [[ "$output" == *sys-readonly* ]]; fi
}

@test "a network namespace in rootless: only loopback, and it is up" {
	update_config '.linux.namespaces += [{"type": "network"}]'
	set_args sh -c 'ip -o link | wc -l; ip -o link show lo'
	track "$ID"
	run urt run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == *"lo: <LOOPBACK,UP"* ]]
}

@test "ranges from /etc/subuid and /etc/subgid through newuidmap/newgidmap" {
	update_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $RL_SUB, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $RL_SUB, \"size\": 65536}]"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# runc 1.1.5 refuses additional groups in any rootless container
	if ! is_runc; then update_config '.process.user.additionalGids = [2000]'; fi
	set_args sh -c 'cat /proc/self/uid_map /proc/self/setgroups; touch /tmp/f; stat -c %u:%g /tmp/f; id -G'
	track "$ID"
	run urt run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ +0\ +$RL_UID\ +1$ ]]
	[[ "${lines[1]}" =~ ^\ +1\ +$RL_SUB\ +65536$ ]]
	[ "${lines[2]}" = allow ]
	[ "${lines[3]}" = 1000:1000 ]
	# on the host the file belongs to the subordinate id
	[ "$(stat -c %u "$BUNDLE/rootfs/tmp/f")" = $((RL_SUB + 999)) ]
	# setgroups is allowed with newgidmap: supplementary groups work (runc 1.1.5 refuses any in rootless)
	if ! is_runc; then [ "${lines[4]}" = "1000 2000" ]; fi
}

@test "a range the user was not granted: create fails through newuidmap, nothing left behind" {
	update_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}, {\"containerID\": 1, \"hostID\": 5000, \"size\": 10}]"
	track "$ID"
	run urt_bg run -d "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	if ! is_runc && ! is_crun; then
		[[ "$output" == *newuidmap* ]]
	fi
	[ ! -e "$(state_dir)/$ID" ]
	[ -z "$(user_procs)" ]
}

@test "rootless without a user namespace: clear error naming linux.namespaces, nothing left behind" {
	if is_crun; then skip "crun 1.8.1 adds a user namespace by itself"; fi
	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
	track "$ID"
	run urt_bg run -d "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"user namespace"* ]]
	if ! is_runc && ! is_crun; then
		[[ "$output" == *"linux.namespaces"* ]]
	fi
	[ ! -e "$(state_dir)/$ID" ]
}

@test "--rootless=false as the user: cgroup permission errors are not skipped" {
	track "$ID"
	run urt_bg --rootless=false run -d "$ID"
	echo "$output"
	if is_crun; then skip "crun 1.8.1 does not use cgroups for a rootless caller on cgroup v1"; fi
	[ "$status" -ne 0 ]
	[[ "$output" == *"permission denied"* ]]
	[ ! -e "$(state_dir)/$ID" ]
}

@test "an id-mapped bind mount of a host directory: refused by the kernel for a rootless caller, clear error, nothing left" {
	if is_runc; then skip "runc 1.1.5 ignores the idmap option (plain bind mount)"; fi
	mkdir "$BATS_TEST_TMPDIR/src"
	chown "$RL_USER:" "$BATS_TEST_TMPDIR/src"
	update_config ".mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/src\", \"options\": [\"bind\", \"idmap\"]}]"
	track "$ID"
	run urt_bg run -d "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	if ! is_crun; then [[ "$output" == *"open_tree"*"rootless: id-mapped mounts"* ]]; fi
	[ ! -e "$(state_dir)/$ID" ]
	[ -z "$(user_procs)" ]
}

@test "podman rootless with --runtime set to the runtime under test" {
	command -v podman >/dev/null || skip "podman is not installed"
	local home="$BATS_TEST_TMPDIR/home" rc=0
	mkdir "$home"
	chown "$RL_USER:" "$home"
	tar -C "$BUNDLE/rootfs" -cf "$BATS_TEST_TMPDIR/rootfs.tar" .
	chmod 0644 "$BATS_TEST_TMPDIR/rootfs.tar"
	# vfs storage and file events: nothing outside the user's temp dirs; no network (no slirp4netns here)
	pod() { as_user env HOME="$home" podman --storage-driver vfs --events-backend file --cgroup-manager cgroupfs "$@"; }
	pod import "$BATS_TEST_TMPDIR/rootfs.tar" rlbusybox >/dev/null
	run pod --runtime "$RL_RUNTIME" run --rm --pull=never --network none rlbusybox sh -c 'id -u; cat /proc/self/uid_map'
	echo "$output"
	# podman keeps a pause process holding its user namespace: it must not outlive the test
	pkill -9 -u "$RL_USER" -x catatonit 2>/dev/null || true
	if [ -f "$XDG/libpod/tmp/pause.pid" ]; then kill -9 "$(cat "$XDG/libpod/tmp/pause.pid")" 2>/dev/null || true; fi
	[ "$status" -eq 0 ]
	[ "${lines[-3]}" = 0 ]
	[[ "${lines[-2]}" =~ ^\ +0\ +$RL_UID\ +1$ ]]
	[[ "${lines[-1]}" =~ ^\ +1\ +$RL_SUB\ +65536$ ]]
}
