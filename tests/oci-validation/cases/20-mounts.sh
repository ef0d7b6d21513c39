# root, mounts (order, options, propagation), rootfsPropagation, /dev contents, devices, masked/readonly paths.

in_ctr m-rootro '.root.readonly = true' 'touch /x 2>/dev/null && echo writable || echo readonly; touch /tmp/y 2>/dev/null && echo tmp-writable'
eq "[root.readonly] readonly root: / is not writable" "$(echo "$out" | head -n1)" readonly

mkdir -p "$WORK/m-src/a" "$WORK/m-src/b"
echo A >"$WORK/m-src/a/f"; echo B >"$WORK/m-src/b/f"
b=$(new_bundle m-order2)
cfg "$b" --arg w "$WORK/m-src" '.mounts += [{"destination": "/m", "type": "bind", "source": ($w + "/a"), "options": ["bind"]},
	{"destination": "/m", "type": "bind", "source": ($w + "/b"), "options": ["bind"]},
	{"destination": "/m/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
	| .process.args = ["sh", "-c", "cat /m/f; grep -c \" /m \" /proc/self/mounts; grep -c \" /m/sub \" /proc/self/mounts"]'
out=$(cd "$b" && rt run m-order2 </dev/null 2>&1)
eq "[mounts.order] mounts in the listed order: the later one on top" "$(echo "$out" | head -n1)" B
eq "[mounts.order] a mount nested in an earlier one" "$(echo "$out" | tail -n1)" 1

b=$(new_bundle m-file)
echo hello-file >"$WORK/m-file.txt"
cfg "$b" --arg f "$WORK/m-file.txt" '.mounts += [{"destination": "/etc/single", "type": "bind", "source": $f, "options": ["bind", "ro"]}]
	| .process.args = ["sh", "-c", "cat /etc/single; (echo x >> /etc/single) 2>/dev/null || echo ro"]'
out=$(cd "$b" && rt run m-file </dev/null 2>&1)
eq "[mounts.bind.file] a file bind-mounted on a created file, ro" "$(echo "$out" | tr '\n' ' ')" "hello-file ro "

b=$(new_bundle m-reldest)
cfg "$b" '.mounts += [{"destination": "reldest", "type": "tmpfs", "source": "tmpfs"}]
	| .process.args = ["sh", "-c", "awk \"\\$2 == \\\"/reldest\\\" {print \\$3}\" /proc/self/mounts"]'
out=$(cd "$b" && rt run m-reldest </dev/null 2>/dev/null)
eq "[mounts.destination.relative] a relative destination is relative to /" "$out" tmpfs

# mount options from mount(8)
in_ctr m-opts '.mounts += [{"destination": "/o1", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "nodev", "noatime", "ro"]},
	{"destination": "/o2", "type": "tmpfs", "source": "tmpfs", "options": ["suid", "exec", "dev", "strictatime", "rw", "sync", "dirsync"]},
	{"destination": "/o3", "type": "tmpfs", "source": "tmpfs", "options": ["nodiratime", "relatime", "mode=700", "size=1m"]}]' \
	'for m in /o1 /o2 /o3; do echo "$m=$(awk -v m=$m "\$2 == m {print \$4}" /proc/self/mounts)"; done; stat -c "o3mode=%a" /o3'
o1=$(val /o1); o2=$(val /o2); o3=$(val /o3)
[[ ",$o1," == *,ro,* && ",$o1," == *,nosuid,* && ",$o1," == *,nodev,* && ",$o1," == *,noexec,* && ",$o1," == *,noatime,* ]]
tap $? "[mounts.options.flags] ro,nosuid,nodev,noexec,noatime" "got: $o1"
[[ ",$o2," == *,rw,* && ",$o2," == *,sync,* && ",$o2," == *,dirsync,* && ",$o2," != *,nosuid,* && ",$o2," != *,noexec,* && ",$o2," != *,nodev,* ]]
tap $? "[mounts.options.flags] rw,suid,exec,dev,sync,dirsync" "got: $o2"
[[ ",$o3," == *,nodiratime,* && ",$o3," == *,relatime,* && ",$o3," == *,size=1024k,* ]]
tap $? "[mounts.options.fs] nodiratime,relatime and tmpfs data (size)" "got: $o3"
eq "[mounts.options.fs] tmpfs mode= applied" "$(val o3mode)" 700

mkdir -p "$WORK/m-rec/inner"
mount -t tmpfs -o size=1m m-rec-inner "$WORK/m-rec/inner" && touch "$WORK/m-rec/inner/mark"
b=$(new_bundle m-rbind2)
cfg "$b" --arg s "$WORK/m-rec" '.mounts += [{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind", "rro"]},
	{"destination": "/nr", "type": "bind", "source": $s, "options": ["bind"]}]
	| .process.args = ["sh", "-c", "ls /r/inner; ls /nr/inner | wc -l; touch /r/inner/x 2>/dev/null && echo rw || echo ro"]'
out=$(cd "$b" && rt run m-rbind2 </dev/null 2>&1)
eq "[mounts.options.rbind] rbind carries submounts" "$(echo "$out" | head -n1)" mark
eq "[mounts.options.bind] bind without r: no submounts" "$(echo "$out" | sed -n 2p)" 0
eq "[mounts.options.recursive] rro makes submounts read-only" "$(echo "$out" | sed -n 3p)" ro
umount "$WORK/m-rec/inner"

# propagation: the bundle lives on a shared mount for these (we are in a private mount namespace of our own)
mount --make-rshared "$WORK"
for prop in shared slave private; do
	in_ctr "m-prop-$prop" ".linux.rootfsPropagation = \"r$prop\"" 'awk "\$5 == \"/\" {print \$0}" /proc/self/mountinfo'
	case $prop in
	shared) [[ "$out" == *" shared:"* ]] ;;
	slave) [[ "$out" == *" master:"* && "$out" != *" shared:"* ]] ;;
	private) [[ "$out" != *" master:"* && "$out" != *" shared:"* ]] ;;
	esac
	tap $? "[linux.rootfsPropagation] r$prop: / is $prop in the container" "$out"
done

mkdir -p "$WORK/m-bprop"
b=$(new_bundle m-bprop)
cfg "$b" --arg s "$WORK/m-bprop" '.linux.rootfsPropagation = "rslave" | .mounts += [{"destination": "/sh", "type": "bind", "source": $s, "options": ["rbind", "rshared"]},
	{"destination": "/pr", "type": "bind", "source": $s, "options": ["rbind", "rprivate"]}]
	| .process.args = ["sh", "-c", "awk \"\\$5 == \\\"/sh\\\" || \\$5 == \\\"/pr\\\" {print \\$5, \\$7}\" /proc/self/mountinfo"]'
out=$(cd "$b" && rt run m-bprop </dev/null 2>&1)
[[ "$(echo "$out" | grep '^/sh ')" == *shared:* && "$(echo "$out" | grep '^/pr ')" != *shared:* ]]
tap $? "[mounts.options.propagation] rshared / rprivate on bind mounts" "$out"
mount --make-rprivate "$WORK"

# /dev
in_ctr m-dev '.' 'for l in /dev/fd /dev/stdin /dev/stdout /dev/stderr /dev/ptmx; do echo "$l=$(readlink $l)"; done'
eq "[runtime-linux.dev-symlinks] /dev/fd -> /proc/self/fd" "$(val /dev/fd)" /proc/self/fd
eq "[runtime-linux.dev-symlinks] /dev/stdin -> /proc/self/fd/0" "$(val /dev/stdin)" /proc/self/fd/0
eq "[runtime-linux.dev-symlinks] /dev/stdout -> /proc/self/fd/1" "$(val /dev/stdout)" /proc/self/fd/1
eq "[runtime-linux.dev-symlinks] /dev/stderr -> /proc/self/fd/2" "$(val /dev/stderr)" /proc/self/fd/2
eq "[linux.devices.default] /dev/ptmx -> pts/ptmx" "$(val /dev/ptmx)" pts/ptmx

in_ctr m-devices '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 1234, "gid": 5678},
	{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5}, {"path": "/dev/myfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
	| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]' \
	'stat -c "%F %t:%T %a %u %g" /dev/mynull; stat -c "%t:%T" /dev/sub/myzero; (: < /dev/myfuse) 2>/dev/null && echo opened || echo denied'
eq "[linux.devices] device node with type, major:minor, fileMode, uid, gid" "$(echo "$out" | head -n1)" "character special file 1:3 660 1234 5678"
eq "[linux.devices] device in a new subdirectory" "$(echo "$out" | sed -n 2p)" 1:5
eq "[linux.resources.devices] a device allowed by a cgroup rule can be opened" "$(echo "$out" | sed -n 3p)" opened

# the host's node bind-mounted (not in linux.devices): only the cgroup rules stand in the way
in_ctr m-devdeny '.mounts += [{"destination": "/dev/hostfuse", "type": "bind", "source": "/dev/fuse", "options": ["bind"]}]' \
	'(: < /dev/hostfuse) 2>/dev/null && echo opened || echo denied'
eq "[linux.resources.devices] a device not allowed by the cgroup rules cannot be opened" "$out" denied

fails_ctr m-devclash2 '.mounts |= map(select(.destination != "/dev")) | .linux.devices = [{"path": "/etc/passwd", "type": "c", "major": 1, "minor": 3}]'
tap $? "[linux.devices.mismatch] a device path that exists as a different file is an error" "$out"

# masked and read-only paths, any file or directory
in_ctr m-mask '.linux.maskedPaths = ["/etc/group", "/sys/kernel", "/no/such/path"] | .linux.readonlyPaths = ["/bin"]' \
	'wc -c < /etc/group; ls /sys/kernel | wc -l; touch /bin/x 2>/dev/null && echo rw || echo ro'
eq "[linux.maskedPaths] a masked file reads empty" "$(echo "$out" | head -n1)" 0
eq "[linux.maskedPaths] a masked directory is empty" "$(echo "$out" | sed -n 2p)" 0
eq "[linux.readonlyPaths] a read-only directory" "$(echo "$out" | tail -n1)" ro
[ "$rc" -eq 0 ]; tap $? "[linux.maskedPaths] a masked path that does not exist is ignored" "$err"
