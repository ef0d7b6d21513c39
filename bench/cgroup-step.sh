# cgroup step of create, part of bench/run.sh (sourced): each runtime's `create` of the sleep bundle runs under
# `strace -f -T -y`, and the time its processes spend in syscalls on the host's cgroupfs is summed:
#   cgroup_step = every mkdir, open for writing and write on the container's cgroup dirs and their parent (the
#                 bench's own parent cgroup): make the dirs, write limits and device rules, join;
#   cgroup_join = only the writes to cgroup.procs or tasks (joining the container's cgroups).
# The same method for all three runtimes, whichever process (parent, child, any Go thread) does the work.
# strace's stops inflate each traced syscall a little (tens of µs) alike for every runtime; the join's cost on this
# v1 host is one RCU grace period (milliseconds) when a pid is written, which strace does not change.
# `strace -f` never ends by itself here (the container's init stays traced, blocked on its exec fifo): the create is
# run by a small sh that notes its exit, then strace is stopped (-I1: signals are not blocked) and detaches.

CGSTEP_KEYS=""

# Reads are left out: cheap, and the .NET runtime reads its cgroup's limits at start-up (not create's work).
# cgroup_syscalls TRACE: "step join" in microseconds, from one `strace -f -T -y -o` file (threads interleave:
# an "<unfinished ...>" call is completed by its "resumed>" line of the same pid).
cgroup_syscalls() {
	awk -v cgp="$CGP" '
		function add(text, secs) {
			if (!index(text, "/sys/fs/cgroup/") || !index(text, "/" cgp)) return
			if (text ~ /^[0-9]+ +openat\(/ && text !~ /O_WRONLY|O_RDWR/) return
			step += secs
			if (text ~ /^[0-9]+ +write\(/ && text ~ /\/(cgroup\.procs|tasks)>/) join += secs
		}
		/<unfinished \.\.\.>$/ { pending[$1] = $0; next }
		/resumed>/ { text = pending[$1]; delete pending[$1] }
		!/resumed>/ { text = $0 }
		match($0, /<[0-9.]+>$/) { add(text, substr($0, RSTART + 1, RLENGTH - 2) + 0) }
		END { printf "%d %d\n", step * 1000000, join * 1000000 }' "$1"
}

# cgroup_step_sample RUNTIME ID: one traced create (the caller deletes the container).
cgroup_step_sample() {
	local r=$1 id=$2 tr="$WORK/cgstep.trace" done="$WORK/cgstep.done" sp k v
	rm -f "$tr" "$done"
	strace -I1 -f -q -T -y -e trace=mkdir,mkdirat,openat,write -o "$tr" \
		sh -c '"$@"; echo $? >"$0"' "$done" "${BIN[$r]}" --root "$WORK/root-$r" create -b "$BL" "$id" \
		</dev/null >/dev/null 2>"$WORK/last.err" &
	sp=$!
	for k in $(seq 1 1000); do [ -s "$done" ] && break; sleep 0.01; done
	kill -TERM "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	if [ "$(cat "$done" 2>/dev/null)" != 0 ]; then
		echo "$r cgroup_step: create failed: $(head -c 300 "$WORK/last.err")" >>"$ERRORS"
		return 1
	fi
	read -r -a v < <(cgroup_syscalls "$tr")
	echo "${v[0]}" >>"$WORK/s.cgroup_step.$r"
	echo "${v[1]}" >>"$WORK/s.cgroup_join.$r"
}

bench_cgroup_step() {
	local i r id
	if ! command -v strace >/dev/null; then
		echo "bench: strace not installed, cgroup_step left out" >&2
		return 0
	fi
	echo "bench: cgroup step of create (strace)" >&2
	for i in $(seq 1 "$ITER"); do
		for r in $(shuffled); do
			id="g$i-$r"
			setcg "$BL" "$id"
			cgroup_step_sample "$r" "$id"
			rt "$r" delete --force "$id" >/dev/null 2>&1
		done
	done
	CGSTEP_KEYS="cgroup_step cgroup_join"
}
