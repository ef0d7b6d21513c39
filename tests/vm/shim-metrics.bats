#!/usr/bin/env bats
# containerd-shim-nrunc-v2's Stats and OOM event on cgroup v2, run once in the cgroup-v2-only qemu guest by
# tests/vm/run-cgroup2-tests.sh: a private containerd 1.6 (tests/shim/containerd.bash, started once for the file),
# `ctr run -d` of a rootfs dir with a memory and a pids limit, then `ctr task metrics` must show containerd's
# io.containerd.cgroups.v2.Metrics; the same under containerd's own runc shim driving runc, and both in one format;
# an OOM kill is published as /tasks/oom.
#   RUNTIME=/path: the OCI runtime the nrunc shim drives (default out/nrunc); runc's shim always drives runc.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
RUNC="${RUNC:-/usr/sbin/runc}"
source "$REPO/tests/shim/containerd.bash"

MEM_LIMIT=67108864
PIDS_LIMIT=77

setup_file() {
	export CTRD_DIR="$BATS_FILE_TMPDIR/ctrd" CTRD_NS="shimv2-$$" SKIP_ALL=""
	# bats 1.8 cannot skip in setup_file: setup skips each test instead
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || SKIP_ALL="needs a cgroup v2 host (run through tests/vm/run-cgroup2-tests.sh)"
	command -v containerd >/dev/null || SKIP_ALL="containerd not installed"
	[ -z "$SKIP_ALL" ] || return 0
	mkdir -p /run/containerd/s
	ls /run/containerd/s >"$BATS_FILE_TMPDIR/sockets.before"
	ctrd_start
	# a rootfs dir (no image, no snapshotter) with the applets the containers run
	local r="$BATS_FILE_TMPDIR/rootfs"
	mkdir -p "$r"/{bin,proc,sys,dev,tmp}
	cp "${BUSYBOX:-/bin/busybox}" "$r/bin/busybox"
	ln -s busybox "$r/bin/sleep"; ln -s busybox "$r/bin/tail"
	ctr oci spec >"$BATS_FILE_TMPDIR/default-spec.json"
}

# spec_for ID [ARGS_JSON]: ctr's default spec with the rootfs dir, the command (default sleep) and both limits. ctr 1.6
# has no pids flag, and with --config it takes the file as the whole spec (no --rootfs, --memory-limit or args then).
spec_for() {
	jq --arg root "$BATS_FILE_TMPDIR/rootfs" --arg cg "/$CTRD_NS/$1" --argjson m "$MEM_LIMIT" --argjson p "$PIDS_LIMIT" \
		--argjson args "${2:-[\"/bin/sleep\", \"1000\"]}" \
		'.root.path = $root | .process.args = $args | .linux.cgroupsPath = $cg
		| .linux.resources.memory = {"limit": $m} | .linux.resources.pids = {"limit": $p}' \
		"$BATS_FILE_TMPDIR/default-spec.json" >"$BATS_FILE_TMPDIR/$1.spec.json"
}

teardown_file() {
	ctrd_stop
	local p
	for p in $(shim_pids); do kill -9 "$p" 2>/dev/null; done
	rmdir /sys/fs/cgroup/"$CTRD_NS"/* /sys/fs/cgroup/"$CTRD_NS" 2>/dev/null || true
	if [ -f "$BATS_FILE_TMPDIR/sockets.before" ]; then
		comm -13 "$BATS_FILE_TMPDIR/sockets.before" <(ls /run/containerd/s) | while read -r s; do rm -f "/run/containerd/s/$s"; done
	fi
	rm -rf "$CTRD_DIR"
}

setup() {
	[ -z "$SKIP_ALL" ] || skip "$SKIP_ALL"
}

teardown() {
	local id
	[ -z "$SKIP_ALL" ] || return 0 # no containerd to ask
	for id in nrunc-shim runc-shim oom; do
		c task kill -s KILL "$id" >/dev/null 2>&1 || true
		c task delete -f "$id" >/dev/null 2>&1 || true
		c container delete "$id" >/dev/null 2>&1 || true
	done
}

# metrics_of ID SHIM BINARY: runs a detached container with both limits under SHIM driving BINARY, saves
# `ctr task metrics` (table and json) as $BATS_FILE_TMPDIR/ID.{txt,json}, then kills and deletes it and checks
# nothing is left (shim process, cgroup).
metrics_of() {
	local id=$1 i
	spec_for "$id"
	c run -d --config "$BATS_FILE_TMPDIR/$id.spec.json" $(runtime_opts "$2" "$3") "$id" </dev/null
	c task metrics "$id" >"$BATS_FILE_TMPDIR/$id.txt"
	c task metrics --format json "$id" >"$BATS_FILE_TMPDIR/$id.json"
	cat "$BATS_FILE_TMPDIR/$id.txt"
	c task kill -s KILL "$id"
	for i in $(seq 1 100); do c task ls | grep -q "^$id .*STOPPED" && break; sleep 0.1; done
	c task delete "$id"
	c container delete "$id"
	for i in $(seq 1 100); do [ -z "$(shim_pids)" ] && break; sleep 0.1; done
	[ -z "$(shim_pids)" ] || { echo "shim left: $(shim_pids)"; return 1; }
	[ ! -d /sys/fs/cgroup/"$CTRD_NS/$id" ] || { echo "cgroup left"; return 1; }
}

# v2_metrics_ok ID: the table and the json show containerd's v2 metrics with the container's limits.
v2_metrics_ok() {
	local t="$BATS_FILE_TMPDIR/$1.txt" j="$BATS_FILE_TMPDIR/$1.json"
	val() { awk -v k="$1" '$1 == k { print $2 }' "$t"; }
	# v1 tables have memory.usage_in_bytes and cpuacct.usage instead
	[ -n "$(val cpu.usage_usec)" ] || { echo "not the v2 metrics"; return 1; }
	[ "$(val memory.usage)" -gt 0 ]
	[ "$(val memory.usage_limit)" = "$MEM_LIMIT" ]
	[ "$(val pids.current)" -ge 1 ]
	[ "$(val pids.limit)" = "$PIDS_LIMIT" ]
	[ "$(val cpu.usage_usec)" -gt 0 ]
	cat "$j"
	# one jq (a process start costs about a second under TCG)
	jq -e --argjson m "$MEM_LIMIT" --argjson p "$PIDS_LIMIT" '.memory.usage > 0 and .memory.usage_limit == $m
		and .memory.anon > 0 and .pids.current >= 1 and .pids.limit == $p and .cpu.usage_usec > 0
		and .memory_events != null and .io != null' "$j"
}

@test "shim v2 metrics: the nrunc shim reports io.containerd.cgroups.v2.Metrics with the limits" {
	metrics_of nrunc-shim io.containerd.nrunc.v2 "$RUNTIME"
	v2_metrics_ok nrunc-shim
}

@test "shim v2 metrics: containerd's runc shim driving runc reports the same" {
	metrics_of runc-shim io.containerd.runc.v2 "$RUNC"
	v2_metrics_ok runc-shim
}

# Values differ between two containers and Go's json leaves zero values out, so the objects are compared.
@test "shim v2 metrics: the same table rows and json objects under both shims" {
	local f
	[ -f "$BATS_FILE_TMPDIR/nrunc-shim.json" ] && [ -f "$BATS_FILE_TMPDIR/runc-shim.json" ] || skip "an earlier test failed"
	for f in nrunc-shim runc-shim; do
		awk '/^METRIC/ { m = 1; next } m && NF { print $1 }' "$BATS_FILE_TMPDIR/$f.txt" >"$BATS_FILE_TMPDIR/$f.rows"
		jq -r '[paths(objects) | map(select(type == "string")) | join(".")] | unique[]' "$BATS_FILE_TMPDIR/$f.json" >"$BATS_FILE_TMPDIR/$f.keys"
	done
	# both tables in the TAP output, for the record
	for f in nrunc-shim runc-shim; do echo "$f:"; cat "$BATS_FILE_TMPDIR/$f.txt"; done | sed 's/^/# /' >&3
	diff "$BATS_FILE_TMPDIR/runc-shim.rows" "$BATS_FILE_TMPDIR/nrunc-shim.rows"
	diff "$BATS_FILE_TMPDIR/runc-shim.keys" "$BATS_FILE_TMPDIR/nrunc-shim.keys"
}

@test "shim v2: an OOM kill in the container is published as /tasks/oom" {
	local i ev
	[ -z "$(swapon --show 2>/dev/null)" ] || skip "swap is on: the allocation would swap"
	c events >"$BATS_FILE_TMPDIR/events" 2>&1 &
	ev=$!
	sleep 1
	# busybox tail keeps /dev/zero's one endless line in memory until the 64 MiB limit kills it
	spec_for oom '["/bin/tail", "/dev/zero"]'
	c run -d --config "$BATS_FILE_TMPDIR/oom.spec.json" $(runtime_opts io.containerd.nrunc.v2 "$RUNTIME") oom </dev/null
	for i in $(seq 1 300); do c task ls | grep -q "^oom .*STOPPED" && break; sleep 0.2; done
	for i in $(seq 1 50); do grep -q /tasks/oom "$BATS_FILE_TMPDIR/events" && break; sleep 0.2; done
	kill "$ev"; wait "$ev" || true
	cat "$BATS_FILE_TMPDIR/events"
	grep -q '/tasks/oom' "$BATS_FILE_TMPDIR/events"
	c task delete oom
	c container delete oom
}
