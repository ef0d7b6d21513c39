#!/usr/bin/env bats
# CVE regressions not covered by tests/integration/security.bats (which has CVE-2019-5736 and
# CVE-2024-21626, and the symlinked mount target of CVE-2021-30465): one test each, written from
# outside the runtime. runc 1.1.5 is vulnerable to the 2025 ones: skipped there with the reason.

load helpers

setup() {
	setup_bundle
	set_args true
	ESCAPE="$BATS_TEST_TMPDIR/escape"
	mkdir -p "$ESCAPE"
	touch "$ESCAPE/host-file"
}

# no_dev_tmpfs: the rootfs' own /dev is used (no tmpfs on /dev): the attacker controls its entries.
no_dev_tmpfs() {
	update_config 'del(.mounts[] | select(.destination == "/dev" or (.destination | startswith("/dev/"))))'
}

@test "CVE-2021-30465: mount targets swapped for symlinks during create never mount on the host" {
	local i srcs=()
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo data >"$BATS_TEST_TMPDIR/src/f"
	for i in $(seq 1 20); do
		mkdir -p "$BUNDLE/rootfs/race/m$i"
		update_config ".mounts += [{\"destination\": \"/race/m$i\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/src\", \"options\": [\"bind\"]}]"
	done
	# racer: swaps every target between a directory and a symlink to the host dir
	(
		end=$((SECONDS + 8))
		while [ $SECONDS -lt $end ]; do
			for i in $(seq 1 20); do
				d="$BUNDLE/rootfs/race/m$i"
				rm -rf "$d" 2>/dev/null; ln -sfn "$ESCAPE" "$d" 2>/dev/null
				rm -f "$d" 2>/dev/null; mkdir -p "$d" 2>/dev/null
			done
		done
	) &
	local racer=$!
	for i in $(seq 1 8); do
		track "$ID-$i"
		update_config ".linux.cgroupsPath = \"/$CG_PARENT/$ID-$i\""
		rt run --bundle "$BUNDLE" "$ID-$i" >/dev/null 2>&1 || true
		runtime delete --force "$ID-$i" >/dev/null 2>&1 || true
		! grep -q " $ESCAPE" /proc/self/mountinfo
		[ ! -e "$ESCAPE/f" ]
	done
	kill "$racer" 2>/dev/null || true
	wait "$racer" 2>/dev/null || true
	[ "$(ls -A "$ESCAPE")" = host-file ]
}

@test "CVE-2022-29162: neither init nor exec'd processes get inheritable capabilities" {
	run_busybox_detached
	run runtime exec "$ID" grep CapInh /proc/self/status
	echo "exec: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000000000000000"* ]]
	run runtime exec "$ID" grep CapInh /proc/1/status
	echo "init: $output"
	[[ "$output" == *"0000000000000000"* ]]
}

@test "CVE-2023-27561: a bind mount whose destination is a symlink to /proc cannot replace procfs" {
	mkdir -p "$BATS_TEST_TMPDIR/fakeproc/self"
	echo FAKE >"$BATS_TEST_TMPDIR/fakeproc/self/status"
	ln -s /proc "$BUNDLE/rootfs/evil"
	update_config ".mounts += [{\"destination\": \"/evil\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/fakeproc\", \"options\": [\"bind\"]}]"
	set_args sh -c 'cat /proc/self/status | head -n1; stat -f -c %T /proc'
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	# refused, or procfs is still procfs
	if [ "$status" -eq 0 ]; then
		[[ "$output" != *FAKE* ]]
		[[ "$output" == *proc* ]]
	fi
}

@test "CVE-2023-28642: a rootfs whose /proc is a symlink cannot get procfs mounted elsewhere" {
	rmdir "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/notproc"
	ln -s /notproc "$BUNDLE/rootfs/proc"
	set_args sh -c 'stat -f -c %T /notproc; ls /notproc | head -3'
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	# refused ("/proc cannot be a symlink" in runc), or procfs did not land on the symlink's target
	if [ "$status" -eq 0 ]; then
		[[ "$output" != proc* ]]
	else
		[[ "$output" == *proc* ]]
	fi
}

@test "CVE-2025-31133: /dev/null replaced by a symlink to a procfs file is never bind-mounted over masked paths" {
	skip_if_runc "runc 1.1.5 is vulnerable to CVE-2025-31133"
	no_dev_tmpfs
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	update_config '.linux.maskedPaths += ["/proc/sysrq-trigger"] | .linux.readonlyPaths -= ["/proc/sysrq-trigger"]'
	set_args sh -c 'cat /proc/sysrq-trigger; echo "|/bin/pwned" > /proc/sysrq-trigger'
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	# nrunc refuses a /dev/null that is not the 1:3 character device, naming it
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/null"* ]]
	assert_nothing_left "$ID"
}

@test "CVE-2025-52565: /dev/console replaced by a symlink: the pty is never mounted over its target" {
	skip_if_runc "runc 1.1.5 is vulnerable to CVE-2025-52565"
	start_recvtty
	# the rootfs' own /dev (no tmpfs on it), with devpts and ptmx so a terminal can be made
	update_config 'del(.mounts[] | select(.destination == "/dev"))'
	mkdir -p "$BUNDLE/rootfs/dev/pts" "$BUNDLE/rootfs/dev/shm" "$BUNDLE/rootfs/dev/mqueue"
	ln -s pts/ptmx "$BUNDLE/rootfs/dev/ptmx"
	rm -f "$BUNDLE/rootfs/dev/console"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
	update_config '.process.terminal = true'
	set_args sh -c 'grep -c core_pattern /proc/self/mountinfo; echo MARK'
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	track "$ID"
	run rt run -d --console-socket "$CONSOLE_SOCKET" --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	local out
	out=$(recvtty_output)
	echo "container: $out"
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	# refused, or nothing got mounted on core_pattern
	if [ "$status" -eq 0 ]; then
		[[ "$out" == *MARK* ]]
		[[ "$out" == 0* ]]
	else
		[[ "$output" == *console* ]]
	fi
}

@test "CVE-2025-52881: a sysctl write redirected by a bind mount over /proc/sys never reaches the host file" {
	update_config ".mounts += [{\"destination\": \"/proc/sys/kernel/domainname\", \"type\": \"bind\", \"source\": \"$ESCAPE/host-file\", \"options\": [\"bind\"]}]"
	update_config '.linux.sysctl = {"kernel.domainname": "pwned"}'
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	[ ! -s "$ESCAPE/host-file" ]
	[ "$(cat /proc/sys/kernel/domainname)" != pwned ]
}
