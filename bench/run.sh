#!/usr/bin/env bash
# nrunc vs runc vs crun, paired and interleaved in one run (each iteration measures every
# runtime in a shuffled order, so drift hits all of them alike). Reports medians, spread and the
# median of the per-iteration ratios nrunc/crun and nrunc/runc. Writes bench/results/<date>.md and .json.
#   bench/run.sh [--quick] [--iterations N] [--no-engines] [--no-scale]
# Env: NRUNC=path (default out/nrunc), RUNC=/usr/sbin/runc, CRUN=/usr/bin/crun,
#      NRUNC_SHIM=path (default out/containerd-shim-nrunc-v2).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

# Re-run ourselves in a private mount namespace: bundles on a tmpfs, and crun made to work here.
if [ "${_NRUNC_BENCH_NS:-}" != 1 ]; then
	exec env _NRUNC_BENCH_NS=1 unshare -m --propagation private "$0" "$@"
fi

ITER=20 QUICK=0 LISTS="10 100 1000" SEQ=100 ENGINES=1 ENGINE_ITER=10
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ITER=3 LISTS="10" SEQ=10 ENGINE_ITER=1 ;;
	--iterations) ITER=$2; ENGINE_ITER=$(((ITER + 1) / 2)); shift ;;
	--no-engines) ENGINES=0 ;;
	--no-scale) LISTS="10 100" ;;
	*) echo "usage: $0 [--quick] [--iterations N] [--no-engines] [--no-scale]" >&2; exit 2 ;;
	esac
	shift
done

declare -A BIN=([nrunc]="${NRUNC:-$REPO/out/nrunc}" [runc]="${RUNC:-/usr/sbin/runc}" [crun]="${CRUN:-/usr/bin/crun}")
RTS=()
for r in nrunc runc crun; do
	if [ -x "${BIN[$r]}" ]; then RTS+=("$r"); else echo "bench: $r not found at ${BIN[$r]}, left out" >&2; fi
done

WORK=$(mktemp -d /tmp/nrunc-bench.XXXXXX)
mount -t tmpfs -o size=4g nrunc-bench "$WORK"
# crun 1.8.1 refuses to run on this hybrid host ("cgroups in hybrid mode not supported, drop
# all controllers from cgroupv2") because the cgroup2 mount at /sys/fs/cgroup/unified has a
# controller (hugetlb). In this private mount namespace an empty tmpfs hides that mount, so
# every runtime (not only crun) sees a pure cgroup v1 layout. See bench/README.md. crun writes a
# directory and a cgroup.procs file per container into it: sized for 1000 containers.
if [ -d /sys/fs/cgroup/unified ]; then mount -t tmpfs -o size=256m nrunc-bench-hide /sys/fs/cgroup/unified; fi
CGP="nrunc-bench-$$"
ERRORS="$WORK/errors"
: >"$ERRORS"
ENGINE_CLEANUP=()

cleanup() {
	local r id f
	for f in "${ENGINE_CLEANUP[@]}"; do "$f"; done
	for r in "${RTS[@]}"; do
		for id in $(ls "$WORK/root-$r" 2>/dev/null); do "${BIN[$r]}" --root "$WORK/root-$r" delete --force "$id" >/dev/null 2>&1; done
	done
	for d in /sys/fs/cgroup/*/"$CGP"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
	cd /
	umount -R "$WORK" 2>/dev/null && rmdir "$WORK"
}
trap cleanup EXIT

# Bundle: busybox-static rootfs, runc's default config with /bin/true.
B="$WORK/bundle"
mkdir -p "$B/rootfs"/{bin,etc,proc,sys,dev,tmp}
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$B/rootfs/bin/$a"; done
jq '.process.terminal = false | .process.args = ["/bin/true"] | .root.readonly = false' \
	"$REPO/tests/integration/testdata/config.json" >"$B/config.json"
# bundle NAME JQ-FILTER: another bundle sharing the rootfs (runc refuses a symlinked rootfs: absolute path).
bundle() {
	mkdir -p "$WORK/$1"
	jq --arg r "$B/rootfs" ".root.path = \$r | $2" "$B/config.json" >"$WORK/$1/config.json"
}
bundle bundle-seccomp ".linux.seccomp = $(jq -c . "$HERE/moby-default-seccomp.json")"
bundle bundle-sleep '.process.args = ["sleep", "100000"]'
BS="$WORK/bundle-seccomp" BL="$WORK/bundle-sleep"
echo '{"pids": {"limit": 200}}' >"$WORK/update.json"

# every container gets its own leaf cgroup under the bench's parent
setcg() { jq --arg c "/$CGP/$2" '.linux.cgroupsPath = $c' "$1/config.json" >"$1/config.json.n" && mv "$1/config.json.n" "$1/config.json"; }

# t KEY RUNTIME ARGS...: times one call (microseconds) and appends to the samples.
t() {
	local key=$1 r=$2; shift 2
	local s e rc=0
	s=$EPOCHREALTIME
	"${BIN[$r]}" --root "$WORK/root-$r" "$@" </dev/null >/dev/null 2>"$WORK/last.err" || rc=$?
	e=$EPOCHREALTIME
	if [ "$rc" -ne 0 ] && [ "$key" != kill ]; then
		echo "$r $key: exit $rc: $(head -c 300 "$WORK/last.err")" >>"$ERRORS"
		return 1
	fi
	sample "$key" "$r" "$s" "$e"
}
# sample KEY RUNTIME START END: records one sample given two $EPOCHREALTIME values.
sample() { echo "$(((${4/./} - ${3/./})))" >>"$WORK/s.$1.$2"; }

shuffled() { printf '%s\n' "${RTS[@]}" | shuf; }
rt() { "${BIN[$1]}" --root "$WORK/root-$1" "${@:2}"; }

wait_stopped() {
	local i
	for i in $(seq 1 200); do
		[ "$(rt "$1" state "$2" 2>/dev/null | jq -r .status)" = stopped ] && return 0
		sleep 0.01
	done
	return 1
}

echo "bench: ${RTS[*]}; $ITER iterations$([ $QUICK = 1 ] && echo ' (quick)')" >&2
# long-running container per runtime, for exec
for r in "${RTS[@]}"; do
	mkdir -p "$WORK/root-$r"
	setcg "$BL" "exec-$r"
	rt "$r" run -d -b "$BL" "exec-$r" </dev/null >/dev/null 2>>"$ERRORS" || echo "$r: exec container failed" >>"$ERRORS"
done

# ---- single operations
echo "bench: lifecycle operations" >&2
for i in $(seq 1 "$ITER"); do
	for r in $(shuffled); do
		id="c$i-$r"
		setcg "$B" "$id"
		t run "$r" run -b "$B" "$id" || rt "$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do
		id="s$i-$r"
		setcg "$BS" "$id"
		t run_seccomp "$r" run -b "$BS" "$id" || rt "$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do
		id="l$i-$r"
		setcg "$BL" "$id"
		if t create "$r" create -b "$BL" "$id"; then
			t start "$r" start "$id"
			t state "$r" state "$id"
			t ps "$r" ps --format json "$id"
			t events_stats "$r" events --stats "$id"
			t pause "$r" pause "$id" && t resume "$r" resume "$id"
			t update "$r" update --resources "$WORK/update.json" "$id"
			t kill "$r" kill "$id" KILL
			wait_stopped "$r" "$id"
			t delete "$r" delete "$id"
		fi
		rt "$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do t exec "$r" exec "exec-$r" /bin/true; done
done

# ---- create's cgroup step: time in cgroupfs syscalls under strace (cgroup-step.sh)
# shellcheck source=cgroup-step.sh
. "$HERE/cgroup-step.sh"
bench_cgroup_step

# ---- many runs: $SEQ sequential runs (one sample = the whole block), 8 parallel runs
echo "bench: $SEQ sequential runs, 8 parallel runs" >&2
for j in $(seq 1 8); do bundle "bundle-par$j" '.'; done
seq_block() {
	local r=$1 i s e
	s=$EPOCHREALTIME
	for i in $(seq 1 "$SEQ"); do
		rt "$r" run -b "$B" "q$i-$r" </dev/null >/dev/null 2>>"$ERRORS" || rt "$r" delete --force "q$i-$r" >/dev/null 2>&1
	done
	e=$EPOCHREALTIME
	sample "seq_$SEQ" "$r" "$s" "$e"
}
par_block() {
	local r=$1 j s e
	s=$EPOCHREALTIME
	for j in $(seq 1 8); do
		rt "$r" run -b "$WORK/bundle-par$j" "p$j-$r" </dev/null >/dev/null 2>>"$ERRORS" &
	done
	wait
	e=$EPOCHREALTIME
	sample par_8 "$r" "$s" "$e"
	for j in $(seq 1 8); do rt "$r" delete --force "p$j-$r" >/dev/null 2>&1; done
}
setcg "$B" "seq"
for r in $(shuffled); do seq_block "$r"; done
for i in $(seq 1 "$ITER"); do
	for r in $(shuffled); do
		for j in $(seq 1 8); do setcg "$WORK/bundle-par$j" "par$j-$r"; done
		par_block "$r"
	done
done

# ---- list with N containers (created, blocked before the user process)
for n in $LISTS; do
	echo "bench: list with $n containers" >&2
	# one runtime at a time holds N containers: 1000 blocked inits of three runtimes at once is a lot of memory
	for r in $(shuffled); do
		for j in $(seq 1 "$n"); do
			setcg "$BL" "list$n-$j-$r"
			rt "$r" create -b "$BL" "list$n-$j-$r" </dev/null >/dev/null 2>>"$ERRORS"
		done
		for i in $(seq 1 "$ITER"); do t "list_$n" "$r" list; done
		for j in $(seq 1 "$n"); do rt "$r" delete --force "list$n-$j-$r" >/dev/null 2>&1; done
	done
done

# ---- peak RSS (KiB) of single calls
rss() {
	local key=$1 r=$2; shift 2
	/usr/bin/time -f %M -o "$WORK/rss" "${BIN[$r]}" --root "$WORK/root-$r" "$@" </dev/null >/dev/null 2>&1
	tail -n1 "$WORK/rss" >"$WORK/rss.$key.$r"
}
RSS_KEYS="run create state exec list"
if [ -x /usr/bin/time ]; then
	for r in "${RTS[@]}"; do
		setcg "$B" "rss-$r"
		rss run "$r" run -b "$B" "rss-$r"
		rt "$r" delete --force "rss-$r" >/dev/null 2>&1
		setcg "$BL" "rssc-$r"
		rss create "$r" create -b "$BL" "rssc-$r"
		rss state "$r" state "rssc-$r"
		rss exec "$r" exec "exec-$r" /bin/true
		rss list "$r" list
		rt "$r" delete --force "rssc-$r" >/dev/null 2>&1
	done
fi

# ---- where nrunc's create spends its time (its own --debug timing lines)
PROFILE=0
if [[ " ${RTS[*]} " == *" nrunc "* ]]; then
	echo "bench: nrunc create profile" >&2
	PROFILE=1
	for i in $(seq 1 "$ITER"); do
		setcg "$BL" "prof$i"
		rt nrunc --debug create -b "$BL" "prof$i" </dev/null >/dev/null 2>"$WORK/prof.err"
		grep -oE '(create|init) timing: [^"]*' "$WORK/prof.err" >>"$WORK/profile.lines"
		rt nrunc delete --force "prof$i" >/dev/null 2>&1
	done
fi

# ---- through engines (containerd, docker, podman), when installed
ENGINE_KEYS=""
if [ "$ENGINES" = 1 ]; then
	# shellcheck source=engines.sh
	. "$HERE/engines.sh"
	bench_engines
fi

# shellcheck source=report.sh
. "$HERE/report.sh"
write_report
# The harness fails only when the reference runtime cannot be measured.
! grep -q '^runc ' "$ERRORS"
