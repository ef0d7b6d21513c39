#!/usr/bin/env bash
# nrunc vs runc vs crun, paired and interleaved in one run (each iteration measures every
# runtime in a shuffled order, so drift hits all of them alike). Reports medians and the
# median of the per-iteration ratios against runc. Writes bench/results/<date>.md and .json.
#   bench/run.sh [--quick] [--iterations N]
# Env: NRUNC=path (default out/nrunc), RUNC=/usr/sbin/runc, CRUN=/usr/bin/crun.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

# Re-run ourselves in a private mount namespace: bundles on a tmpfs, and crun made to work here.
if [ "${_NRUNC_BENCH_NS:-}" != 1 ]; then
	exec env _NRUNC_BENCH_NS=1 unshare -m --propagation private "$0" "$@"
fi

ITER=20 QUICK=0 LISTS="10 100"
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ITER=3 LISTS="10" ;;
	--iterations) ITER=$2; shift ;;
	*) echo "usage: $0 [--quick] [--iterations N]" >&2; exit 2 ;;
	esac
	shift
done

declare -A BIN=([nrunc]="${NRUNC:-$REPO/out/nrunc}" [runc]="${RUNC:-/usr/sbin/runc}" [crun]="${CRUN:-/usr/bin/crun}")
RTS=()
for r in nrunc runc crun; do
	if [ -x "${BIN[$r]}" ]; then RTS+=("$r"); else echo "bench: $r not found at ${BIN[$r]}, left out" >&2; fi
done

WORK=$(mktemp -d /tmp/nrunc-bench.XXXXXX)
mount -t tmpfs -o size=2g nrunc-bench "$WORK"
# crun 1.8.1 refuses to run on this hybrid host ("cgroups in hybrid mode not supported, drop
# all controllers from cgroupv2") because the cgroup2 mount at /sys/fs/cgroup/unified has a
# controller (hugetlb). In this private mount namespace an empty tmpfs hides that mount, so
# every runtime (not only crun) sees a pure cgroup v1 layout. See bench/README.md.
if [ -d /sys/fs/cgroup/unified ]; then mount -t tmpfs -o size=1m nrunc-bench-hide /sys/fs/cgroup/unified; fi
CGP="nrunc-bench-$$"
ERRORS="$WORK/errors"
: >"$ERRORS"

cleanup() {
	local r id
	for r in "${RTS[@]}"; do
		for id in $(ls "$WORK/root-$r" 2>/dev/null); do "${BIN[$r]}" --root "$WORK/root-$r" delete --force "$id" >/dev/null 2>&1; done
	done
	for d in /sys/fs/cgroup/*/"$CGP"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
	cd /
	umount "$WORK" 2>/dev/null && rmdir "$WORK"
}
trap cleanup EXIT

# Bundle: busybox-static rootfs, runc's default config with /bin/true.
B="$WORK/bundle"
mkdir -p "$B/rootfs"/{bin,etc,proc,sys,dev,tmp}
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$B/rootfs/bin/$a"; done
jq '.process.terminal = false | .process.args = ["/bin/true"] | .root.readonly = false' \
	"$REPO/tests/integration/testdata/config.json" >"$B/config.json"
BS="$WORK/bundle-seccomp"
mkdir -p "$BS"
# runc refuses a symlinked rootfs: share the rootfs by absolute path
jq --slurpfile s "$HERE/moby-default-seccomp.json" --arg r "$B/rootfs" '.linux.seccomp = $s[0] | .root.path = $r' "$B/config.json" >"$BS/config.json"
BL="$WORK/bundle-sleep"
mkdir -p "$BL"
jq --arg r "$B/rootfs" '.process.args = ["sleep", "100000"] | .root.path = $r' "$B/config.json" >"$BL/config.json"

# every container gets its own leaf cgroup under the bench's parent
setcg() { jq --arg c "/$CGP/$2" '.linux.cgroupsPath = $c' "$1/config.json" >"$1/config.json.n" && mv "$1/config.json.n" "$1/config.json"; }

# t RESULTKEY RUNTIME ARGS...: times one call (microseconds) and appends to the samples.
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
	echo "$(((${e/./} - ${s/./})))" >>"$WORK/s.$key.$r"
}

shuffled() { printf '%s\n' "${RTS[@]}" | shuf; }

wait_stopped() {
	local i
	for i in $(seq 1 200); do
		[ "$("${BIN[$1]}" --root "$WORK/root-$1" state "$2" 2>/dev/null | jq -r .status)" = stopped ] && return 0
		sleep 0.01
	done
	return 1
}

echo "bench: ${RTS[*]}; $ITER iterations$([ $QUICK = 1 ] && echo ' (quick)')" >&2
# long-running container per runtime, for exec
for r in "${RTS[@]}"; do
	mkdir -p "$WORK/root-$r"
	setcg "$BL" "exec-$r"
	"${BIN[$r]}" --root "$WORK/root-$r" run -d -b "$BL" "exec-$r" </dev/null >/dev/null 2>>"$ERRORS" || echo "$r: exec container failed" >>"$ERRORS"
done

for i in $(seq 1 "$ITER"); do
	for r in $(shuffled); do
		id="c$i-$r"
		setcg "$B" "$id"
		t run "$r" run -b "$B" "$id" || "${BIN[$r]}" --root "$WORK/root-$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do
		id="s$i-$r"
		setcg "$BS" "$id"
		t run_seccomp "$r" run -b "$BS" "$id" || "${BIN[$r]}" --root "$WORK/root-$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do
		id="l$i-$r"
		setcg "$BL" "$id"
		if t create "$r" create -b "$BL" "$id"; then
			t start "$r" start "$id"
			t state "$r" state "$id"
			t kill "$r" kill "$id" KILL
			wait_stopped "$r" "$id"
			t delete "$r" delete "$id"
		fi
		"${BIN[$r]}" --root "$WORK/root-$r" delete --force "$id" >/dev/null 2>&1
	done
	for r in $(shuffled); do t exec "$r" exec "exec-$r" /bin/true; done
done

# list with N containers (created, blocked before the user process)
for n in $LISTS; do
	for r in "${RTS[@]}"; do
		for j in $(seq 1 "$n"); do
			setcg "$BL" "list$n-$j-$r"
			"${BIN[$r]}" --root "$WORK/root-$r" create -b "$BL" "list$n-$j-$r" </dev/null >/dev/null 2>>"$ERRORS"
		done
	done
	for i in $(seq 1 "$ITER"); do
		for r in $(shuffled); do t "list_$n" "$r" list; done
	done
	for r in "${RTS[@]}"; do
		for j in $(seq 1 "$n"); do "${BIN[$r]}" --root "$WORK/root-$r" delete --force "list$n-$j-$r" >/dev/null 2>&1; done
	done
done

# peak RSS (KiB) of single calls
rss() {
	local key=$1 r=$2; shift 2
	/usr/bin/time -f %M -o "$WORK/rss" "${BIN[$r]}" --root "$WORK/root-$r" "$@" </dev/null >/dev/null 2>&1
	echo "$(tail -n1 "$WORK/rss")" >"$WORK/rss.$key.$r"
}
if [ -x /usr/bin/time ]; then
	for r in "${RTS[@]}"; do
		setcg "$B" "rss-$r"
		rss run "$r" run -b "$B" "rss-$r"
		"${BIN[$r]}" --root "$WORK/root-$r" delete --force "rss-$r" >/dev/null 2>&1
		setcg "$BL" "rssc-$r"
		rss create "$r" create -b "$BL" "rssc-$r"
		rss state "$r" state "rssc-$r"
		rss exec "$r" exec "exec-$r" /bin/true
		"${BIN[$r]}" --root "$WORK/root-$r" delete --force "rssc-$r" >/dev/null 2>&1
	done
fi

# ---- report
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { [ -z "$1" ] && echo "-" || awk -v v="$1" 'BEGIN {printf "%.2f", v/1000}'; }
KEYS="run run_seccomp create start state kill delete exec"
for n in $LISTS; do KEYS="$KEYS list_$n"; done
DATE=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$HERE/results"
MD="$HERE/results/$DATE.md"
JS="$HERE/results/$DATE.json"
{
	echo "# nrunc bench $DATE"
	echo
	echo "$(uname -r), $(nproc) cpus; $ITER iterations, paired and interleaved; medians in ms."
	for r in "${RTS[@]}"; do echo "- $r: ${BIN[$r]} ($("${BIN[$r]}" --version 2>/dev/null | head -n1))"; done
	echo
	printf '| operation |'; for r in "${RTS[@]}"; do printf ' %s |' "$r"; done
	for r in "${RTS[@]}"; do [ "$r" = runc ] || printf ' %s/runc |' "$r"; done; echo
	printf '| --- |'; for r in "${RTS[@]}"; do printf ' ---: |'; done
	for r in "${RTS[@]}"; do [ "$r" = runc ] || printf ' ---: |'; done; echo
	for k in $KEYS; do
		printf '| %s |' "$k"
		for r in "${RTS[@]}"; do printf ' %s |' "$(ms "$(cat "$WORK/s.$k.$r" 2>/dev/null | median)")"; done
		for r in "${RTS[@]}"; do
			[ "$r" = runc ] && continue
			# median of paired ratios (i-th sample of r over i-th sample of runc)
			ratio=$(paste "$WORK/s.$k.$r" "$WORK/s.$k.runc" 2>/dev/null | awk '$1 != "" && $2 > 0 {print $1/$2}' | median)
			printf ' %s |' "$([ -n "$ratio" ] && awk -v v="$ratio" 'BEGIN {printf "%.2f", v}' || echo -)"
		done
		echo
	done
	echo
	echo "Peak RSS (MiB, /usr/bin/time -v maximum resident set size of one call):"
	echo
	printf '| call |'; for r in "${RTS[@]}"; do printf ' %s |' "$r"; done; echo
	printf '| --- |'; for r in "${RTS[@]}"; do printf ' ---: |'; done; echo
	for k in run create state exec; do
		printf '| %s |' "$k"
		for r in "${RTS[@]}"; do
			v=$(cat "$WORK/rss.$k.$r" 2>/dev/null)
			printf ' %s |' "$([ -n "$v" ] && awk -v v="$v" 'BEGIN {printf "%.1f", v/1024}' || echo -)"
		done
		echo
	done
	echo
	echo "Binary sizes (bytes):"
	echo
	for r in "${RTS[@]}"; do echo "- $r: $(stat -L -c %s "${BIN[$r]}")"; done
	[ -x "$REPO/out/containerd-shim-nrunc-v2" ] && echo "- containerd-shim-nrunc-v2: $(stat -c %s "$REPO/out/containerd-shim-nrunc-v2")"
	if [ -s "$ERRORS" ]; then
		echo
		echo "Errors ($(wc -l <"$ERRORS")):"
		echo
		sort "$ERRORS" | uniq -c | sort -rn | head -n 20 | sed 's/^/    /'
	fi
} >"$MD"
# JSON: raw samples (microseconds), medians, rss, sizes
{
	echo "{\"date\": \"$DATE\", \"iterations\": $ITER, \"quick\": $([ $QUICK = 1 ] && echo true || echo false), \"runtimes\": {"
	first=1
	for r in "${RTS[@]}"; do
		[ $first = 1 ] || echo ","
		first=0
		printf '"%s": {"path": "%s", "size": %s, "samples_us": {' "$r" "${BIN[$r]}" "$(stat -L -c %s "${BIN[$r]}")"
		f2=1
		for k in $KEYS; do
			[ $f2 = 1 ] || printf ', '
			f2=0
			printf '"%s": [%s]' "$k" "$(paste -sd, "$WORK/s.$k.$r" 2>/dev/null)"
		done
		printf '}, "peak_rss_kib": {'
		f2=1
		for k in run create state exec; do
			[ $f2 = 1 ] || printf ', '
			f2=0
			printf '"%s": %s' "$k" "$(cat "$WORK/rss.$k.$r" 2>/dev/null || echo null)"
		done
		printf '}}'
	done
	echo "}, \"errors\": $(jq -R . "$ERRORS" | jq -s .)}"
} | jq . >"$JS"
cat "$MD"
echo
echo "bench: wrote $MD and $JS" >&2
# The harness fails only when the reference runtime cannot be measured.
! grep -q '^runc ' "$ERRORS"
