#!/usr/bin/env bash
# Shared helpers for the engine suites (docker.bats, containerd.bats, podman.bats).
# Each suite starts its engine in setup_file with private sockets and state dirs under
# $ENGINE_DIR, registers RUNTIME (default: out/nrunc) as the engine's runtime, imports a
# busybox-static image, and stops and removes everything in teardown_file. The same files
# run against runc with RUNTIME=/usr/sbin/runc; tests/engines/run.sh runs them in a private
# mount namespace with /dev/shm and the state dirs on tmpfs.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
# Debian's docker.io client (a newer /usr/local/bin/docker may exist on some machines)
DOCKER_BIN="${DOCKER_BIN:-/usr/bin/docker}"
IMAGE=engines-busybox:latest

is_runc() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^runc version'; }
is_crun() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^crun version'; }
skip_if_runc() { if is_runc; then skip "runc 1.1.5: $*"; fi; }

# Poll until a command succeeds (tries, delay, command...).
retry() {
	local n=$1 d=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$d"
	done
	return 1
}

# make_rootfs DIR: a busybox-static rootfs with passwd/group entries for -u tests.
make_rootfs() {
	local r=$1 a
	mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,var}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	chmod 1777 "$r/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\ntester:x:1000:1000:tester:/tmp:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\ntester:x:1000:\n' >"$r/etc/group"
}

# make_rootfs_tar FILE: the rootfs above as a tar (for docker import / podman import).
make_rootfs_tar() {
	local d
	d=$(mktemp -d "$ENGINE_DIR/rootfs.XXXXXX")
	make_rootfs "$d"
	tar -C "$d" -cf "$1" .
	rm -rf "$d"
}

# make_oci_archive FILE NAME: the rootfs as a one-layer OCI image archive for `ctr image import`.
make_oci_archive() {
	local out=$1 name=$2 d layer ldig lsize cfg cdig csize man mdig msize
	d=$(mktemp -d "$ENGINE_DIR/oci.XXXXXX")
	mkdir -p "$d/blobs/sha256"
	make_rootfs_tar "$d/layer.tar"
	ldig=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
	lsize=$(stat -c %s "$d/layer.tar")
	mv "$d/layer.tar" "$d/blobs/sha256/$ldig"
	cfg=$(printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$ldig")
	printf '%s' "$cfg" >"$d/cfg"
	cdig=$(sha256sum "$d/cfg" | cut -d' ' -f1)
	csize=$(stat -c %s "$d/cfg")
	mv "$d/cfg" "$d/blobs/sha256/$cdig"
	man=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cdig" "$csize" "$ldig" "$lsize")
	printf '%s' "$man" >"$d/man"
	mdig=$(sha256sum "$d/man" | cut -d' ' -f1)
	msize=$(stat -c %s "$d/man")
	mv "$d/man" "$d/blobs/sha256/$mdig"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' "$mdig" "$msize" "$name" >"$d/index.json"
	tar -C "$d" -cf "$out" oci-layout index.json blobs
	rm -rf "$d"
}

# Shim sockets: containerd 1.6 puts them in /run/containerd/s/<sha256(address/ns/id)>
# whatever its state dir. Removes the ones of the ids given (only those: other users'
# shims live there too), when no shim listens on them any more.
remove_shim_sockets() {
	local address=$1 ns=$2 id h
	shift 2
	for id in "$@"; do
		h=$(printf '%s/%s/%s' "$address" "$ns" "$id" | sha256sum | cut -d' ' -f1)
		[ -S "/run/containerd/s/$h" ] || continue
		if ! ss -xlH 2>/dev/null | grep -q "/run/containerd/s/$h"; then
			rm -f "/run/containerd/s/$h"
		fi
	done
}

# Remembers whether /run/containerd existed before the engine started (in DIR).
note_run_containerd() { [ -d /run/containerd ] && touch "$1/run-containerd-existed"; true; }
# Removes /run/containerd if the engine created it and nothing is left in it.
remove_run_containerd() {
	[ -e "$1/run-containerd-existed" ] || rmdir /run/containerd/{nrunc,runc,fifo,s} /run/containerd 2>/dev/null
	true
}

# Kills the processes left in the cgroup trees named (v1 controllers) and removes the trees.
remove_cgroup_tree() {
	local name=$1 d procs
	procs=$(cat /sys/fs/cgroup/*/"$name"/cgroup.procs /sys/fs/cgroup/*/"$name"/*/cgroup.procs /sys/fs/cgroup/*/"$name"/*/*/cgroup.procs 2>/dev/null | sort -u)
	if [ -n "$procs" ]; then
		kill -9 $procs 2>/dev/null || true
		sleep 0.3
	fi
	for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/unified/"$name"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	done
}

# make_capture_runtime OUT DIR: a wrapper runtime that copies the config.json of every
# bundle it creates to DIR/<n>.json, then runs RUNTIME with the same arguments.
make_capture_runtime() {
	local out=$1 dir=$2
	mkdir -p "$dir"
	cat >"$out" <<WRAP
#!/bin/bash
bundle=
prev=
is_create=
for a in "\$@"; do
	case "\$prev" in --bundle | -b) bundle=\$a ;; esac
	case "\$a" in --bundle=*) bundle=\${a#--bundle=} ;; create | run) is_create=1 ;; esac
	prev=\$a
done
if [ -n "\$is_create" ]; then
	[ -n "\$bundle" ] || bundle=\$PWD
	cp "\$bundle/config.json" "$dir/\$(date +%s%N).json" 2>/dev/null
fi
exec "$RUNTIME" "\$@"
WRAP
	chmod +x "$out"
}

# Waits until FILE contains a line matching REGEX (tries 0.1 s apart).
wait_for_line() {
	local file=$1 re=$2 n=${3:-100}
	retry "$n" 0.1 grep -qE "$re" "$file"
}

# Does this machine's bounding set hold every capability the kernel knows? (Not here: no CAP_SYS_RESOURCE.)
has_all_caps() {
	local last bnd
	last=$(cat /proc/sys/kernel/cap_last_cap)
	bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	[ "$((16#$bnd))" -eq "$(((1 << (last + 1)) - 1))" ]
}

# Tests run in their own temp dir, so a stray relative path cannot land in the checkout.
setup() { cd "$BATS_TEST_TMPDIR" || return 1; }

# Engine run times, only when ENGINE_TIMES=N is set: N rounds, each round one run per runtime
# (nrunc, runc, crun interleaved, so load changes hit all three alike); prints the medians as
# TAP comments and appends them to $ENGINE_TIMES_OUT. Measured, never asserted.
#   time_engine LABEL FUNC: FUNC RUNTIME_PATH runs one container to completion.
time_engine() {
	local label=$1 fn=$2 n=${ENGINE_TIMES:-0} i rt t0 t1 line=""
	[ "$n" -gt 0 ] || skip "set ENGINE_TIMES=N to measure"
	declare -A ms
	local rts=("$REPO/out/nrunc" /usr/sbin/runc /usr/bin/crun)
	for rt in "${rts[@]}"; do "$fn" "$rt" >/dev/null 2>&1 || { echo "warm-up run with $rt failed" >&2; return 1; }; done
	for ((i = 0; i < n; i++)); do
		for rt in "${rts[@]}"; do
			t0=$(date +%s%N)
			"$fn" "$rt" >/dev/null 2>&1 || { echo "run with $rt failed" >&2; return 1; }
			t1=$(date +%s%N)
			ms[$rt]+="$(((t1 - t0) / 1000000)) "
		done
	done
	for rt in "${rts[@]}"; do
		line+="$(basename "$rt") $(echo ${ms[$rt]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms, "
	done
	line="$label (median of $n): ${line%, }"
	echo "# $line" >&3
	[ -z "${ENGINE_TIMES_OUT:-}" ] || echo "$line" >>"$ENGINE_TIMES_OUT"
}
