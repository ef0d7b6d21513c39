# hooks: all six kinds in order, the namespace each runs in, args/env, the state on stdin, failure and timeout.

mkdir -p "$WORK/hooklog"
# hook KIND: a script logging "KIND STATUS MNTNS ARGV0 ARG1 HOOKVAR" to the shared log (host path, or the
# container's /hooklog bind for hooks that run after pivot_root)
for k in prestart createRuntime createContainer startContainer poststart poststop; do
	cat >"$WORK/hook-$k.sh" <<HOOK
#!/bin/sh
f=$WORK/hooklog/log; [ -d $WORK/hooklog ] || f=/hooklog/log
st=\$(sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
echo "$k \$st \$(readlink /proc/self/ns/mnt) \$0 \${1:-} \${HOOKVAR:-}" >> \$f
HOOK
	chmod +x "$WORK/hook-$k.sh"
done
b=$(new_bundle h-all)
cp "$WORK/hook-startContainer.sh" "$b/rootfs/bin/hook-startContainer.sh"
h() { echo "{\"path\": \"$WORK/hook-$1.sh\", \"args\": [\"$1-argv0\", \"arg1\"], \"env\": [\"HOOKVAR=v-$1\"]}"; }
cfg "$b" --arg w "$WORK/hooklog" "
	.mounts += [{\"destination\": \"/hooklog\", \"type\": \"bind\", \"source\": \$w, \"options\": [\"bind\"]}]
	| .process.args = [\"sh\", \"-c\", \"echo process >> /hooklog/log\"]
	| .hooks = {\"prestart\": [$(h prestart)], \"createRuntime\": [$(h createRuntime)], \"createContainer\": [$(h createContainer)],
		\"startContainer\": [{\"path\": \"/bin/hook-startContainer.sh\", \"args\": [\"startContainer-argv0\", \"arg1\"], \"env\": [\"HOOKVAR=v-startContainer\"]}],
		\"poststart\": [$(h poststart)], \"poststop\": [$(h poststop)]}"
rt create --bundle "$b" h-all </dev/null >/dev/null 2>"$WORK/h-all.err"
tap $? "[hooks] create with all six hooks" "$(cat "$WORK/h-all.err")"
ctr_mnt=$(readlink "/proc/$(state_field h-all pid)/ns/mnt")
host_mnt=$(readlink /proc/self/ns/mnt)
after_create=$(cut -d' ' -f1 "$WORK/hooklog/log" 2>/dev/null | tr '\n' ' ')
rt start h-all >/dev/null 2>&1
wait_state h-all stopped
rt delete h-all >/dev/null 2>&1
log=$(cat "$WORK/hooklog/log" 2>/dev/null)
eq "[hooks.create] prestart, createRuntime, createContainer run during create" "$after_create" "prestart createRuntime createContainer "
eq "[hooks.order] all hooks in the listed order around the process" "$(echo "$log" | cut -d' ' -f1 | tr '\n' ' ')" \
	"prestart createRuntime createContainer startContainer process poststart poststop "
line() { echo "$log" | grep "^$1 "; }
for k in prestart createRuntime poststart poststop; do
	eq "[hooks.$k.namespace] $k runs in the runtime's mount namespace" "$(line $k | cut -d' ' -f3)" "$host_mnt"
done
for k in createContainer startContainer; do
	eq "[hooks.$k.namespace] $k runs in the container's mount namespace" "$(line $k | cut -d' ' -f3)" "$ctr_mnt"
done
# (argv[0] is not visible to a #! script: $0 is the script's path)
eq "[hooks.args] args and env reach the hook" "$(line prestart | cut -d' ' -f5-)" "arg1 v-prestart"
eq "[hooks.startContainer.path] startContainer's path resolves in the container" "$(line startContainer | cut -d' ' -f4-)" "/bin/hook-startContainer.sh arg1 v-startContainer"
eq "[hooks.state] poststop gets the state with status stopped" "$(line poststop | cut -d' ' -f2)" stopped
[ -n "$(line prestart | cut -d' ' -f2)" ]
tap $? "[hooks.state] prestart gets the state on stdin" "$(line prestart)"

# failing hooks stop the operation and leave nothing behind
for k in prestart createRuntime createContainer; do
	fails_ctr "h-fail-$k" ".hooks = {\"$k\": [{\"path\": \"/bin/false\"}]}"
	tap $? "[hooks.$k.fail] a failing $k hook fails create, nothing left" "$out"
done

b=$(new_bundle h-fail-start)
cfg "$b" '.hooks = {"startContainer": [{"path": "/bin/false"}]} | .process.args = ["touch", "/ran"]'
rt create --bundle "$b" h-fail-start </dev/null >/dev/null 2>&1
rt start h-fail-start >/dev/null 2>&1
rc=$?
sleep 0.2
[ "$rc" -ne 0 ]
tap $? "[hooks.startContainer.fail] a failing startContainer hook is an error from start" "rc=$rc"
[ ! -e "$b/rootfs/ran" ]
tap $? "[hooks.startContainer.fail] ...and the program does not run"
wait_state h-fail-start stopped
tap $? "[hooks.startContainer.fail] the container is stopped after it" "$(rt state h-fail-start 2>&1)"
rt delete --force h-fail-start >/dev/null 2>&1

b=$(new_bundle h-fail-poststart)
cfg "$b" '.hooks = {"poststart": [{"path": "/bin/false"}]} | .process.args = ["sleep", "300"]'
rt create --bundle "$b" h-fail-poststart </dev/null >/dev/null 2>&1
rt start h-fail-poststart >/dev/null 2>&1
rc=$?
[ "$rc" -ne 0 ]
tap $? "[hooks.poststart.fail] a failing poststart hook is an error from start" "rc=$rc"
wait_state h-fail-poststart stopped || ! rt state h-fail-poststart >/dev/null 2>&1
tap $? "[hooks.poststart.fail] ...and the container is stopped (or already destroyed)" "$(rt state h-fail-poststart 2>&1)"
rt delete --force h-fail-poststart >/dev/null 2>&1

b=$(new_bundle h-fail-poststop)
cfg "$b" '.hooks = {"poststop": [{"path": "/bin/false"}, {"path": "/bin/sh", "args": ["sh", "-c", "touch '"$WORK"'/poststop2"]}]} | .process.args = ["true"]'
rt create --bundle "$b" h-fail-poststop </dev/null >/dev/null 2>&1
rt start h-fail-poststop >/dev/null 2>&1
wait_state h-fail-poststop stopped
rt delete h-fail-poststop >/dev/null 2>&1
rc=$?
[ "$rc" -eq 0 ] && ! rt state h-fail-poststop >/dev/null 2>&1
tap $? "[hooks.poststop.fail] a failing poststop hook is a warning: delete succeeds" "rc=$rc"
[ -e "$WORK/poststop2" ]
tap $? "[hooks.poststop.fail] ...and the remaining poststop hooks run"

b=$(new_bundle h-timeout)
cfg "$b" '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
t0=$(date +%s)
rt create --bundle "$b" h-timeout </dev/null >/dev/null 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ $(($(date +%s) - t0)) -lt 20 ] && ! rt state h-timeout >/dev/null 2>&1
tap $? "[hooks.timeout] a hook over its timeout is killed and fails create" "rc=$rc after $(($(date +%s) - t0))s"
rt delete --force h-timeout >/dev/null 2>&1
