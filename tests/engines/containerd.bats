#!/usr/bin/env bats
# containerd 1.6 with a private config (root, state, sockets, opt dir; no CRI), driving
# RUNTIME through containerd's runc shim: `ctr run --runc-binary RUNTIME` sets the shim's
# BinaryName option. Containers live in namespace nrunc-engines-<pid>, so their cgroups are
# /nrunc-engines-<pid>/<id>, removed after.

load helpers

c() { ctr -a "$ENGINE_DIR/c.sock" -n "$NS" "$@"; }
# crun_ ARGS... -- ctr run --rm with the runtime under test (image and id given by caller)
crun_() { c run --rm --runc-binary "$RUNTIME" "$@"; }
IMG=docker.io/library/engines-busybox:latest
# unique container ids per test
cid() { echo "t${BATS_TEST_NUMBER}-$1"; }

setup_file() {
	export ENGINE_DIR="${ENGINE_TMP:-$BATS_FILE_TMPDIR}/ctrd"
	# containerd namespace = the containers' cgroup parent (ctr's default cgroupsPath is /NS/ID)
	export NS="nrunc-engines-$$"
	mkdir -p "$ENGINE_DIR"
	note_run_containerd "$ENGINE_DIR"
	cat >"$ENGINE_DIR/config.toml" <<TOML
version = 2
root = "$ENGINE_DIR/root"
state = "$ENGINE_DIR/state"
temp = "$ENGINE_DIR/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$ENGINE_DIR/c.sock"
[ttrpc]
  address = "$ENGINE_DIR/c.sock.ttrpc"
[debug]
  address = "$ENGINE_DIR/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$ENGINE_DIR/opt"
TOML
	# out/ on containerd's PATH: it finds containerd-shim-nrunc-v2 there
	PATH="$REPO/out:$PATH" containerd --config "$ENGINE_DIR/config.toml" </dev/null >"$ENGINE_DIR/containerd.log" 2>&1 3>&- &
	echo $! >"$ENGINE_DIR/containerd.pid"
	retry 150 0.2 c version >/dev/null 2>&1 || { tail -20 "$ENGINE_DIR/containerd.log" >&3; return 1; }
	make_oci_archive "$ENGINE_DIR/image.tar" "$IMG"
	c image import "$ENGINE_DIR/image.tar" >/dev/null
	make_capture_runtime "$ENGINE_DIR/capture-runtime" "$ENGINE_DIR/captured"
}

teardown_file() {
	local pid ids
	# every id a test may have used (cid): --rm containers are gone from `container ls`
	ids=$(for n in $(seq 1 30); do for x in a b c d e; do echo "t$n-$x"; done; done)
	pid=$(cat "$ENGINE_DIR/containerd.pid")
	kill -TERM "$pid" 2>/dev/null
	retry 100 0.2 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	remove_shim_sockets "$ENGINE_DIR/c.sock" "$NS" $ids
	# the shims' default runtime roots (nrunc keeps its seccomp cache there)
	rm -rf "/run/containerd/runc/$NS" "/run/containerd/nrunc/$NS"
	remove_run_containerd "$ENGINE_DIR"
	remove_cgroup_tree "$NS"
	grep " $ENGINE_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ENGINE_DIR"
	true
}

teardown() {
	local id
	for id in $(c container ls -q 2>/dev/null); do
		echo "$id" >>"$ENGINE_DIR/all-ids"
		c task kill -s KILL "$id" >/dev/null 2>&1
		retry 20 0.1 bash -c "! ctr -a $ENGINE_DIR/c.sock -n $NS task ls -q | grep -qx $id" 2>/dev/null
		c task delete -f "$id" >/dev/null 2>&1
		c container delete "$id" >/dev/null 2>&1
	done
	true
}

# Starts a detached task $1 running sleep (extra run flags after the id are given in $@).
crun_d() {
	local id=$1
	shift
	echo "$id" >>"$ENGINE_DIR/all-ids"
	c run -d --runc-binary "$RUNTIME" "$@" "$IMG" "$id" sleep 1000 </dev/null >/dev/null 2>&1 || return 1
	retry 50 0.1 bash -c "ctr -a $ENGINE_DIR/c.sock -n $NS task ls | grep -q '^$id .*RUNNING'"
}

@test "ctr run --rm: plain, exit status" {
	run crun_ "$IMG" "$(cid a)" echo hello from ctr
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from ctr" ]
	run crun_ "$IMG" "$(cid b)" sh -c 'exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
}

@test "ctr run -t: a terminal" {
	run timeout 60 script -qec "ctr -a $ENGINE_DIR/c.sock -n $NS run --rm -t --runc-binary $RUNTIME $IMG $(cid a) sh -c 'tty; echo done'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *done* ]]
}

@test "ctr run -d, task ps, exec, kill (SIGTERM), delete" {
	local id
	id=$(cid a)
	echo "$id" >>"$ENGINE_DIR/all-ids"
	c run -d --runc-binary "$RUNTIME" "$IMG" "$id" sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done' </dev/null >/dev/null
	retry 50 0.1 bash -c "ctr -a $ENGINE_DIR/c.sock -n $NS task ls | grep -q '^$id .*RUNNING'"
	run c task ps "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]
	run c task exec --exec-id e1 "$id" sh -c 'echo exec; id -u'
	echo "$output"
	[ "$output" = $'exec\n0' ]
	run c task exec --exec-id e2 "$id" sh -c 'exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	run timeout 60 script -qec "ctr -a $ENGINE_DIR/c.sock -n $NS task exec -t --exec-id e3 $id tty" /dev/null </dev/null
	echo "$output"
	[[ "$output" == *"/dev/pts/"* ]]
	run c task kill -s TERM "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	retry 50 0.1 bash -c "ctr -a $ENGINE_DIR/c.sock -n $NS task ls | grep -q '^$id .*STOPPED'"
	run c task delete "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	c container delete "$id"
}

@test "ctr task pause/resume and metrics" {
	local id
	id=$(cid a)
	crun_d "$id" --memory-limit 67108864
	run c task pause "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(c task ls | grep "^$id ")" == *PAUSED ]]
	[ "$(cat /sys/fs/cgroup/freezer/$NS/$id/freezer.state)" = FROZEN ]
	run c task resume "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(c task ls | grep "^$id ")" == *RUNNING ]]
	run c task metrics "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"memory.limit_in_bytes"*67108864* ]]
}

@test "ctr run --memory-limit: allocating process is OOM-killed (137)" {
	run crun_ --memory-limit 104857600 "$IMG" "$(cid a)" dd if=/dev/zero of=/dev/null bs=200M count=1
	echo "$output"
	[ "$status" -eq 137 ]
}

@test "ctr run --cpus, --cpu-shares, --cpu-quota/--cpu-period, --memory-limit (host cgroup files)" {
	# ctr's default spec mounts no /sys/fs/cgroup: read the container's cgroup from the host
	local a b
	a=$(cid a) b=$(cid b)
	crun_d "$a" --cpus 0.5 --cpu-shares 300 --memory-limit 67108864
	[ "$(cat /sys/fs/cgroup/cpu/$NS/$a/cpu.cfs_quota_us /sys/fs/cgroup/cpu/$NS/$a/cpu.cfs_period_us /sys/fs/cgroup/cpu/$NS/$a/cpu.shares)" = $'50000\n100000\n300' ]
	[ "$(cat /sys/fs/cgroup/memory/$NS/$a/memory.limit_in_bytes)" = 67108864 ]
	crun_d "$b" --cpu-quota 20000 --cpu-period 40000
	[ "$(cat /sys/fs/cgroup/cpu/$NS/$b/cpu.cfs_quota_us /sys/fs/cgroup/cpu/$NS/$b/cpu.cfs_period_us)" = $'20000\n40000' ]
}

@test "ctr run --seccomp (default profile), --privileged (where all capabilities exist), --cap-add/--cap-drop" {
	run crun_ --seccomp "$IMG" "$(cid a)" sh -c 'grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null || echo refused'
	echo "$output"
	[[ "${lines[0]}" == *2 ]]
	[[ "$output" == *refused* ]]
	if has_all_caps; then
		run crun_ --privileged "$IMG" "$(cid b)" sh -c 'grep Seccomp: /proc/self/status; ls /dev | grep -c .'
		echo "$output"
		[[ "${lines[0]}" == *0 ]]
		[ "${lines[1]}" -gt 20 ]
	fi
	run crun_ --cap-drop CAP_CHOWN "$IMG" "$(cid c)" chown 1 /tmp
	echo "$output"
	[ "$status" -ne 0 ]
	run crun_ --cap-add CAP_SYS_ADMIN "$IMG" "$(cid d)" sh -c 'mkdir /m && mount -t tmpfs t /m && echo mounted'
	echo "$output"
	[ "$output" = mounted ]
}

@test "ctr run --env, --cwd, --read-only, --mount, --net-host" {
	run crun_ --env FOO=bar --cwd /tmp "$IMG" "$(cid a)" sh -c 'echo "$FOO $(pwd) $(id -u)"'
	echo "$output"
	[ "$output" = "bar /tmp 0" ]
	run crun_ --read-only "$IMG" "$(cid b)" sh -c 'touch /x 2>/dev/null || echo ro'
	echo "$output"
	[ "$output" = ro ]
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo from-host >"$BATS_TEST_TMPDIR/host/in"
	run crun_ --mount "type=bind,src=$BATS_TEST_TMPDIR/host,dst=/data,options=rbind:rw" "$IMG" "$(cid c)" sh -c 'cat /data/in; echo out >/data/out'
	echo "$output"
	[ "$output" = from-host ]
	[ "$(cat "$BATS_TEST_TMPDIR/host/out")" = out ]
	run crun_ --net-host "$IMG" "$(cid d)" readlink /proc/self/ns/net
	echo "$output"
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
	run crun_ "$IMG" "$(cid e)" ls /sys/class/net
	echo "$output"
	[ "$output" = lo ]
}

@test "ctr run through the nrunc shim (io.containerd.nrunc.v2)" {
	skip_if_runc "the nrunc shim only drives nrunc"
	is_crun && skip "the nrunc shim only drives nrunc"
	local shim="$REPO/out/containerd-shim-nrunc-v2"
	if [ ! -x "$shim" ] || "$shim" 2>&1 | grep -q 'not implemented'; then
		skip "containerd-shim-nrunc-v2 is not implemented yet (src/Shim)"
	fi
	run c run --rm --runtime io.containerd.nrunc.v2 "$IMG" "$(cid a)" echo via nrunc shim
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$output" = "via nrunc shim" ]
	run c run --rm --runtime io.containerd.nrunc.v2 "$IMG" "$(cid b)" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "ctr: capture generated config.json (default, seccomp, privileged, resources, -t)" {
	local cap="$ENGINE_DIR/capture-runtime"
	c run --rm --runc-binary "$cap" "$IMG" "$(cid a)" true
	c run --rm --runc-binary "$cap" --seccomp "$IMG" "$(cid b)" true
	c run --rm --runc-binary "$cap" --privileged "$IMG" "$(cid c)" true || true
	c run --rm --runc-binary "$cap" --memory-limit 67108864 --cpus 0.5 --cpu-shares 256 "$IMG" "$(cid d)" true
	timeout 60 script -qec "ctr -a $ENGINE_DIR/c.sock -n $NS run --rm -t --runc-binary $cap $IMG $(cid e) true" /dev/null </dev/null
	local files
	files=($(ls "$ENGINE_DIR/captured"/*.json | sort))
	[ "${#files[@]}" -eq 5 ]
	jq -e '.linux.seccomp == null' "${files[0]}"
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "${files[1]}"
	jq -e '(.process.capabilities.bounding | length) > 30' "${files[2]}"
	jq -e '.linux.resources.memory.limit == 67108864' "${files[3]}"
	jq -e '.process.terminal == true' "${files[4]}"
	if [ -n "${ENGINE_FIXTURES_OUT:-}" ]; then
		local n=0 name
		for name in default seccomp privileged resources tty; do
			"$REPO/tests/engines/scrub-fixture.sh" "${files[$n]}" >"$ENGINE_FIXTURES_OUT/ctr-$name.json"
			n=$((n + 1))
		done
	fi
}

_ctr_run_true() { c run --rm --runc-binary "$1" "$IMG" "time-$BATS_TEST_NUMBER" true; }
@test "ctr run --rm times: nrunc, runc, crun" {
	time_engine "ctr run --rm" _ctr_run_true
}
