#!/usr/bin/env bash
# CRI suite: a private containerd (CRI plugin) drives pods through runtime handlers, exercised by
# critest (tests/cri/CriTest, a runtime.v1 gRPC client). Prints TAP on stdout; logs on stderr.
#   tests/cri/run.sh                          handlers runc, nrunc and nrunc-shim
#   HANDLERS="nrunc" tests/cri/run.sh         only some handlers
#   RUNTIME=/usr/sbin/runc tests/cri/run.sh   the runtime the nrunc and nrunc-shim handlers drive (default out/nrunc)
#   ONLY=seccomp tests/cri/run.sh             scenarios whose name contains the text
#   BENCH_ROUNDS=5 (default 3, 0 with ONLY)   pod start times, handlers interleaved in one run
# Handlers: runc = io.containerd.runc.v2 with /usr/sbin/runc; nrunc = the same shim with
# BinaryName = RUNTIME; nrunc-shim = io.containerd.nrunc.v2 (out/containerd-shim-nrunc-v2, on
# containerd's PATH) with BinaryName = RUNTIME in its config file; each handler has its own Root.
# containerd runs in a private mount and network namespace (its pods get a CNI bridge there),
# under a subreaper that reaps its shims; its root, state, sockets, cgroups (/nrunc-cri-PID) and
# /run/containerd/s (a tmpfs in that namespace) are removed afterwards.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
# the shim runs BinaryName from the bundle directory: make it absolute
RUNTIME=$(readlink -f "$(command -v "$RUNTIME" || echo "$RUNTIME")")
export RUNTIME
export HANDLERS="${HANDLERS:-runc nrunc nrunc-shim}"
export ONLY="${ONLY:-}"
export BENCH_ROUNDS="${BENCH_ROUNDS:-$([ -z "$ONLY" ] && echo 3 || echo 0)}"
IMAGE=localhost/nrunc-test/busybox:1
PAUSE_IMAGE=localhost/nrunc-test/pause:1
log() { echo "cri: $*" >&2; }

# ---- inside the private namespaces ----------------------------------------------------------
inner() {
	sock="$WORK/containerd.sock" reaper_pid="" containerd_pid=""
	stop_all() {
		[ -n "$reaper_pid" ] || return 0
		dotnet "$CRITEST" cleanup --socket "$sock" 2>>"$WORK/critest.err" | sed 's/^/# /'
		kill -TERM "$reaper_pid" 2>/dev/null # forwarded to containerd
		[ -n "$containerd_pid" ] && wait_gone 10 kill -0 "$containerd_pid"
		kill_leftovers TERM
		wait_gone 3 has_shims
		kill_leftovers KILL
		# the subreaper exits once every descendant is reaped
		wait_gone 10 pgrep -P "$reaper_pid"
		pgrep -P "$reaper_pid" | xargs -r kill -KILL
		wait "$reaper_pid"
		reaper_pid=""
	}
	# wait_gone SECONDS CMD...: polls until CMD fails
	wait_gone() {
		local n=$(($1 * 5))
		shift
		while [ $n -gt 0 ] && "$@" >/dev/null 2>&1; do sleep 0.2; n=$((n - 1)); done
	}
	# shims daemonize: their starter exits and they are re-parented to the subreaper, next to containerd
	shim_pids() {
		{ pgrep -f -- "-address $sock"; [ -n "$reaper_pid" ] && pgrep -P "$reaper_pid"; } |
			sort -u | grep -vx "${containerd_pid:-0}"
	}
	has_shims() { [ -n "$(shim_pids)" ]; }
	# shims of this containerd, and whatever is left in this run's cgroups
	kill_leftovers() {
		local p
		for p in $(shim_pids) $(cgroup_pids); do kill -"$1" "$p" 2>/dev/null; done
	}
	trap stop_all EXIT

	ip link set lo up
	mkdir -p /run/containerd/s
	mount -t tmpfs -o mode=0711,size=1m cri-shim-sockets /run/containerd/s

	mkdir -p "$WORK/cni/net.d" "$WORK/cni/ipam" "$WORK/runc-root" "$WORK/nrunc-root" "$WORK/nrunc-shim-root"
	cat >"$WORK/cni/net.d/10-nrunc-cri.conflist" <<-JSON
	{"cniVersion": "0.4.0", "name": "nrunc-cri", "plugins": [
	  {"type": "bridge", "bridge": "nrcri0", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "dataDir": "$WORK/cni/ipam", "ranges": [[{"subnet": "10.231.0.0/24"}]],
	            "routes": [{"dst": "0.0.0.0/0"}]}}]}
	JSON
	printf 'BinaryName = "%s"\nRoot = "%s"\nSystemdCgroup = false\n' "$RUNTIME" "$WORK/nrunc-shim-root" >"$WORK/nrunc-shim.toml"
	local cri='plugins."io.containerd.grpc.v1.cri"'
	cat >"$WORK/config.toml" <<-TOML
	version = 2
	root = "$WORK/root"
	state = "$WORK/state"
	temp = "$WORK/tmp"
	oom_score = 0
	disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
	  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
	[grpc]
	  address = "$sock"
	[ttrpc]
	  address = "$sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$WORK/opt"
	[$cri]
	  sandbox_image = "$PAUSE_IMAGE"
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	  disable_apparmor = true
	  restrict_oom_score_adj = true
	  netns_mounts_under_state_dir = true
	  enable_selinux = false
	  [$cri.cni]
	    bin_dir = "/usr/lib/cni"
	    conf_dir = "$WORK/cni/net.d"
	  [$cri.containerd]
	    snapshotter = "overlayfs"
	    default_runtime_name = "runc"
	    [$cri.containerd.runtimes.runc]
	      runtime_type = "io.containerd.runc.v2"
	      [$cri.containerd.runtimes.runc.options]
	        BinaryName = "/usr/sbin/runc"
	        Root = "$WORK/runc-root"
	        SystemdCgroup = false
	    [$cri.containerd.runtimes.nrunc]
	      runtime_type = "io.containerd.runc.v2"
	      [$cri.containerd.runtimes.nrunc.options]
	        BinaryName = "$RUNTIME"
	        Root = "$WORK/nrunc-root"
	        SystemdCgroup = false
	    [$cri.containerd.runtimes.nrunc-shim]
	      runtime_type = "io.containerd.nrunc.v2"
	      # CRI sends shims other than runc's only a config file path
	      [$cri.containerd.runtimes.nrunc-shim.options]
	        ConfigPath = "$WORK/nrunc-shim.toml"
	TOML

	# containerd finds containerd-shim-nrunc-v2 on its PATH
	PATH="$REPO/out:$PATH" "$WORK/bin/subreaper" containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
	reaper_pid=$!
	containerd_pid=""
	local up=0
	for _ in $(seq 150); do
		ctr -a "$sock" version >/dev/null 2>&1 && { up=1; break; }
		sleep 0.2
	done
	if [ $up = 0 ]; then
		echo "not ok 1 containerd with the CRI plugin starts"
		tail -n 30 "$WORK/containerd.log" | sed 's/^/# /'
		return 1
	fi
	echo "ok 1 containerd with the CRI plugin starts"
	containerd_pid=$(pgrep -P "$reaper_pid" -x containerd)
	local t
	for t in pause busybox; do
		if ! ctr -a "$sock" -n k8s.io images import "$WORK/$t.tar" >"$WORK/import-$t.log" 2>&1; then
			echo "not ok 1 import image $t"; sed 's/^/# /' "$WORK/import-$t.log"; return 1
		fi
	done

	local common=(--socket "$sock" --image "$IMAGE" --sandbox-image "$PAUSE_IMAGE" --cgroup-root "$CGROUP_ROOT/kubepods/burstable" --work "$WORK/pods" --cni)
	[ -n "$ONLY" ] && common+=(--only "$ONLY")
	local h bench=()
	for h in $HANDLERS; do
		if [ "$h" = nrunc-shim ] && ! shim_implemented; then
			echo "ok 1 [nrunc-shim] CRI scenarios # skip out/containerd-shim-nrunc-v2 is not implemented yet (answers only -v)"
			continue
		fi
		bench+=("$h")
		log "handler $h"
		dotnet "$CRITEST" scenarios "${common[@]}" --handler "$h" --runtime-root "$WORK/$h-root" 2>"$WORK/critest-$h.err" | tee "$WORK/critest-$h.tap"
		local rc=${PIPESTATUS[0]}
		cat "$WORK/critest-$h.err" >>"$WORK/critest.err"
		if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$WORK/critest-$h.tap"; then
			echo "not ok 1 [$h] critest ran to the end (exit status $rc)"
			tail -n 15 "$WORK/critest-$h.err" | sed 's/^/# /'
		fi
		# every pod is removed now: its shims exit and the kubepods tree holds no process
		wait_gone 10 has_shims
		wait_gone 5 has_cgroup_pids
		local shims procs
		shims=$(shim_pids | tr '\n' ' ') procs=$(cgroup_pids | tr '\n' ' ')
		if [ -z "$shims$procs" ] && [ -z "$ONLY" ]; then
			echo "ok 1 [$h] no shim and no process left in the kubepods tree after the pods are removed"
		elif [ -z "$ONLY" ]; then
			echo "not ok 1 [$h] no shim and no process left in the kubepods tree after the pods are removed"
			echo "# shims: $shims; processes: $procs"
		fi
	done
	if [ "$BENCH_ROUNDS" -gt 0 ] && [ ${#bench[@]} -gt 0 ]; then
		log "pod start times (${bench[*]}), $BENCH_ROUNDS rounds"
		dotnet "$CRITEST" bench "${common[@]}" --handlers "$(IFS=,; echo "${bench[*]}")" --rounds "$BENCH_ROUNDS" 2>>"$WORK/critest.err"
	fi
	stop_all
}

# the shim is there for real once it answers anything but -v
shim_implemented() {
	[ -x "$REPO/out/containerd-shim-nrunc-v2" ] || return 1
	local said
	said=$("$REPO/out/containerd-shim-nrunc-v2" 2>&1 </dev/null)
	[[ "$said" != *"not implemented yet"* ]]
}

has_cgroup_pids() { [ -n "$(cgroup_pids)" ]; }
cgroup_pids() {
	# v1 hierarchies (/sys/fs/cgroup/CONTROLLER/...) or the v2 tree (/sys/fs/cgroup/...)
	cat /sys/fs/cgroup{,/*}"$CGROUP_ROOT"/{,*/,*/*/,*/*/*/,*/*/*/*/}cgroup.procs 2>/dev/null | sort -u
}

if [ "${1:-}" = --inner ]; then
	inner
	exit $?
fi

# ---- outside: dependencies, tools, images ----------------------------------------------------
apt_missing=()
for p in containerd containernetworking-plugins gcc libc6-dev busybox-static jq iproute2 procps util-linux; do
	dpkg -s "$p" >/dev/null 2>&1 || apt_missing+=("$p")
done
if [ ${#apt_missing[@]} -gt 0 ]; then
	log "installing ${apt_missing[*]}"
	# no system containerd: keep the package's init script from starting one
	own_policy=""
	[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
	apt_rc=$?
	[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
	[ $apt_rc -eq 0 ] || { echo "not ok 1 install containerd and CNI plugins"; echo "1..1"; exit 1; }
fi
[ -x "$RUNTIME" ] || { echo "not ok 1 RUNTIME $RUNTIME is executable (run ./build.sh)"; echo "1..1"; exit 1; }

export WORK CGROUP_ROOT="/nrunc-cri-$$" CRITEST="$HERE/CriTest/bin/Release/net10.0/critest.dll"
WORK=$(mktemp -d /tmp/nrunc-cri.XXXXXX)
chmod 711 "$WORK"
made_run_dirs=()
for d in /run/containerd /run/containerd/s; do [ -d "$d" ] || made_run_dirs=("$d" "${made_run_dirs[@]}"); done
cleanup() {
	local d
	for d in /sys/fs/cgroup{,/*}"$CGROUP_ROOT"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$WORK"
	for d in "${made_run_dirs[@]}"; do rmdir "$d" 2>/dev/null; done
}
trap cleanup EXIT

# no MSBuild node or compiler server is left running after the build
log "building critest"
if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet build "$HERE/CriTest" -c Release -nologo -v quiet -nodeReuse:false -p:UseSharedCompilation=false >"$WORK/build.log" 2>&1; then
	echo "not ok 1 build tests/cri/CriTest"; sed 's/^/# /' "$WORK/build.log" | tail -n 30; echo "1..1"; exit 1
fi
mkdir -p "$WORK/bin" "$WORK/pods" "$WORK/rootfs-busybox"/{bin,etc,proc,sys,dev,tmp,root} "$WORK/rootfs-pause"/{proc,sys,dev,etc}
gcc -static -Os -o "$WORK/rootfs-pause/pause" "$HERE/tools/pause.c" &&
	gcc -O2 -o "$WORK/bin/subreaper" "$HERE/tools/subreaper.c" ||
	{ echo "not ok 1 build pause and subreaper"; echo "1..1"; exit 1; }
cp /bin/busybox "$WORK/rootfs-busybox/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$WORK/rootfs-busybox/bin/$a"; done
chmod 1777 "$WORK/rootfs-busybox/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$WORK/rootfs-busybox/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$WORK/rootfs-busybox/etc/group"
"$HERE/make-image.sh" "$WORK/rootfs-busybox" "$IMAGE" "$WORK/busybox.tar" /bin/sh &&
	"$HERE/make-image.sh" "$WORK/rootfs-pause" "$PAUSE_IMAGE" "$WORK/pause.tar" /pause ||
	{ echo "not ok 1 build the test images"; echo "1..1"; exit 1; }

# One TAP stream: tests renumbered across handlers, one plan at the end.
unshare -m -n --propagation private "$0" --inner | awk '
	/^ok [0-9]+/     { n++; sub(/^ok [0-9]+/, "ok " n); print; fflush(); next }
	/^not ok [0-9]+/ { n++; failed++; sub(/^not ok [0-9]+/, "not ok " n); print; fflush(); next }
	/^1\.\.[0-9]+$/  { next }
	{ print; fflush() }
	END { print "1.." n; exit failed > 0 }'
rc=$?
if [ $rc -ne 0 ]; then
	log "containerd log (last 40 lines):"; tail -n 40 "$WORK/containerd.log" >&2
	log "critest stderr:"; tail -n 40 "$WORK/critest.err" >&2 2>/dev/null
fi
exit $rc
