#!/usr/bin/env bash
# nrunc: single set-up entry point.
#   ./build.sh         install build dependencies (idempotent), publish nrunc and
#                      containerd-shim-nrunc-v2 with NativeAOT into out/, build the test tools
#   ./build.sh demo    build, then run a busybox container with out/nrunc and show its output
set -euo pipefail
REPO="$(cd "$(dirname "$0")" && pwd)"
cd "$REPO"
OUT="$REPO/out"

# apt_ensure PKG...: installs the packages that are not installed yet (no apt-get update otherwise).
apt_ensure() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "build.sh: installing ${missing[*]}" >&2
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
export -f apt_ensure

build() {
	# NativeAOT links with the system C toolchain (clang, or gcc as fallback) and needs zlib.
	apt_ensure git gcc libc6-dev zlib1g-dev busybox-static jq
	command -v dotnet >/dev/null || { echo "build.sh: dotnet SDK (10) not found on PATH" >&2; exit 1; }
	local rev
	rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
	export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
	mkdir -p "$OUT" "$OUT/tests"
	local common=(-c Release -r linux-x64 -nologo -v quiet "-p:SourceRevisionId=$rev")
	echo "build.sh: publishing nrunc (commit $rev)" >&2
	dotnet publish src/Runc "${common[@]}" -o "$OUT"
	echo "build.sh: publishing containerd-shim-nrunc-v2" >&2
	dotnet publish src/Shim "${common[@]}" -o "$OUT"
	echo "build.sh: building test tools" >&2
	dotnet publish tests/tools/RecvTty "${common[@]}" -o "$OUT/tests"
	rm -f "$OUT"/*.dbg "$OUT/tests"/*.dbg
	ls -l "$OUT/nrunc" "$OUT/containerd-shim-nrunc-v2" "$OUT/tests/recvtty" >&2
}

# make_bundle DIR: busybox-static rootfs (applet symlinks, passwd, group) + nrunc spec.
make_bundle() {
	local b=$1 a
	mkdir -p "$b/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$b/rootfs/bin/$a"
	done
	chmod 1777 "$b/rootfs/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$b/rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$b/rootfs/etc/group"
	(cd "$b" && "$OUT/nrunc" spec)
	jq '.process.terminal = false
		| .process.args = ["sh", "-c", "echo hello from nrunc; id; hostname"]' \
		"$b/config.json" >"$b/config.json.new"
	mv "$b/config.json.new" "$b/config.json"
}

demo() {
	# NRUNC_SKIP_BUILD=1 reuses out/ (used by tests/run-all.sh right after its own build)
	[ "${NRUNC_SKIP_BUILD:-0}" = 1 ] || build
	local tmp id rc=0
	tmp=$(mktemp -d /tmp/nrunc-demo.XXXXXX)
	id="demo-$$"
	make_bundle "$tmp/bundle"
	echo "build.sh: bundle $tmp/bundle; running: $OUT/nrunc run -b $tmp/bundle $id" >&2
	echo "----" >&2
	"$OUT/nrunc" run -b "$tmp/bundle" "$id" </dev/null || rc=$?
	echo "---- exit status $rc" >&2
	"$OUT/nrunc" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$tmp"
	return $rc
}

case "${1:-build}" in
build) build ;;
demo) demo ;;
*) echo "usage: $0 [build|demo]" >&2; exit 2 ;;
esac
