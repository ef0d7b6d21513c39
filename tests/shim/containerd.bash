#!/usr/bin/env bash
# A private containerd 1.6 for the shim suite: its own root, state, temp, sockets and opt dir under $CTRD_DIR,
# out/ (containerd-shim-nrunc-v2) first on its PATH, CRI disabled. Images are built locally from busybox-static.
#   SHIM=io.containerd.nrunc.v2 (default) or io.containerd.runc.v2: the runtime `ctr run` asks for;
#   RUNTIME=/path: the OCI runtime binary that shim drives (BinaryName), default out/nrunc.

SHIM="${SHIM:-io.containerd.nrunc.v2}"
IMAGE="docker.io/library/nrunc-busybox:latest"

ctrd_config() {
	cat <<CFG
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
temp = "$CTRD_DIR/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CTRD_DIR/c.sock"
[ttrpc]
  address = "$CTRD_DIR/c.sock.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
CFG
}

# ctrd_start: starts containerd (again, after ctrd_stop) and waits for its socket.
ctrd_start() {
	mkdir -p "$CTRD_DIR"/{root,state,tmp,opt}
	[ -f "$CTRD_DIR/config.toml" ] || ctrd_config >"$CTRD_DIR/config.toml"
	PATH="$REPO/out:$PATH" setsid containerd --config "$CTRD_DIR/config.toml" </dev/null >>"$CTRD_DIR/containerd.log" 2>&1 &
	CTRD_PID=$!
	echo "$CTRD_PID" >"$CTRD_DIR/containerd.pid"
	local i
	for i in $(seq 1 100); do
		ctr -a "$CTRD_DIR/c.sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not start:" >&2
	tail -n 20 "$CTRD_DIR/containerd.log" >&2
	return 1
}

# ctrd_stop: stops containerd (the shims it started keep running, as after a crash or upgrade).
ctrd_stop() {
	local pid
	pid=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$CTRD_DIR/containerd.pid"
}

c() { ctr -a "$CTRD_DIR/c.sock" -n "$CTRD_NS" "$@"; }

# runtime_opts [SHIM BINARY]: ctr run options that make SHIM (default $SHIM) drive BINARY (default $RUNTIME) with a
# private root: the runc shim's own flags, or for the nrunc shim a runtime config file (runtimeoptions.v1, what CRI
# and ctr --runtime-config-path send to non-runc shims).
runtime_opts() {
	local shim=${1:-$SHIM} binary=${2:-$RUNTIME}
	if [ "$shim" = io.containerd.runc.v2 ]; then
		echo --runtime "$shim" --runc-binary "$binary" --runc-root "$CTRD_DIR/runtime-root"
	else
		printf 'BinaryName = "%s"\nRoot = "%s"\n' "$binary" "$CTRD_DIR/runtime-root" >"$CTRD_DIR/runtime.toml"
		echo --runtime "$shim" --runtime-config-path "$CTRD_DIR/runtime.toml"
	fi
}

# build_image DIR: an OCI image archive of a busybox-static rootfs (one uncompressed layer) at DIR/image.tar.
build_image() {
	local d=$1 rootfs="$1/rootfs" oci="$1/oci" a
	mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root} "$oci/blobs/sha256"
	cp /bin/busybox "$rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
	chmod 1777 "$rootfs/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\n' >"$rootfs/etc/group"
	tar -C "$rootfs" --numeric-owner -cf "$d/layer.tar" .
	local ld ls cd cs md ms
	ld=$(sha256sum "$d/layer.tar" | cut -d' ' -f1); ls=$(stat -c %s "$d/layer.tar")
	mv "$d/layer.tar" "$oci/blobs/sha256/$ld"
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$ld" >"$d/config.json"
	cd=$(sha256sum "$d/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$d/config.json")
	mv "$d/config.json" "$oci/blobs/sha256/$cd"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$d/manifest.json"
	md=$(sha256sum "$d/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$d/manifest.json")
	mv "$d/manifest.json" "$oci/blobs/sha256/$md"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' "$md" "$ms" "$IMAGE" >"$oci/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
	tar -C "$oci" -cf "$d/image.tar" .
	rm -rf "$rootfs" "$oci"
}

# Shim processes serving this containerd (their command line names its socket).
shim_pids() {
	local p
	for p in $(pgrep -f "containerd-shim-.*-address $CTRD_DIR/c.sock" 2>/dev/null); do echo "$p"; done
}
