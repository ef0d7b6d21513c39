# Engines part of bench/run.sh (sourced): the run cycle of /bin/true through containerd (ctr, runc shim with
# BinaryName = each runtime, and nrunc's own shim), Docker and Podman, each engine started here with private
# sockets and state on the bench's tmpfs, in the bench's mount namespace, and stopped afterwards. Plus the RSS of
# the shims with 1 and 50 running containers. An engine that is not installed is left out with a note.

ENG_NS="nrunc-bench-$$"
CD="$WORK/containerd" DD="$WORK/docker" PD="$WORK/podman"
DOCKER=/usr/bin/docker # Debian's 20.10 client (another docker CLI may come first on PATH)

# eng_time KEY RUNTIME CMD...: times one engine call; failures go to the error list.
eng_time() {
	local key=$1 r=$2 s e; shift 2
	s=$EPOCHREALTIME
	if "$@" </dev/null >/dev/null 2>"$WORK/eng.err"; then
		e=$EPOCHREALTIME
		sample "$key" "$r" "$s" "$e"
	else
		echo "$r $key: $(head -c 300 "$WORK/eng.err" | tr '\n' ' ')" >>"$ERRORS"
		return 1
	fi
}

wait_socket() {
	local i
	for i in $(seq 1 300); do [ -S "$1" ] && return 0; sleep 0.1; done
	echo "bench: $2 did not come up (see $3)" >&2
	tail -n 5 "$3" >&2
	return 1
}

# ---- containerd
containerd_up() {
	mkdir -p "$CD"
	cat >"$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CD/sock"
		[ttrpc]
		  address = "$CD/sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CD/opt"
	EOF
	# nrunc's shim is found on containerd's PATH
	PATH="$(dirname "${NRUNC_SHIM:-$REPO/out/containerd-shim-nrunc-v2}"):$PATH" containerd --config "$CD/config.toml" >"$CD/log" 2>&1 &
	echo $! >"$CD/pid"
	ENGINE_CLEANUP+=(containerd_down)
	wait_socket "$CD/sock" containerd "$CD/log"
}
ctr_() { ctr --address "$CD/sock" -n "$ENG_NS" "$@"; }
containerd_down() {
	local id
	for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s KILL "$id" >/dev/null 2>&1; done
	sleep 0.2
	for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$id" >/dev/null 2>&1; done
	for id in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$id" >/dev/null 2>&1; done
	[ -s "$CD/pid" ] && kill "$(cat "$CD/pid")" 2>/dev/null && wait "$(cat "$CD/pid")" 2>/dev/null
	pkill -KILL -f "containerd-shim-.*-namespace $ENG_NS " 2>/dev/null
	rm -rf "/run/containerd/runc/$ENG_NS" "/run/containerd/nrunc/$ENG_NS" 2>/dev/null
	rmcg "$ENG_NS"
}

# ---- docker
docker_up() {
	mkdir -p "$DD"
	local had_key=0 args=()
	[ -e /etc/docker/key.json ] && had_key=1
	echo $had_key >"$DD/had-key"
	for r in "${RTS[@]}"; do [ "$r" = runc ] || args+=(--add-runtime "bench-$r=${BIN[$r]}"); done
	dockerd --data-root "$DD/data" --exec-root "$DD/exec" --pidfile "$DD/pid" -H "unix://$DD/sock" \
		--iptables=false --ip6tables=false --ip-masq=false --bridge=none --userland-proxy=false \
		--cgroup-parent "/$ENG_NS-docker" "${args[@]}" >"$DD/log" 2>&1 &
	echo $! >"$DD/dpid"
	ENGINE_CLEANUP+=(docker_down)
	wait_socket "$DD/sock" dockerd "$DD/log" || return 1
	tar -C "$B/rootfs" -c . | $DOCKER -H "unix://$DD/sock" import - nrunc-bench:latest >/dev/null
}
docker_() { $DOCKER -H "unix://$DD/sock" "$@"; }
docker_down() {
	docker_ ps -aq 2>/dev/null | xargs -r $DOCKER -H "unix://$DD/sock" rm -f >/dev/null 2>&1
	[ -s "$DD/dpid" ] && kill "$(cat "$DD/dpid")" 2>/dev/null && wait "$(cat "$DD/dpid")" 2>/dev/null
	[ "$(cat "$DD/had-key" 2>/dev/null)" = 0 ] && rm -f /etc/docker/key.json
	rmdir /etc/docker 2>/dev/null
	rmcg "$ENG_NS-docker"
}
docker_rt() { [ "$1" = runc ] && echo runc || echo "bench-$1"; }

# ---- podman
podman_up() {
	mkdir -p "$PD"
	cat >"$PD/containers.conf" <<-EOF
		[containers]
		default_ulimits = []
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime_supports_json = ["crun", "runc", "nrunc"]
	EOF
	ENGINE_CLEANUP+=(podman_down)
	tar -C "$B/rootfs" -c . >"$PD/rootfs.tar"
	podman_ import "$PD/rootfs.tar" nrunc-bench >/dev/null 2>"$PD/log"
}
podman_() {
	CONTAINERS_CONF="$PD/containers.conf" podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" \
		--cgroup-manager cgroupfs --events-backend file "$@"
}
podman_down() {
	podman_ rm -af >/dev/null 2>&1
	podman_ system reset -f >/dev/null 2>&1 # unmounts its overlay storage
	rmcg "$ENG_NS-podman"
}

rmcg() { local d; for d in /sys/fs/cgroup/*/"$1"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done; }

# shim_rss NAME RUNTIME-FLAGS... : mean and total RSS of the shim processes with 1 and N running containers
shim_rss() {
	local name=$1 n count total pids i; shift
	for n in 1 $SHIM_N; do
		for i in $(seq 1 "$n"); do
			ctr_ run -d "$@" --rootfs "$B/rootfs" "rss-$name-$n-$i" /bin/sleep 1000 </dev/null >/dev/null 2>>"$ERRORS" || break
		done
		sleep 0.5
		pids=$(pgrep -f "$name.*-namespace $ENG_NS " || true)
		count=$(echo "$pids" | grep -c . || true)
		total=0
		for p in $pids; do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
		[ "$count" -gt 0 ] && awk -v s="$name" -v n="$n" -v c="$count" -v t="$total" \
			'BEGIN {printf "| %s | %d | %.1f | %.1f |\n", s, n, t/c/1024, t/1024}' >>"$WORK/shim.rss"
		for i in $(seq 1 "$n"); do ctr_ task kill -s KILL "rss-$name-$n-$i" >/dev/null 2>&1; done
		sleep 0.3
		for i in $(seq 1 "$n"); do
			ctr_ task delete -f "rss-$name-$n-$i" >/dev/null 2>&1
			ctr_ container delete "rss-$name-$n-$i" >/dev/null 2>&1
		done
	done
}

bench_engines() {
	local have_ctr=0 have_docker=0 have_podman=0 own_shim=0 i r
	SHIM_N=$([ "$QUICK" = 1 ] && echo 5 || echo 50)
	echo "bench: engines" >&2
	if command -v containerd >/dev/null && command -v ctr >/dev/null; then containerd_up && have_ctr=1; else echo "bench: containerd not installed, left out" >&2; fi
	if command -v dockerd >/dev/null && [ -x $DOCKER ]; then docker_up && have_docker=1; else echo "bench: docker.io not installed, left out" >&2; fi
	if command -v podman >/dev/null; then podman_up && have_podman=1; else echo "bench: podman not installed, left out" >&2; fi
	if [ $have_ctr = 1 ] && [[ " ${RTS[*]} " == *" nrunc "* ]] &&
		ctr_ run --rm --runtime io.containerd.nrunc.v2 --rootfs "$B/rootfs" shim-probe /bin/true </dev/null >/dev/null 2>"$WORK/eng.err"; then
		own_shim=1
	else
		ctr_ container delete shim-probe >/dev/null 2>&1
		[ $have_ctr = 1 ] && echo "bench: nrunc's shim cannot run containers yet, its row is left out: $(head -c 200 "$WORK/eng.err")" >&2
	fi
	for i in $(seq 1 "$ENGINE_ITER"); do
		for r in $(shuffled); do
			[ $have_ctr = 1 ] && eng_time ctr_run "$r" ctr_ run --rm --runc-binary "${BIN[$r]}" --rootfs "$B/rootfs" "e$i-$r" /bin/true
			[ $have_docker = 1 ] && eng_time docker_run "$r" docker_ run --rm --network none --runtime "$(docker_rt "$r")" nrunc-bench /bin/true
			[ $have_podman = 1 ] && eng_time podman_run "$r" podman_ run --rm --pull=never --network none \
				--cgroup-parent "/$ENG_NS-podman" --runtime "${BIN[$r]}" nrunc-bench /bin/true
		done
		[ $own_shim = 1 ] && eng_time ctr_run_nrunc_shim nrunc ctr_ run --rm --runtime io.containerd.nrunc.v2 --rootfs "$B/rootfs" "n$i" /bin/true
	done
	# the nrunc-shim row compares nrunc's shim with the runc shim driving runc and crun
	if [ $own_shim = 1 ]; then
		for r in runc crun; do [ -s "$WORK/s.ctr_run.$r" ] && cp "$WORK/s.ctr_run.$r" "$WORK/s.ctr_run_nrunc_shim.$r"; done
	fi
	ENGINE_KEYS="ctr_run ctr_run_nrunc_shim docker_run podman_run"
	if [ $have_ctr = 1 ]; then
		shim_rss containerd-shim-runc-v2 --runc-binary "${BIN[nrunc]:-/usr/sbin/runc}"
		[ $own_shim = 1 ] && shim_rss containerd-shim-nrunc-v2 --runtime io.containerd.nrunc.v2
	fi
}
