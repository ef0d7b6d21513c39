#!/usr/bin/env bats
# Security regressions expressed from outside the runtime.

load helpers

out_of() {
	set_args "$@"
	track "$ID"
	runtime run "$ID" </dev/null 2>"$BATS_TEST_TMPDIR/err"
}

@test "fds: the container process gets only 0, 1, 2 (CVE-2024-21626 leaked fds)" {
	# open some extra fds in the caller: none may reach the container
	exec 7</dev/null 8>"$BATS_TEST_TMPDIR/x"
	# ls lists its own fds: 0 1 2 and 3, the directory it reads
	run out_of ls /proc/self/fd
	exec 7<&- 8>&-
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "fds: exec'd process gets only 0, 1, 2" {
	run_busybox_detached
	exec 7</dev/null
	run runtime exec "$ID" ls /proc/self/fd
	exec 7<&-
	echo "$output"
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "fds: --preserve-fds passes exactly the given fds" {
	echo preserved >"$BATS_TEST_TMPDIR/pf"
	set_args sh -c 'cat <&3; exec ls /proc/self/fd'
	track "$ID"
	run bash -c '"$0" --root "$1" run --preserve-fds 1 "$2" 3<"$3" 4</dev/null' "$RUNTIME" "$ROOT" "$ID" "$BATS_TEST_TMPDIR/pf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = preserved ]
	# 3 is preserved, 4 is ls's directory fd
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 " ]
}

@test "fds: LISTEN_FDS socket-activation fds are passed with LISTEN_FDS and LISTEN_PID=1" {
	echo activated >"$BATS_TEST_TMPDIR/lf"
	set_args sh -c 'cat <&3; echo "$LISTEN_FDS $LISTEN_PID"'
	track "$ID"
	# LISTEN_PID must name the runtime's own process (sd_listen_fds semantics), hence exec.
	run bash -c 'exec 3<"$3"; LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" run "$2"' "$RUNTIME" "$ROOT" "$ID" "$BATS_TEST_TMPDIR/lf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = activated ]
	[ "${lines[1]}" = "1 1" ]
}

@test "cwd: a /proc/self/fd cwd cannot reach the host (CVE-2024-21626)" {
	local n
	for n in 3 4 5 6 7 8; do
		update_config ".process.cwd = \"/proc/self/fd/$n\""
		set_args sh -c 'pwd; ls ../../..; cat ../../../etc/hostname 2>/dev/null'
		track "$ID"
		run rt run "$ID"
		echo "fd $n: $status $output"
		# either refused, or the cwd is inside the container
		if [ "$status" -eq 0 ]; then
			[[ "$output" != *"$BATS_TEST_TMPDIR"* ]]
			[[ "$output" != *bundle* ]]
			[[ "$output" != *"$(hostname)"* ]] || [ "$(hostname)" = nrunc ]
		fi
		runtime delete --force "$ID" >/dev/null 2>&1 || true
	done
}

@test "exe: /proc/1/exe of the container is not writable" {
	# while the container is created, pid 1 is the runtime's init
	set_args sleep 1000
	create_ctr
	local sum_before
	sum_before=$(sha256sum <"$RUNTIME")
	run runtime exec "$ID" sh -c 'echo x > /proc/1/exe && echo WROTE; echo -n x >> /proc/1/exe && echo APPENDED; true'
	echo "$output"
	[[ "$output" != *WROTE* ]]
	[[ "$output" != *APPENDED* ]]
	[ "$(sha256sum <"$RUNTIME")" = "$sum_before" ]
}

@test "exe: the runtime binary cannot be overwritten through a held fd once it stops running (CVE-2019-5736)" {
	# A process in the container keeps an fd to the runtime's init executable (/proc/1/exe
	# while the container is created). After start nothing executes that file any more,
	# so a runtime that executes its own on-disk binary in the container would let the
	# container reopen it for writing through /proc/PID/fd/N and corrupt the host binary.
	set_args sleep 1000
	create_ctr
	local sum_before
	sum_before=$(sha256sum <"$RUNTIME")
	run rt exec -d "$ID" sh -c '
		if (exec 3</proc/1/exe) 2>/dev/null; then
			exec 3</proc/1/exe
			echo opened > /tmp/holder.state
		else
			echo refused > /tmp/holder.state
		fi
		echo $$ > /tmp/holder.pid
		exec sleep 1000'
	echo "$output"
	[ "$status" -eq 0 ]
	retry 100 0.05 test -s "$BUNDLE/rootfs/tmp/holder.pid"
	cat "$BUNDLE/rootfs/tmp/holder.state"
	runtime start "$ID"
	wait_status "$ID" running
	# no runtime process is left executing the binary
	sleep 0.2
	# (when the container could not even open /proc/1/exe there is nothing to reopen)
	run runtime exec "$ID" sh -c 'p=$(cat /tmp/holder.pid); [ -e /proc/$p/fd/3 ] || exit 0; ls -l /proc/$p/fd/3; printf x >> /proc/$p/fd/3 && echo APPENDED; true'
	echo "$output"
	[[ "$output" != *APPENDED* ]]
	[ "$(sha256sum <"$RUNTIME")" = "$sum_before" ]
}

@test "exe: the created container's init does not execute the runtime's on-disk binary (CVE-2019-5736)" {
	# runc uses a sealed memfd copy, nrunc a read-only detached bind mount: either way
	# /proc/PID/exe of init must not name the writable host file.
	set_args sleep 1000
	create_ctr
	local pid exe
	pid=$(runtime state "$ID" | jq -r .pid)
	exe=$(readlink "/proc/$pid/exe")
	echo "init exe: $exe, runtime: $(readlink -f "$RUNTIME")"
	[ "$exe" != "$(readlink -f "$RUNTIME")" ]
	run sh -c "printf x >> /proc/$pid/exe && echo APPENDED"
	[[ "$output" != *APPENDED* ]]
}

@test "procfs: writes to /proc/sys and /proc/sysrq-trigger are refused" {
	run out_of sh -c 'echo 1 > /proc/sys/vm/drop_caches && echo WROTE-SYS; echo h > /proc/sysrq-trigger && echo WROTE-SYSRQ; true'
	echo "$output"
	[[ "$output" != *WROTE* ]]
}

@test "devices: mknod of a host block device is refused" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	local dev
	dev=$(stat -c '%t %T' "$(findmnt -n -o SOURCE / 2>/dev/null || echo /dev/vda)" 2>/dev/null || echo 'fe 0')
	run out_of sh -c "mknod /tmp/disk b \$((0x${dev% *})) \$((0x${dev#* })) 2>/dev/null; head -c 512 /tmp/disk >/dev/null 2>&1 && echo READ-DISK; true"
	echo "$output"
	[[ "$output" != *READ-DISK* ]]
}

@test "mounts: a symlink in the rootfs cannot redirect a mount to the host (CVE-2021-30465 style)" {
	mkdir -p "$BATS_TEST_TMPDIR/src" "$BATS_TEST_TMPDIR/target-on-host"
	ln -s "$BATS_TEST_TMPDIR/target-on-host" "$BUNDLE/rootfs/escape"
	jq --arg s "$BATS_TEST_TMPDIR/src" '.mounts += [{"destination": "/escape", "type": "bind", "source": $s, "options": ["bind"]}]' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	set_args true
	track "$ID"
	run rt run "$ID"
	echo "$status $output"
	# whatever the runtime did, nothing was mounted on the host path
	! grep -q " $BATS_TEST_TMPDIR/target-on-host " /proc/self/mountinfo
}

@test "console: /dev/console is not the host's console without a terminal" {
	run out_of sh -c 'stat -c "%t:%T" /dev/console 2>/dev/null || echo none'
	echo "$output"
	[ "$output" != "5:1" ]
}

@test "seccomp: Docker's default profile is applied and the container works" {
	[ -f "$REPO/bench/moby-default-seccomp.json" ] || skip "bench/moby-default-seccomp.json missing"
	jq --slurpfile s "$REPO/bench/moby-default-seccomp.json" '.linux.seccomp = $s[0]' "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run out_of sh -c 'grep Seccomp: /proc/self/status; echo works'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *works* ]]
}

@test "seccomp: a denied syscall fails with the configured errno" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	run out_of sh -c 'mkdir /tmp/d && echo MADE; echo done'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *MADE* ]]
	[[ "$output" == *done* ]]
	grep -q "not permitted" "$BATS_TEST_TMPDIR/err"
	[ ! -d "$BUNDLE/rootfs/tmp/d" ]
}
