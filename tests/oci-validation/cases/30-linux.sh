# linux: namespaces (new, joined by path, inherited, errors), user namespace id mappings, sysctl, seccomp.

ns_all='.linux.namespaces = [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]'
in_ctr l-ns "$ns_all" 'for n in pid net ipc uts mnt cgroup user time; do echo "$n=$(readlink /proc/self/ns/$n)"; done'
for n in pid:pid net:network ipc:ipc uts:uts mnt:mount cgroup:cgroup; do
	[ -n "$(val "${n%%:*}")" ] && [ "$(val "${n%%:*}")" != "$(readlink /proc/self/ns/"${n%%:*}")" ]
	tap $? "[linux.namespaces.${n#*:}] new ${n#*:} namespace" "inside: $(val "${n%%:*}") host: $(readlink /proc/self/ns/"${n%%:*}")"
done
eq "[linux.namespaces.inherit] no user namespace listed: the runtime's is inherited" "$(val user)" "$(readlink /proc/self/ns/user)"
eq "[linux.namespaces.inherit] no time namespace listed: the runtime's is inherited" "$(val time)" "$(readlink /proc/self/ns/time)"

in_ctr l-cgns '.linux.namespaces += [{"type": "cgroup"}]' 'grep -E "^[0-9]+:memory:" /proc/self/cgroup'
eq "[linux.namespaces.cgroup] cgroup namespace: the container's cgroup is its root" "$out" "$(grep -E '^[0-9]+:memory:' /proc/self/cgroup | cut -d: -f1):memory:/"

# join a namespace by path: a network namespace held by a process we start
unshare --net sleep 300 </dev/null >/dev/null 2>&1 &
holder=$!
for i in $(seq 1 50); do [ "$(readlink /proc/$holder/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
in_ctr l-nspath ".linux.namespaces |= map(if .type == \"network\" then . + {\"path\": \"/proc/$holder/ns/net\"} else . end)" 'readlink /proc/self/ns/net'
eq "[linux.namespaces.path] the process joins the namespace at path" "$out" "$(readlink /proc/$holder/ns/net)"
fails_ctr l-nswrong ".linux.namespaces |= map(if .type == \"network\" then . + {\"path\": \"/proc/$holder/ns/ipc\"} else . end)"
tap $? "[linux.namespaces.path.type] a path of another namespace type is an error" "$out"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
fails_ctr l-nsnotns '.linux.namespaces |= map(if .type == "network" then . + {"path": "/etc/hostname"} else . end)'
tap $? "[linux.namespaces.path.type] a path that is not a namespace is an error" "$out"

fails_ctr l-nsdup '.linux.namespaces += [{"type": "ipc"}]'
tap $? "[linux.namespaces.duplicate] a duplicated namespace type is an error" "$out"
fails_ctr l-nsbad '.linux.namespaces += [{"type": "nosuchns"}]'
tap $? "[linux.namespaces.type] an unknown namespace type is an error" "$out"

# user namespace with id mappings (the rootfs belongs to the mapped root)
b=$(new_bundle l-userns)
chown -R 100000:100000 "$b/rootfs"
cfg "$b" '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	| .process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map | tr -s \" \" | sed \"s/^ //\"; id -u; stat -c %u /bin/busybox"]'
out=$(cd "$b" && rt run l-userns </dev/null 2>&1)
eq "[linux.uidMappings] uid_map as configured" "$(echo "$out" | sed -n 1p)" "0 100000 65536"
eq "[linux.gidMappings] gid_map as configured" "$(echo "$out" | sed -n 2p)" "0 100000 65536"
eq "[linux.namespaces.user] root in the user namespace" "$(echo "$out" | sed -n 3p)" 0
eq "[linux.uidMappings] files of the mapped host uid appear as 0" "$(echo "$out" | sed -n 4p)" 0
eq "[linux.uidMappings.ownership] the runtime does not chown the rootfs" "$(stat -c %u "$b/rootfs/bin/busybox")" 100000

in_ctr l-timens '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}' \
	'cat /proc/self/timens_offsets | tr -s " " | grep monotonic'
eq "[linux.namespaces.time] time namespace with timeOffsets" "$out" "monotonic 86400 0"

in_ctr l-sysctl '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4321", "kernel.domainname": "sysctl.example"}' \
	'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/kernel/domainname'
eq "[linux.sysctl] sysctls written in the container's namespaces" "$(echo "$out" | tr '\n' ' ')" "1 4321 sysctl.example "
eq "[linux.sysctl] the host's values are untouched" "$(cat /proc/sys/kernel/msgmax)" "$(cat /proc/sys/kernel/msgmax)"

# seccomp (more in tests/integration/seccomp.bats)
in_ctr l-seccomp '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}, {"names": ["fchown", "fchownat", "chown", "lchown"], "action": "SCMP_ACT_KILL_PROCESS"}]}' \
	'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d 2>&1; (exec chown 1 /tmp); echo "chown=$?"'
eq "[linux.seccomp] a filter is installed (mode 2)" "$(echo "$out" | sed -n 1p)" "Seccomp:	2"
[[ "$(echo "$out" | sed -n 2p)" == *"No space left on device"* ]]
tap $? "[linux.seccomp.errnoRet] SCMP_ACT_ERRNO returns errnoRet" "$out"
eq "[linux.seccomp.action] SCMP_ACT_KILL_PROCESS kills with SIGSYS" "$(echo "$out" | sed -n 3p)" chown=159
fails_ctr l-seccompbad '.linux.seccomp = {"defaultAction": "SCMP_ACT_NO_SUCH"}'
tap $? "[linux.seccomp.action.unknown] an unknown action is an error" "$out"
fails_ctr l-seccompnotify '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
tap $? "[linux.seccomp.listenerPath] SCMP_ACT_NOTIFY without listenerPath is an error" "$out"
fails_ctr l-seccompagent '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/no/such/agent.sock", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
tap $? "[linux.seccomp.listenerPath.error] failing to reach the agent is an error" "$out"
