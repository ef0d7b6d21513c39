#!/usr/bin/env bash
# Runtime-agnostic OCI conformance checks (in the spirit of opencontainers/runtime-tools
# validation), TAP output on stdout. RUNTIME=/path selects the runtime (default out/nrunc).
# Generated bundles (busybox-static rootfs); a checker script inside the container reports
# what it sees; lifecycle checks drive the runtime from outside. Needs root and jq.
#   RUNTIME=/usr/sbin/runc unshare -m --propagation private tests/oci-validation/run.sh
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
WORK=$(mktemp -d /tmp/nrunc-oci.XXXXXX)
# bundles on a tmpfs when we are in a private mount namespace (much faster than ext4 here)
if [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ]; then
	mount -t tmpfs -o size=1g oci-validation "$WORK"
	# crun 1.8.1 refuses this hybrid host while the cgroup2 mount has a controller: hide
	# that mount in this namespace (see bench/README.md)
	if "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^crun' && [ -d /sys/fs/cgroup/unified ]; then
		mount -t tmpfs -o size=1m hide-cgroup2 /sys/fs/cgroup/unified && HID_CGROUP2=1
	fi
fi
ROOT="$WORK/root"
CGP="nrunc-oci-$$"
N=0 FAILS=0
mkdir -p "$ROOT"

cleanup() {
	local id
	for id in $(ls "$ROOT" 2>/dev/null); do "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
	for d in /sys/fs/cgroup/*/"$CGP"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
	# only our hiding tmpfs, and only in our private namespace
	[ "${HID_CGROUP2:-0}" = 1 ] && umount /sys/fs/cgroup/unified 2>/dev/null
	umount -R -l "$WORK" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# Every case description starts with its id in brackets, e.g. "[process.user.uid] ..."; STATEMENTS.md maps the
# spec's MUST/SHOULD statements to these ids. `skip_case "[id] desc" reason` records a case that cannot run here.
SKIPS=0
skip_case() {
	N=$((N + 1)) SKIPS=$((SKIPS + 1))
	echo "ok $N - $1 # SKIP $2"
}

# tap COND-EXIT-STATUS DESCRIPTION [DIAGNOSTIC]
tap() {
	local rc=$1 desc=$2 diag=${3:-}
	N=$((N + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $N - $desc"
	else
		echo "not ok $N - $desc"
		FAILS=$((FAILS + 1))
		[ -n "$diag" ] && echo "$diag" | sed 's/^/# /'
	fi
}
check() { local d=$1; shift; "$@" >/dev/null 2>&1; tap $? "$d"; }
eq() { [ "$2" = "$3" ]; tap $? "$1" "expected: [$3]"$'\n'"got:      [$2]"; }
rt() { "$RUNTIME" --root "$ROOT" "$@"; }

# new_bundle NAME: busybox rootfs + a fixed config (no runtime involved in generating it).
new_bundle() {
	local b="$WORK/$1" a
	mkdir -p "$b/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
	if [ ! -d "$WORK/.tpl" ]; then
		mkdir -p "$WORK/.tpl/bin"
		cp "$BUSYBOX" "$WORK/.tpl/bin/busybox"
		for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -s busybox "$WORK/.tpl/bin/$a"; done
	fi
	cp -a "$WORK/.tpl/bin/." "$b/rootfs/bin/"
	chmod 1777 "$b/rootfs/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1234:1234::/tmp:/bin/sh\n' >"$b/rootfs/etc/passwd"
	printf 'root:x:0:\nuser:x:1234:\n' >"$b/rootfs/etc/group"
	cat >"$b/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh", "-c", "true"],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "oci-validation",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "/$CGP/$1",
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
	echo "$b"
}

cfg() { local b=$1; shift; jq "$@" "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"; }

# The checker: prints what the container sees, one "key=value" per line.
CHECKER='
echo "hostname=$(hostname)"
echo "cwd=$(pwd)"
echo "uid=$(id -u)"
echo "gid=$(id -g)"
echo "groups=$(id -G)"
echo "env_FOO=$FOO"
echo "env_count=$(env | grep -vc "^\(PWD\|SHLVL\|_\)=")"
echo "nofile_soft=$(ulimit -n)"
echo "nofile_hard=$(ulimit -Hn)"
echo "capbnd=$(awk "/^CapBnd/ {print \$2}" /proc/self/status)"
echo "capeff=$(awk "/^CapEff/ {print \$2}" /proc/self/status)"
echo "nnp=$(awk "/^NoNewPrivs/ {print \$2}" /proc/self/status)"
echo "pid=$$"
for m in /data /scratch /proc /dev /dev/pts /dev/shm /dev/mqueue /sys; do
	echo "mount_$m=$(awk -v m=$m "\$2 == m {print \$3}" /proc/self/mounts | head -n1)"
done
echo "scratch_opts=$(awk "\$2 == \"/scratch\" {print \$4}" /proc/self/mounts)"
echo "data_ro=$(touch /data/x 2>/dev/null && echo no || echo yes)"
echo "masked_keys=$(wc -c < /proc/keys)"
echo "masked_firmware=$(ls /sys/firmware | wc -l)"
echo "ro_proc_sys=$(echo 1 > /proc/sys/kernel/ostype 2>/dev/null && echo no || echo yes)"
echo "ro_sysrq=$(echo h > /proc/sysrq-trigger 2>/dev/null && echo no || echo yes)"
echo "netdevs=$(ls /sys/class/net | tr "\n" " ")"
for d in null zero full random urandom tty; do echo "dev_$d=$(stat -c %t:%T /dev/$d 2>/dev/null)"; done
'

echo "# oci-validation: RUNTIME=$RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1))"

# ---- config.json -> what the process sees
b=$(new_bundle cfg1)
mkdir -p "$WORK/data"
cfg "$b" --arg c "$CHECKER" --arg d "$WORK/data" '
	.process.args = ["sh", "-c", $c]
	| .process.env += ["FOO=bar=baz"]
	| .process.cwd = "/tmp"
	| .process.user = {"uid": 1234, "gid": 1234, "additionalGids": [5678]}
	| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 333, "hard": 444}]
	| .process.capabilities.inheritable = .process.capabilities.bounding
	| .process.capabilities.ambient = .process.capabilities.bounding
	| .mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["rbind", "ro"]},
	              {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nodev", "size=2m"]}]'
out=$(cd "$b" && rt run cfg1 </dev/null 2>"$WORK/cfg1.err")
rc=$?
tap $rc "[runtime.start.process] run: checker container exits 0" "$(cat "$WORK/cfg1.err")"
get() { echo "$out" | sed -n "s|^$1=||p" | head -n1; }
eq "[hostname] process: hostname" "$(get hostname)" oci-validation
eq "[process.cwd] process: cwd" "$(get cwd)" /tmp
eq "[process.user.uid] process: user.uid" "$(get uid)" 1234
eq "[process.user.gid] process: user.gid" "$(get gid)" 1234
eq "[process.user.additionalGids] process: user.additionalGids" "$(get groups | tr ' ' '\n' | sort -n | tr '\n' ' ')" "1234 5678 "
eq "[process.env] process: env value with '='" "$(get env_FOO)" bar=baz
eq "[process.env] process: env has only configured variables (+HOME)" "$(get env_count)" 3
eq "[process.rlimits.soft] process: rlimits NOFILE soft" "$(get nofile_soft)" 333
eq "[process.rlimits.hard] process: rlimits NOFILE hard" "$(get nofile_hard)" 444
# CAP_AUDIT_WRITE(29) | CAP_KILL(5) | CAP_NET_BIND_SERVICE(10)
eq "[process.capabilities.bounding] process: capabilities.bounding" "$(get capbnd)" 0000000020000420
eq "[process.capabilities.ambient] process: capabilities.effective (non-root, with ambient)" "$(get capeff)" 0000000020000420
eq "[process.noNewPrivileges] process: noNewPrivileges" "$(get nnp)" 1
eq "[linux.namespaces.pid] linux: pid namespace (pid 1)" "$(get pid)" 1
eq "[mounts.bind] mounts: bind /data" "$(get mount_/data)" "$(awk -v s="$WORK" '$2 == s {print $3}' /proc/self/mounts | head -n1 || true)"
eq "[mounts.options.ro] mounts: bind ro is read-only" "$(get data_ro)" yes
eq "[mounts.type] mounts: tmpfs /scratch" "$(get mount_/scratch)" tmpfs
scr=$(get scratch_opts)
[[ "$scr" == *nodev* && "$scr" == *size=2048k* ]]
tap $? "[mounts.options.fs] mounts: tmpfs options nodev,size=2m" "got: $scr"
eq "[linux.filesystems] mounts: proc" "$(get mount_/proc)" proc
eq "[linux.filesystems] mounts: /dev tmpfs" "$(get mount_/dev)" tmpfs
eq "[linux.filesystems] mounts: /dev/pts devpts" "$(get mount_/dev/pts)" devpts
eq "[linux.filesystems] mounts: /dev/shm tmpfs" "$(get mount_/dev/shm)" tmpfs
eq "[mounts.type] mounts: /dev/mqueue mqueue" "$(get mount_/dev/mqueue)" mqueue
eq "[linux.filesystems] mounts: /sys sysfs" "$(get mount_/sys)" sysfs
eq "[linux.maskedPaths] linux.maskedPaths: /proc/keys reads empty" "$(get masked_keys)" 0
eq "[linux.maskedPaths] linux.maskedPaths: /sys/firmware empty" "$(get masked_firmware)" 0
eq "[linux.readonlyPaths] linux.readonlyPaths: /proc/sys not writable" "$(get ro_proc_sys)" yes
eq "[linux.readonlyPaths] linux.readonlyPaths: /proc/sysrq-trigger not writable" "$(get ro_sysrq)" yes
eq "[linux.namespaces.network] linux.namespaces network: only lo" "$(get netdevs)" "lo "
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	eq "[linux.devices.default] default devices: /dev/${d%%:*}" "$(get "dev_${d%%:*}")" "${d#*:}"
done

# root user gets the configured effective set too
b=$(new_bundle cfg2)
cfg "$b" '.process.args = ["sh", "-c", "awk \"/^CapEff/ {print \\$2}\" /proc/self/status; id -u"] | .root.readonly = true'
out=$(cd "$b" && rt run cfg2 </dev/null 2>&1)
eq "[process.capabilities.effective] process: capabilities.effective (root)" "$(echo "$out" | head -n1)" 0000000020000420
eq "[root.readonly] root.readonly: run works on a read-only rootfs" "$(echo "$out" | tail -n1)" 0

# ---- lifecycle from outside
b=$(new_bundle life)
cfg "$b" '.process.args = ["sh", "-c", "trap \"exit 0\" TERM; while true; do sleep 0.1; done"]'
state_field() { rt state "$1" 2>/dev/null | jq -r ".$2"; }
wait_state() {
	local i
	for i in $(seq 1 100); do [ "$(state_field "$1" status)" = "$2" ] && return 0; sleep 0.05; done
	return 1
}
rt create --bundle "$b" --pid-file "$WORK/life.pid" life </dev/null >/dev/null 2>"$WORK/life.err"
tap $? "[runtime.create] lifecycle: create" "$(cat "$WORK/life.err")"
st=$(rt state life 2>&1)
echo "$st" | jq -e '(.ociVersion | type == "string") and (.id == "life") and (.status == "created") and (.pid | type == "number") and (.bundle | startswith("/"))' >/dev/null
tap $? "[runtime.state.schema] state: created, schema fields ociVersion/id/status/pid/bundle" "$st"
eq "[runtime.state.bundle] state: bundle is the absolute bundle path" "$(state_field life bundle)" "$b"
eq "[runtime.state.pid] create --pid-file: pid matches state" "$(cat "$WORK/life.pid" 2>/dev/null)" "$(state_field life pid)"
check "[runtime.state.pid] state: pid of a created container is alive" kill -0 "$(state_field life pid)"
rt start life >/dev/null 2>&1
tap $? "[runtime.start] lifecycle: start"
wait_state life running
tap $? "[runtime.state.status] state: running after start"
rt start life >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.start.notcreated] error: start of a running container fails"
rt delete life >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.delete.notstopped] error: delete of a running container fails"
eq "[runtime.delete.notstopped] state: still running after a refused delete" "$(state_field life status)" running
rt kill life TERM >/dev/null 2>&1
tap $? "[runtime.kill] lifecycle: kill TERM by name"
wait_state life stopped
tap $? "[runtime.state.status] state: stopped after TERM"
rt start life >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.start.notcreated] error: start of a stopped container fails"
rt delete life >/dev/null 2>&1
tap $? "[runtime.delete] lifecycle: delete a stopped container"
rt state life >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.state.unknown] error: state after delete fails"
[ ! -e "$ROOT/life" ]; tap $? "[runtime.delete.resources] delete: state directory removed"

b=$(new_bundle life2)
cfg "$b" '.process.args = ["sleep", "1000"]'
rt create --bundle "$b" life2 </dev/null >/dev/null 2>&1
rt create --bundle "$b" life2 </dev/null >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.create.unique] error: create with an existing id fails"
rt start life2 >/dev/null 2>&1
wait_state life2 running
rt kill life2 KILL >/dev/null 2>&1
tap $? "[runtime.kill] lifecycle: kill KILL by name"
wait_state life2 stopped
tap $? "[runtime.state.status] state: stopped after KILL"
rt delete life2 >/dev/null 2>&1
tap $? "[runtime.delete] lifecycle: delete after KILL"
rt kill no-such-container KILL >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.kill.notrunning] error: kill of an unknown container fails"
rt state no-such-container >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.state.unknown] error: state of an unknown container fails"
rt delete no-such-container >/dev/null 2>&1
[ $? -ne 0 ]; tap $? "[runtime.delete.notstopped] error: delete of an unknown container fails"

b=$(new_bundle life3)
cfg "$b" '.process.args = ["sleep", "1000"]'
rt create --bundle "$b" life3 </dev/null >/dev/null 2>&1
rt delete --force life3 >/dev/null 2>&1
tap $? "[runtime.delete] lifecycle: delete --force of a created container"
[ ! -e "$ROOT/life3" ]; tap $? "[runtime.delete.resources] delete --force: state directory removed"

# ---- hooks
b=$(new_bundle hooks)
for h in prestart poststart poststop; do
	printf '#!/bin/sh\necho %s >> %s/hooks.log\ncat > %s/hook-%s.json\n' "$h" "$WORK" "$WORK" "$h" >"$WORK/hook-$h"
	chmod +x "$WORK/hook-$h"
done
cfg "$b" --arg w "$WORK" '.process.args = ["true"] | .hooks = {
	"prestart": [{"path": ($w + "/hook-prestart")}],
	"poststart": [{"path": ($w + "/hook-poststart")}],
	"poststop": [{"path": ($w + "/hook-poststop")}]}'
rt create --bundle "$b" hooks </dev/null >/dev/null 2>&1
rt start hooks >/dev/null 2>&1
wait_state hooks stopped
rt delete hooks >/dev/null 2>&1
eq "[hooks.order] hooks: prestart, poststart, poststop in order" "$(tr '\n' ' ' <"$WORK/hooks.log" 2>/dev/null)" "prestart poststart poststop "
jq -e '.id == "hooks" and (.pid > 0)' "$WORK/hook-prestart.json" >/dev/null 2>&1
tap $? "[hooks.state] hooks: prestart receives the state with id and pid on stdin"
jq -e '.id == "hooks"' "$WORK/hook-poststop.json" >/dev/null 2>&1
tap $? "[hooks.state] hooks: poststop receives the state on stdin"

# ---- more cases, one file per area (they use the helpers above)
for f in "$HERE"/cases/*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done

# ---- the runtime leaves nothing behind
left=$(ls "$ROOT")
eq "[runtime.delete.resources] cleanup: nothing left in --root" "$left" ""

echo "1..$N"
echo "# $((N - FAILS - SKIPS)) passed, $FAILS failed, $SKIPS skipped"
[ "$FAILS" -eq 0 ]
