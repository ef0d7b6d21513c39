#!/usr/bin/env bats
# Docker 20.10 with RUNTIME registered as `--add-runtime testrt=RUNTIME` (Docker drives it
# through its managed containerd and containerd's runc shim). dockerd runs with private
# data/exec roots, socket, pid file, key file and cgroup parent, no iptables and no bridge.

load helpers

dk() { "$DOCKER_BIN" -H "unix://$ENGINE_DIR/docker.sock" "$@"; }
# drun ARGS...: docker run --rm on the test runtime without network
drun() { dk run --rm --runtime testrt --network none "$@"; }
# A detached container named $1 running sleep (extra run flags before --).
drun_d() {
	local name=$1
	shift
	dk run -d --runtime testrt --network none --name "$name" "$@" "$IMAGE" sleep 1000 >/dev/null
}
cid() { dk inspect --format '{{.Id}}' "$1"; }

setup_file() {
	export ENGINE_DIR="${ENGINE_TMP:-$BATS_FILE_TMPDIR}/docker"
	export CG_PARENT="nrunc-engines-docker-$$"
	mkdir -p "$ENGINE_DIR"
	echo '{}' >"$ENGINE_DIR/daemon.json"
	local etc_docker=1
	[ -d /etc/docker ] || etc_docker=0
	echo "$etc_docker" >"$ENGINE_DIR/etc-docker-existed"
	[ -e /etc/docker/key.json ] && echo 1 >"$ENGINE_DIR/key-existed"
	[ -e /run/docker ] && touch "$ENGINE_DIR/run-docker-existed"
	note_run_containerd "$ENGINE_DIR"
	make_capture_runtime "$ENGINE_DIR/capture-runtime" "$ENGINE_DIR/captured"
	dockerd --config-file "$ENGINE_DIR/daemon.json" \
		--iptables=false --ip6tables=false --ip-masq=false --bridge=none --userland-proxy=false \
		--data-root "$ENGINE_DIR/data" --exec-root "$ENGINE_DIR/exec" --pidfile "$ENGINE_DIR/docker.pid" \
		-H "unix://$ENGINE_DIR/docker.sock" --exec-opt native.cgroupdriver=cgroupfs \
		--cgroup-parent "/$CG_PARENT" --init-path /usr/bin/tini-static \
		--add-runtime "testrt=$RUNTIME" --add-runtime "capture=$ENGINE_DIR/capture-runtime" \
		--add-runtime "time-nrunc=$REPO/out/nrunc" --add-runtime time-runc=/usr/sbin/runc --add-runtime time-crun=/usr/bin/crun \
		</dev/null >"$ENGINE_DIR/dockerd.log" 2>&1 3>&- &
	echo $! >"$ENGINE_DIR/dockerd.pid"
	retry 150 0.2 dk version >/dev/null 2>&1 || { tail -20 "$ENGINE_DIR/dockerd.log" >&3; return 1; }
	make_rootfs_tar "$ENGINE_DIR/rootfs.tar"
	dk import -c 'CMD ["/bin/sh"]' "$ENGINE_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	local ids pid
	ids=$(dk ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
	dk volume prune -f >/dev/null 2>&1
	pid=$(cat "$ENGINE_DIR/dockerd.pid")
	kill -TERM "$pid" 2>/dev/null
	retry 150 0.2 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	# shims of containers killed above: their sockets, then the cgroup parent
	remove_shim_sockets "$ENGINE_DIR/exec/containerd/containerd.sock" moby $(sort -u "$ENGINE_DIR/all-ids" 2>/dev/null)
	remove_run_containerd "$ENGINE_DIR"
	remove_cgroup_tree "$CG_PARENT"
	if [ ! -e "$ENGINE_DIR/key-existed" ]; then rm -f /etc/docker/key.json; fi
	# dockerd makes /run/docker/plugins whatever its exec root
	[ -e "$ENGINE_DIR/run-docker-existed" ] || rmdir /run/docker/plugins /run/docker 2>/dev/null
	if [ "$(cat "$ENGINE_DIR/etc-docker-existed")" = 0 ]; then rmdir /etc/docker 2>/dev/null; fi
	grep " $ENGINE_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ENGINE_DIR"
	true
}

teardown() {
	# remember every container id for the shim socket cleanup, then remove them
	dk ps -aq --no-trunc >>"$ENGINE_DIR/all-ids" 2>/dev/null
	local ids
	ids=$(dk ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
	true
}

@test "docker run: plain" {
	run drun "$IMAGE" echo hello from docker
	[ "$status" -eq 0 ]
	[ "$output" = "hello from docker" ]
	run drun "$IMAGE" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "docker run -it: a terminal" {
	run timeout 60 script -qec "$DOCKER_BIN -H unix://$ENGINE_DIR/docker.sock run -it --rm --runtime testrt --network none $IMAGE sh -c 'tty; stty size; echo done'" /dev/null </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"done"* ]]
}

@test "docker run -d, logs, stop (SIGTERM), rm" {
	dk run -d --runtime testrt --network none --name d1 "$IMAGE" sh -c 'trap "echo got TERM; exit 0" TERM; echo started; while true; do sleep 0.1; done' >/dev/null
	retry 50 0.1 bash -c "$DOCKER_BIN -H unix://$ENGINE_DIR/docker.sock logs d1 | grep -q started"
	[ "$(dk inspect --format '{{.State.Status}}' d1)" = running ]
	run dk stop -t 10 d1
	[ "$status" -eq 0 ]
	run dk logs d1
	[[ "$output" == *"got TERM"* ]]
	[ "$(dk inspect --format '{{.State.ExitCode}}' d1)" = 0 ]
	run dk rm d1
	[ "$status" -eq 0 ]
	run dk inspect d1
	[ "$status" -ne 0 ]
}

@test "docker run -m 100m: allocating process is OOM-killed, inspect shows OOMKilled and 137" {
	run dk run --runtime testrt --network none --name oom -m 100m "$IMAGE" dd if=/dev/zero of=/dev/null bs=200M count=1
	[ "$status" -eq 137 ]
	[ "$(dk inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' oom)" = "true 137" ]
	run drun -m 100m "$IMAGE" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = 104857600 ]
}

@test "docker run --cpu-shares, --cpu-quota/--cpu-period, --cpus, --cpuset-cpus" {
	run drun --cpu-shares 512 "$IMAGE" cat /sys/fs/cgroup/cpu/cpu.shares
	[ "$output" = 512 ]
	run drun --cpu-quota 25000 --cpu-period 50000 "$IMAGE" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
	[ "$output" = $'25000\n50000' ]
	run drun --cpus 1.5 "$IMAGE" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
	[ "$output" = $'150000\n100000' ]
	run drun --cpuset-cpus 1 "$IMAGE" sh -c 'cat /sys/fs/cgroup/cpuset/cpuset.cpus; grep Cpus_allowed_list /proc/self/status'
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == *$'\t1' ]]
}

@test "docker run --pids-limit contains a fork bomb" {
	# the bomb only starts once the limit is seen in place
	dk run -d --runtime testrt --network none --name bomb --pids-limit 20 "$IMAGE" \
		sh -c '[ "$(cat /sys/fs/cgroup/pids/pids.max)" = 20 ] || exit 3; b() { b | b & }; b 2>/dev/null; sleep 1000' >/dev/null
	sleep 2
	[ "$(dk inspect --format '{{.State.ExitCode}}' bomb)" != 3 ]
	# the init's pids cgroup, as the kernel reports it
	local pid d
	pid=$(dk inspect --format '{{.State.Pid}}' bomb)
	d=/sys/fs/cgroup/pids$(grep ':pids:' "/proc/$pid/cgroup" | cut -d: -f3)
	[ "$(cat "$d/pids.max")" = 20 ]
	[ "$(cat "$d/pids.current")" -le 20 ]
	run dk rm -f bomb
	[ "$status" -eq 0 ]
}

@test "docker run --blkio-weight" {
	[ -e /sys/fs/cgroup/blkio/blkio.weight ] || skip "kernel has no blkio.weight (no CFQ; docker ignores --blkio-weight here, as with runc)"
	run drun --blkio-weight 300 "$IMAGE" cat /sys/fs/cgroup/blkio/blkio.weight
	[ "$output" = 300 ]
}

@test "docker run --device" {
	run drun --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'head -c 3 /dev/myzero | od -An -tx1; ls -l /dev/myzero'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"00 00 00"* ]]
	[[ "${lines[1]}" == c* ]]
}

@test "docker run --cap-add/--cap-drop" {
	run drun --cap-drop ALL --cap-add NET_ADMIN "$IMAGE" grep CapEff /proc/self/status
	[[ "$output" == *0000000000001000 ]]
	run drun --cap-drop CHOWN "$IMAGE" chown 1 /tmp
	[ "$status" -ne 0 ]
	run drun --cap-add SYS_ADMIN "$IMAGE" sh -c 'mkdir /m && mount -t tmpfs t /m && echo mounted'
	[ "$output" = mounted ]
}

@test "docker run --read-only with --tmpfs" {
	run drun --read-only --tmpfs /run:size=1m "$IMAGE" sh -c 'touch /x 2>/dev/null && echo wrote-root; touch /run/x && echo wrote-run; grep " /run " /proc/mounts'
	[ "${lines[0]}" = wrote-run ]
	[[ "${lines[1]}" == "tmpfs /run tmpfs "* ]]
}

@test "docker run --ulimit nofile" {
	run drun --ulimit nofile=1024:2048 "$IMAGE" sh -c 'ulimit -Sn; ulimit -Hn'
	[ "$output" = $'1024\n2048' ]
}

@test "docker run --security-opt seccomp=PROFILE and seccomp=unconfined" {
	cat >"$BATS_TEST_TMPDIR/seccomp.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
 "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
JSON
	run drun --security-opt "seccomp=$BATS_TEST_TMPDIR/seccomp.json" "$IMAGE" sh -c 'mkdir /tmp/d 2>&1 | grep -q "Operation not permitted" && echo eperm; [ -d /tmp/d ] && echo made; grep Seccomp: /proc/self/status'
	echo "$output"
	[ "${lines[0]}" = eperm ]
	[[ "${lines[1]}" == "Seccomp:"*2 ]]
	run drun --security-opt seccomp=unconfined "$IMAGE" grep Seccomp: /proc/self/status
	[[ "$output" == *"Seccomp:"*0 ]]
	# the default profile: filtering on, ordinary syscalls allowed, unshare(CLONE_NEWUSER) refused
	run drun "$IMAGE" sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/d && echo made; unshare -U true 2>/dev/null || echo refused'
	echo "$output"
	[[ "${lines[0]}" == *2 ]]
	[ "${lines[1]}" = made ]
	[[ "$output" == *refused* ]]
}

@test "docker run --security-opt no-new-privileges" {
	run drun --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
	[[ "$output" == *1 ]]
	run drun "$IMAGE" grep NoNewPrivs /proc/self/status
	[[ "$output" == *0 ]]
}

@test "docker run -u, -w, -h, -e" {
	run drun -u 1000:1000 "$IMAGE" id
	[[ "$output" == "uid=1000(tester) gid=1000(tester)"* ]]
	run drun -u nobody "$IMAGE" id -u
	[ "$output" = 65534 ]
	run drun -w /var/newdir "$IMAGE" pwd
	[ "$output" = /var/newdir ]
	run drun -h myhost "$IMAGE" hostname
	[ "$output" = myhost ]
	run drun -e FOO=bar -e EMPTY= "$IMAGE" sh -c 'echo "$FOO/${EMPTY-unset}/$HOME"'
	echo "$output"
	[ "$output" = "bar///root" ]
}

@test "docker run -v bind mount and named volume" {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo from-host >"$BATS_TEST_TMPDIR/host/in"
	run drun -v "$BATS_TEST_TMPDIR/host:/data" "$IMAGE" sh -c 'cat /data/in; echo from-ctr >/data/out'
	[ "$output" = from-host ]
	[ "$(cat "$BATS_TEST_TMPDIR/host/out")" = from-ctr ]
	run drun -v "$BATS_TEST_TMPDIR/host:/data:ro" "$IMAGE" sh -c 'echo x >/data/out2'
	[ "$status" -ne 0 ]
	run drun -v vol1:/vol "$IMAGE" sh -c 'echo kept >/vol/f'
	[ "$status" -eq 0 ]
	run drun -v vol1:/vol "$IMAGE" cat /vol/f
	[ "$output" = kept ]
	dk volume rm vol1 >/dev/null
}

@test "docker run --ipc host, shareable and container:" {
	run drun --ipc host "$IMAGE" readlink /proc/self/ns/ipc
	[ "$output" = "$(readlink /proc/self/ns/ipc)" ]
	drun_d ipc1 --ipc shareable
	run dk exec ipc1 readlink /proc/self/ns/ipc
	local ns=$output
	[ "$ns" != "$(readlink /proc/self/ns/ipc)" ]
	run drun --ipc container:ipc1 "$IMAGE" readlink /proc/self/ns/ipc
	[ "$output" = "$ns" ]
}

@test "docker run --pid=host" {
	run drun --pid=host "$IMAGE" readlink /proc/self/ns/pid
	[ "$output" = "$(readlink /proc/self/ns/pid)" ]
	run drun "$IMAGE" sh -c 'echo $$'
	[ "$output" = 1 ]
}

@test "docker run --network none and host" {
	run drun "$IMAGE" sh -c 'ls /sys/class/net'
	[ "$output" = lo ]
	run dk run --rm --runtime testrt --network host "$IMAGE" readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "docker exec, with -it" {
	drun_d ex1 -e FROM_RUN=1
	run dk exec ex1 sh -c 'echo "exec $FROM_RUN"; id -u'
	[ "$output" = $'exec 1\n0' ]
	run dk exec -u 1000 -w /tmp -e X=y ex1 sh -c 'echo "$(id -u) $(pwd) $X"'
	[ "$output" = "1000 /tmp y" ]
	run dk exec ex1 sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run timeout 60 script -qec "$DOCKER_BIN -H unix://$ENGINE_DIR/docker.sock exec -it ex1 sh -c 'tty; echo done'" /dev/null </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *done* ]]
}

@test "docker update" {
	drun_d up1 --cpu-shares 512 -m 64m
	run dk update --cpu-shares 700 -m 128m --memory-swap -1 --pids-limit 40 up1
	[ "$status" -eq 0 ]
	run dk exec up1 cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "$output" = $'700\n134217728\n40' ]
}

@test "docker pause/unpause" {
	drun_d p1
	local id
	id=$(cid p1)
	run dk pause p1
	[ "$status" -eq 0 ]
	[ "$(dk inspect --format '{{.State.Status}}' p1)" = paused ]
	[ "$(cat /sys/fs/cgroup/freezer/$CG_PARENT/$id/freezer.state)" = FROZEN ]
	run dk unpause p1
	[ "$status" -eq 0 ]
	[ "$(dk inspect --format '{{.State.Status}}' p1)" = running ]
	run dk exec p1 echo alive
	[ "$output" = alive ]
}

@test "docker stats --no-stream" {
	drun_d st1 -m 64m
	run dk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st1
	[ "$status" -eq 0 ]
	[[ "$output" == "st1 "*"/ 64MiB 1" ]]
}

@test "docker top" {
	drun_d top1
	run dk top top1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

@test "docker run --restart after exit" {
	dk run -d --runtime testrt --network none --name r1 --restart on-failure:2 "$IMAGE" sh -c 'echo run; exit 3' >/dev/null
	retry 100 0.2 bash -c "[ \"\$($DOCKER_BIN -H unix://$ENGINE_DIR/docker.sock inspect --format '{{.RestartCount}} {{.State.Status}}' r1)\" = '2 exited' ]"
	[ "$(dk inspect --format '{{.State.ExitCode}}' r1)" = 3 ]
	[ "$(dk logs r1 | grep -c run)" = 3 ]
}

@test "docker run --init" {
	run drun --init "$IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	[[ "${lines[0]}" == *"/sbin/docker-init -- sh -c"* ]]
	[ "${lines[1]}" != 1 ]
}

@test "docker run --privileged" {
	has_all_caps || skip "no CAP_SYS_RESOURCE on this machine: --privileged asks for every capability, runc fails too"
	run drun --privileged "$IMAGE" sh -c 'grep CapEff /proc/self/status; ls /dev | grep -c .'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" -gt 20 ]
}

# Engine-generated config.json: runs through a wrapper runtime that copies each bundle's
# config.json; with ENGINE_FIXTURES_OUT set they are saved there (see tests/engines/README.md).
@test "docker: capture generated config.json (default, seccomp, privileged, resources, -it)" {
	dk run --rm --runtime capture --network none "$IMAGE" true
	dk run --rm --runtime capture --network none --security-opt seccomp=unconfined "$IMAGE" true
	# the capture is what matters: privileged may fail here (see "docker run --privileged")
	dk run --rm --runtime capture --network none --privileged "$IMAGE" true || true
	dk run --rm --runtime capture --network none -m 64m --cpus 0.5 --cpuset-cpus 0 --pids-limit 50 --cpu-shares 256 --ulimit nofile=1000:2000 --blkio-weight 200 "$IMAGE" true
	timeout 60 script -qec "$DOCKER_BIN -H unix://$ENGINE_DIR/docker.sock run -it --rm --runtime capture --network none $IMAGE true" /dev/null </dev/null
	local files
	files=($(ls "$ENGINE_DIR/captured"/*.json | sort))
	[ "${#files[@]}" -eq 5 ]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "${files[0]}"
	jq -e '.linux.seccomp == null' "${files[1]}"
	jq -e '.linux.seccomp == null and (.process.capabilities.bounding | length) > 30' "${files[2]}"
	jq -e '.linux.resources.memory.limit == 67108864 and .linux.resources.pids.limit == 50' "${files[3]}"
	jq -e '.process.terminal == true' "${files[4]}"
	if [ -n "${ENGINE_FIXTURES_OUT:-}" ]; then
		local n=0 name
		for name in default unconfined privileged resources tty; do
			"$REPO/tests/engines/scrub-fixture.sh" "${files[$n]}" >"$ENGINE_FIXTURES_OUT/docker-$name.json"
			n=$((n + 1))
		done
	fi
}

_docker_run_true() { dk run --rm --runtime "time-$(basename "$1")" --network none "$IMAGE" true; }
@test "docker run --rm times: nrunc, runc, crun" {
	time_engine "docker run --rm" _docker_run_true
}
