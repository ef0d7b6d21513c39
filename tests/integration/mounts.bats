#!/usr/bin/env bats
# Root filesystem, mounts, masked/readonly paths, /dev.

load helpers

out_of() {
	set_args "$@"
	track "$ID"
	runtime run "$ID" </dev/null 2>"$BATS_TEST_TMPDIR/err"
}

@test "rootfs: readonly root refuses writes" {
	update_config '.root.readonly = true'
	run out_of sh -c 'touch /newfile && echo WROTE; grep " / " /proc/self/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" != *WROTE* ]]
	[[ "$output" == *" ro,"* || "$output" == *" ro "* ]]
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "rootfs: writable root by default, writes land in the bundle" {
	run out_of sh -c 'echo data > /written'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/rootfs/written")" = data ]
}

@test "rootfs: the host filesystem is not visible (pivot_root)" {
	touch "$BATS_TEST_TMPDIR/host-marker"
	run out_of sh -c 'ls /; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" != *host-marker* ]]
	# no mount of the host's root device as "/" outside the rootfs
	run out_of sh -c 'cd /..; ls'
	echo "$output"
	[[ "$output" != *bundle* ]]
}

@test "mounts: read-only bind mount" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	echo from-host >"$BATS_TEST_TMPDIR/data/file"
	jq --arg s "$BATS_TEST_TMPDIR/data" '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run out_of sh -c 'cat /data/file; echo x > /data/new && echo WROTE; grep " /data " /proc/self/mounts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-host ]
	[[ "$output" != *WROTE* ]]
	[[ "$output" == *" ro,"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/data/new" ]
}

@test "mounts: read-write bind mount writes through to the host" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	jq --arg s "$BATS_TEST_TMPDIR/data" '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run out_of sh -c 'echo inside > /data/new'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/data/new")" = inside ]
}

@test "mounts: bind mount of a file, destination created" {
	echo filedata >"$BATS_TEST_TMPDIR/onefile"
	jq --arg s "$BATS_TEST_TMPDIR/onefile" '.mounts += [{"destination": "/etc/deep/dir/onefile", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run out_of cat /etc/deep/dir/onefile
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = filedata ]
}

@test "mounts: tmpfs with size and mode" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=1m", "mode=1770"]}]'
	run out_of sh -c 'grep " /scratch " /proc/self/mounts; stat -c %a /scratch; df -k /scratch | tail -n1'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /scratch tmpfs "*size=1024k*mode=1770* ]]
	[[ "${lines[0]}" == *nosuid*nodev* ]]
	[ "${lines[1]}" = 1770 ]
	[ "$(echo "${lines[2]}" | awk '{print $2}')" = 1024 ]
}

@test "mounts: tmpfs size is enforced" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]'
	echo "$output"
	run out_of sh -c 'dd if=/dev/zero of=/scratch/f bs=1k count=200 2>/dev/null && echo FILLED; ls -l /scratch/f'
	[[ "$output" != *FILLED* ]]
}

@test "mounts: propagation: rslave sees host mounts made later, private does not" {
	mkdir -p "$BATS_TEST_TMPDIR/shared" "$BATS_TEST_TMPDIR/shared/sub"
	mount --bind "$BATS_TEST_TMPDIR/shared" "$BATS_TEST_TMPDIR/shared"
	mount --make-shared "$BATS_TEST_TMPDIR/shared"
	jq --arg s "$BATS_TEST_TMPDIR/shared" '.mounts += [{"destination": "/slave", "type": "bind", "source": $s, "options": ["rbind", "rslave"]}, {"destination": "/private", "type": "bind", "source": $s, "options": ["rbind", "rprivate"]}]' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run_busybox_detached
	mount -t tmpfs late "$BATS_TEST_TMPDIR/shared/sub"
	run runtime exec "$ID" sh -c 'grep -c " /slave/sub " /proc/self/mounts; grep -c " /private/sub " /proc/self/mounts'
	echo "$output"
	umount "$BATS_TEST_TMPDIR/shared/sub"
	runtime delete --force "$ID"
	umount "$BATS_TEST_TMPDIR/shared"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 0 ]
}

@test "mounts: rootfsPropagation private: container mounts do not reach the host" {
	update_config '.linux.rootfsPropagation = "private"'
	run_busybox_detached
	local pid
	pid=$(init_pid)
	local line
	line=$(awk '$5 == "/"' /proc/"$pid"/mountinfo)
	echo "$line"
	[ -n "$line" ]
	[[ "$line" != *shared:* ]]
}

@test "masked paths: reads are empty, writes fail" {
	# runc's default spec masks /proc/kcore, /proc/keys, /proc/timer_list, /sys/firmware, ...
	update_config '.linux.maskedPaths += ["/etc/secret-dir", "/etc/secret-file"]'
	mkdir -p "$BUNDLE/rootfs/etc/secret-dir"
	echo hidden >"$BUNDLE/rootfs/etc/secret-dir/f"
	echo hidden >"$BUNDLE/rootfs/etc/secret-file"
	run out_of sh -c '
		[ -e /proc/kcore ] && echo "kcore:$(wc -c < /proc/kcore)" || echo kcore:0
		echo "keys:$(wc -c < /proc/keys)"
		echo "timer:$(wc -c < /proc/timer_list)"
		echo "file:$(cat /etc/secret-file)"
		echo "dir:$(ls /etc/secret-dir)"
		ls /sys/firmware | wc -l
		echo x > /etc/secret-file  # masked files are /dev/null: the write is discarded
		touch /etc/secret-dir/new && echo WROTE-DIR
		echo x > /proc/kcore && echo WROTE-KCORE
		true'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kcore:0"* ]]
	[[ "$output" == *"keys:0"* ]]
	[[ "$output" == *"file:"$'\n'* ]]
	[[ "$output" == *"timer:0"* ]]
	[[ "$output" == *"dir:"$'\n'* ]]
	[[ "$output" != *WROTE* ]]
	[ "$(cat "$BUNDLE/rootfs/etc/secret-file")" = hidden ]
}

@test "readonly paths: reads work, writes fail" {
	update_config '.linux.readonlyPaths += ["/etc/rodir"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	mkdir -p "$BUNDLE/rootfs/etc/rodir"
	echo readable >"$BUNDLE/rootfs/etc/rodir/f"
	run out_of sh -c '
		cat /etc/rodir/f
		echo x > /etc/rodir/f && echo WROTE-RO
		echo 1 > /proc/sys/kernel/domainname && echo WROTE-SYSCTL
		cat /proc/sys/kernel/ostype
		grep -E " /proc/(sys|bus|fs|irq|sysrq-trigger) " /proc/self/mounts | grep -vc " ro,"'
	echo "$output"
	[ "${lines[0]}" = readable ]
	[[ "$output" != *WROTE* ]]
	[[ "$output" == *Linux* ]]
	# every readonly /proc path is mounted ro
	[ "${lines[-1]}" = 0 ]
}

@test "devices: default nodes exist with the right numbers and work" {
	run out_of sh -c '
		for d in null zero full random urandom tty; do stat -c "%n %t:%T %F" /dev/$d; done
		stat -c "%n %F" /dev/ptmx
		head -c 4 /dev/zero | od -An -tx1
		head -c 16 /dev/urandom | wc -c
		head -c 16 /dev/random | wc -c
		echo x > /dev/null && echo null-ok
		echo x > /dev/full || echo full-fails'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null 1:3 character special file"* ]]
	[[ "$output" == *"/dev/zero 1:5 character special file"* ]]
	[[ "$output" == *"/dev/full 1:7 character special file"* ]]
	[[ "$output" == *"/dev/random 1:8 character special file"* ]]
	[[ "$output" == *"/dev/urandom 1:9 character special file"* ]]
	[[ "$output" == *"/dev/tty 5:0 character special file"* ]]
	[[ "$output" == *"/dev/ptmx "* ]]
	[[ "$output" == *" 00 00 00 00"* ]]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *full-fails* ]]
	[ "$(echo "$output" | grep -cx 16)" -eq 2 ]
}

@test "devices: /dev symlinks fd, stdin, stdout, stderr, ptmx" {
	run out_of sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; ls /dev/pts/ptmx'
	[ "$status" -eq 0 ]
	[[ "$output" == *"fd -> /proc/self/fd"* ]]
	[[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
	[[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
	[[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
	[[ "$output" == *"ptmx -> pts/ptmx"* ]]
}

@test "devices: /dev is a tmpfs without host devices" {
	run out_of sh -c 'grep " /dev " /proc/self/mounts; ls /dev'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" /dev tmpfs "* ]]
	[[ "$output" != *vda* ]]
	[[ "$output" != *kmsg* ]]
}

@test "devices: linux.devices adds a node with the given type, numbers, mode and owner" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 1000, "gid": 1000}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	run out_of sh -c 'stat -c "%t:%T %a %u:%g %F" /dev/mynull; echo x > /dev/mynull && echo ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1:3 666 1000:1000 character special file" ]
	[ "${lines[1]}" = ok ]
}

@test "devices: a fileMode carrying the device's type bits (podman's 020666) is accepted" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 8630}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	run out_of sh -c 'stat -c "%t:%T %a %F" /dev/mynull'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1:3 666 character special file" ]
}

@test "devices: the devices cgroup denies nodes that are not allowed" {
	# a node for /dev/mem (1:1) created by hand is not usable
	update_config '.linux.devices = [{"path": "/dev/mymem", "type": "c", "major": 1, "minor": 1, "fileMode": 384}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	echo "$output"
	run out_of sh -c 'head -c1 /dev/mymem >/dev/null 2>&1 && echo READ-MEM; echo x > /dev/null && echo null-ok'
	[[ "$output" != *READ-MEM* ]]
	[[ "$output" == *null-ok* ]]
}

@test "devices: /dev/shm is a writable tmpfs, /dev/pts and /dev/mqueue mounted" {
	run out_of sh -c 'grep -E " /dev/(shm|pts|mqueue) " /proc/self/mounts | cut -d" " -f2,3; echo x > /dev/shm/f && cat /dev/shm/f'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/shm tmpfs"* ]]
	[[ "$output" == *"/dev/pts devpts"* ]]
	[[ "$output" == *"/dev/mqueue mqueue"* ]]
	[ "${lines[-1]}" = x ]
}

@test "proc and sys: mounted, sys read-only" {
	run out_of sh -c 'grep -E " /(proc|sys) " /proc/self/mounts; touch /sys/x 2>/dev/null && echo WROTE'
	[[ "$output" == *"proc /proc proc "* ]]
	[[ "$output" == *"sysfs /sys sysfs ro"* ]]
	[[ "$output" != *WROTE* ]]
}
