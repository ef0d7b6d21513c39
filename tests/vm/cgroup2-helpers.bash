# Helpers for the guest suites (tests/vm/*.bats), loaded after ../integration/helpers.

# Under TCG every fork costs: a rootfs with only the applets these tests use (helpers.bash links all ~400).
_rootfs_template() {
	local t="$BATS_FILE_TMPDIR/rootfs-template" a
	if [ ! -d "$t" ]; then
		mkdir -p "$t.tmp"/{bin,etc,proc,sys,dev,tmp,root}
		cp "$BUSYBOX" "$t.tmp/bin/busybox"
		for a in sh sleep head wc mknod cat echo id; do ln -s busybox "$t.tmp/bin/$a"; done
		chmod 1777 "$t.tmp/tmp"
		printf 'root:x:0:0:root:/root:/bin/sh\n' >"$t.tmp/etc/passwd"
		printf 'root:x:0:\n' >"$t.tmp/etc/group"
		mv "$t.tmp" "$t"
	fi
	echo "$t"
}
