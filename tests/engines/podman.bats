#!/usr/bin/env bats
# Podman 4.3 with `--runtime RUNTIME` (conmon drives it), cgroupfs, file events, private
# --root/--runroot/--tmpdir, a private containers.conf (nrunc in runtime_supports_json,
# default_ulimits under this machine's NOFILE hard limit) and storage.conf. Podman's lock
# file lives in /dev/shm, which tests/engines/run.sh puts on a private tmpfs.

load helpers

pm() {
	CONTAINERS_CONF="$ENGINE_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$ENGINE_DIR/storage.conf" \
		podman --root "$ENGINE_DIR/root" --runroot "$ENGINE_DIR/runroot" --tmpdir "$ENGINE_DIR/tmp" \
		--cgroup-manager cgroupfs --events-backend file --runtime "${PODMAN_RUNTIME:-$RUNTIME}" "$@"
}
prun() { pm run --rm --pull=never --network none --cgroup-parent "/$CG_PARENT" "$@"; }
# A detached container named $1 running sleep (extra run flags after the name).
prun_d() {
	local name=$1
	shift
	pm run -d --pull=never --network none --cgroup-parent "/$CG_PARENT" --name "$name" "$@" "$IMAGE" sleep 1000 </dev/null >/dev/null
}

setup_file() {
	export ENGINE_DIR="${ENGINE_TMP:-$BATS_FILE_TMPDIR}/podman"
	export CG_PARENT="nrunc-engines-podman-$$"
	mkdir -p "$ENGINE_DIR"/{root,runroot,tmp,net,volumes}
	[ -d /sys/fs/cgroup/memory/libpod_parent ] && touch "$ENGINE_DIR/libpod-parent-existed"
	# podman runs the runtime with its default --root (/run/<name>)
	export RUNTIME_ROOT="/run/$(basename "$RUNTIME")"
	[ -e "$RUNTIME_ROOT" ] && touch "$ENGINE_DIR/runtime-root-existed"
	# podman's own defaults (nofile 1048576, nproc 4194304) exceed this machine's hard limits,
	# and without CAP_SYS_RESOURCE every runtime fails to raise them; podman itself runs conmon
	# (and so the runtime) with nproc lowered to kernel.pid_max
	local nproc
	nproc=$(ulimit -Hu)
	[ "$nproc" -le "$(cat /proc/sys/kernel/pid_max)" ] || nproc=$(cat /proc/sys/kernel/pid_max)
	export PODMAN_NPROC=$nproc
	cat >"$ENGINE_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$ENGINE_DIR/events.log"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "nrunc", "capture-runtime"]
tmp_dir = "$ENGINE_DIR/tmp"
volume_path = "$ENGINE_DIR/volumes"
[network]
network_config_dir = "$ENGINE_DIR/net"
CONF
	cat >"$ENGINE_DIR/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$ENGINE_DIR/root"
runroot = "$ENGINE_DIR/runroot"
CONF
	make_rootfs_tar "$ENGINE_DIR/rootfs.tar"
	pm import --change 'CMD=["/bin/sh"]' "$ENGINE_DIR/rootfs.tar" "$IMAGE" >/dev/null
	make_capture_runtime "$ENGINE_DIR/capture-runtime" "$ENGINE_DIR/captured"
}

teardown_file() {
	pm rm -a -f -t 0 >/dev/null 2>&1
	pm system prune -a -f --volumes >/dev/null 2>&1
	remove_cgroup_tree "$CG_PARENT"
	[ -e "$ENGINE_DIR/libpod-parent-existed" ] || remove_cgroup_tree libpod_parent
	[ -e "$ENGINE_DIR/runtime-root-existed" ] || rm -rf "$RUNTIME_ROOT"
	grep " $ENGINE_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ENGINE_DIR"
	true
}

teardown() {
	pm rm -a -f -t 0 >/dev/null 2>&1
	true
}

@test "podman run: plain, exit status" {
	run prun "$IMAGE" echo hello from podman
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from podman" ]
	run prun "$IMAGE" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "podman run -it: a terminal" {
	run timeout 60 script -qec "CONTAINERS_CONF=$ENGINE_DIR/containers.conf CONTAINERS_STORAGE_CONF=$ENGINE_DIR/storage.conf podman --root $ENGINE_DIR/root --runroot $ENGINE_DIR/runroot --tmpdir $ENGINE_DIR/tmp --cgroup-manager cgroupfs --events-backend file --runtime $RUNTIME run -it --rm --pull=never --network none --cgroup-parent /$CG_PARENT $IMAGE sh -c 'tty; echo done'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *done* ]]
}

@test "podman run -d, logs, stop (SIGTERM), rm" {
	pm run -d --pull=never --network none --cgroup-parent "/$CG_PARENT" --name d1 "$IMAGE" \
		sh -c 'trap "echo got TERM; exit 0" TERM; echo started; while true; do sleep 0.1; done' </dev/null >/dev/null
	local i
	for ((i = 0; i < 50; i++)); do pm logs d1 | grep -q started && break; sleep 0.1; done
	[ "$(pm inspect --format '{{.State.Status}}' d1)" = running ]
	run pm stop -t 10 d1
	echo "$output"
	[ "$status" -eq 0 ]
	run pm logs d1
	echo "$output"
	[[ "$output" == *"got TERM"* ]]
	[ "$(pm inspect --format '{{.State.ExitCode}}' d1)" = 0 ]
	run pm rm d1
	[ "$status" -eq 0 ]
	run pm inspect d1
	[ "$status" -ne 0 ]
}

@test "podman exec" {
	prun_d ex1 -e FROM_RUN=1
	run pm exec ex1 sh -c 'echo "exec $FROM_RUN"; id -u'
	echo "$output"
	[ "$output" = $'exec 1\n0' ]
	run pm exec -u 1000 -w /tmp ex1 sh -c 'echo "$(id -u) $(pwd)"'
	echo "$output"
	[ "$output" = "1000 /tmp" ]
	run pm exec ex1 sh -c 'exit 5'
	[ "$status" -eq 5 ]
}

# podman 4.3 with conmon reports OOMKilled=false on this cgroup v1 machine whatever the runtime
# (runc too): only the exit status is checked.
@test "podman run -m: allocating process is OOM-killed (137)" {
	run pm run --pull=never --network none --cgroup-parent "/$CG_PARENT" --name oom -m 100m "$IMAGE" dd if=/dev/zero of=/dev/null bs=200M count=1
	echo "$output"
	[ "$status" -eq 137 ]
	run pm inspect --format '{{.State.ExitCode}}' oom
	[ "$output" = 137 ]
}

@test "podman run --pids-limit contains a fork bomb" {
	pm run -d --pull=never --network none --cgroup-parent "/$CG_PARENT" --name bomb --pids-limit 20 "$IMAGE" \
		sh -c '[ "$(cat /sys/fs/cgroup/pids/pids.max)" = 20 ] || exit 3; b() { b | b & }; b 2>/dev/null; sleep 1000' </dev/null >/dev/null
	sleep 2
	local id
	id=$(pm inspect --format '{{.Id}}' bomb)
	[ "$(pm inspect --format '{{.State.ExitCode}}' bomb)" != 3 ]
	local d
	d=$(dirname "$(grep -l . /sys/fs/cgroup/pids/$CG_PARENT/*$id*/pids.max | head -1)")
	[ "$(cat "$d/pids.max")" = 20 ]
	[ "$(cat "$d/pids.current")" -le 20 ]
	run pm rm -f -t 0 bomb
	[ "$status" -eq 0 ]
}

@test "podman run capabilities: --cap-add/--cap-drop" {
	run prun --cap-drop all --cap-add NET_ADMIN "$IMAGE" grep CapEff /proc/self/status
	echo "$output"
	[[ "$output" == *0000000000001000 ]]
	run prun --cap-drop CHOWN "$IMAGE" chown 1 /tmp
	[ "$status" -ne 0 ]
	run prun --cap-add SYS_ADMIN "$IMAGE" sh -c 'mkdir /m && mount -t tmpfs t /m && echo mounted'
	echo "$output"
	[ "$output" = mounted ]
}

@test "podman run --read-only" {
	run prun --read-only "$IMAGE" sh -c 'touch /x 2>/dev/null && echo wrote-root; touch /tmp/x && echo wrote-tmp'
	echo "$output"
	[ "$output" = wrote-tmp ]
}

@test "podman run -u, -w, -h, --ulimit" {
	run prun -u 1000:1000 "$IMAGE" id
	echo "$output"
	[[ "$output" == "uid=1000(tester) gid=1000(tester)"* ]]
	# podman (unlike docker) wants the working directory to exist
	run prun -w /tmp "$IMAGE" pwd
	echo "$output"
	[ "$output" = /tmp ]
	run prun -h myhost "$IMAGE" hostname
	[ "$output" = myhost ]
	# a --ulimit replaces default_ulimits: nproc must be given again (see setup_file)
	run prun --ulimit nofile=1024:2048 --ulimit "nproc=$PODMAN_NPROC:$PODMAN_NPROC" "$IMAGE" sh -c 'ulimit -Sn; ulimit -Hn'
	echo "$output"
	[ "$output" = $'1024\n2048' ]
	run prun "$IMAGE" sh -c 'ulimit -Hn'
	[ "$output" = 10000 ]
}

@test "podman pause/unpause" {
	prun_d p1
	run pm pause p1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.Status}}' p1)" = paused ]
	run pm unpause p1
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.Status}}' p1)" = running ]
	run pm exec p1 echo alive
	[ "$output" = alive ]
}

@test "podman stats --no-stream" {
	prun_d st1 -m 64m
	run pm stats --no-stream --format '{{.Name}} {{.MemUsage}}' st1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "st1 "*"/ 67.11MB" ]]
}

@test "podman top" {
	prun_d top1
	run pm top top1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

@test "podman run --privileged" {
	# podman asks only for the capabilities of its own bounding set, and passes host devices
	# with stat's st_mode as fileMode (020660 for a "c" device)
	run prun --privileged "$IMAGE" sh -c 'grep Seccomp: /proc/self/status; ls /dev | grep -c .; mkdir /m && mount -t tmpfs t /m && echo mounted'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *0 ]]
	[ "${lines[1]}" -gt 20 ]
	[ "${lines[2]}" = mounted ]
}

@test "podman: capture generated config.json (default, seccomp off, privileged, resources, -it)" {
	local cap="$ENGINE_DIR/capture-runtime"
	PODMAN_RUNTIME=$cap prun "$IMAGE" true
	PODMAN_RUNTIME=$cap prun --security-opt seccomp=unconfined "$IMAGE" true
	PODMAN_RUNTIME=$cap prun --privileged "$IMAGE" true || true
	PODMAN_RUNTIME=$cap prun -m 64m --cpus 0.5 --cpuset-cpus 0 --pids-limit 50 --cpu-shares 256 "$IMAGE" true
	timeout 60 script -qec "CONTAINERS_CONF=$ENGINE_DIR/containers.conf CONTAINERS_STORAGE_CONF=$ENGINE_DIR/storage.conf podman --root $ENGINE_DIR/root --runroot $ENGINE_DIR/runroot --tmpdir $ENGINE_DIR/tmp --cgroup-manager cgroupfs --events-backend file --runtime $cap run -it --rm --pull=never --network none --cgroup-parent /$CG_PARENT $IMAGE true" /dev/null </dev/null
	local files
	files=($(ls "$ENGINE_DIR/captured"/*.json | sort))
	[ "${#files[@]}" -eq 5 ]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "${files[0]}"
	jq -e '.linux.seccomp == null' "${files[1]}"
	jq -e '(.process.capabilities.bounding | length) > 30' "${files[2]}"
	jq -e '.linux.resources.memory.limit == 67108864 and .linux.resources.pids.limit == 50' "${files[3]}"
	jq -e '.process.terminal == true' "${files[4]}"
	if [ -n "${ENGINE_FIXTURES_OUT:-}" ]; then
		local n=0 name
		for name in default unconfined privileged resources tty; do
			"$REPO/tests/engines/scrub-fixture.sh" "${files[$n]}" >"$ENGINE_FIXTURES_OUT/podman-$name.json"
			n=$((n + 1))
		done
	fi
}

_podman_run_true() { PODMAN_RUNTIME=$1 prun "$IMAGE" true; }
@test "podman run --rm times: nrunc, runc, crun" {
	time_engine "podman run --rm" _podman_run_true
}
