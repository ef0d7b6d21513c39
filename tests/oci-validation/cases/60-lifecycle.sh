# runtime.md operations and their errors, beyond the basic cycle in run.sh.

b=$(new_bundle r-norun)
cfg "$b" '.process.args = ["sh", "-c", "touch /ran; sleep 300"] | .annotations = {"org.example.a": "b"}'
rt create --bundle "$b" r-norun </dev/null >/dev/null 2>&1
sleep 0.3
[ ! -e "$b/rootfs/ran" ]
tap $? "[runtime.create.noprocess] create does not run the user program"
eq "[runtime.state.annotations] state carries the config's annotations" "$(rt state r-norun 2>/dev/null | jq -c .annotations)" '{"org.example.a":"b"}'
cfg "$b" '.process.args = ["sh", "-c", "touch /changed; sleep 300"]'
rt start r-norun >/dev/null 2>&1
for i in $(seq 1 50); do [ -e "$b/rootfs/ran" ] && break; sleep 0.05; done
[ -e "$b/rootfs/ran" ] && [ ! -e "$b/rootfs/changed" ]
tap $? "[runtime.create.config-frozen] changes to config.json after create do not affect the container"
rt kill r-norun KILL >/dev/null 2>&1
wait_state r-norun stopped
rt kill r-norun TERM >/dev/null 2>&1
[ $? -ne 0 ]
tap $? "[runtime.kill.notrunning] kill of a stopped container is an error"
eq "[runtime.kill.notrunning] ...and has no effect (still stopped)" "$(state_field r-norun status)" stopped
rt delete r-norun >/dev/null 2>&1

b=$(new_bundle r-killcreated)
cfg "$b" '.process.args = ["sleep", "300"]'
rt create --bundle "$b" r-killcreated </dev/null >/dev/null 2>&1
rt kill r-killcreated KILL >/dev/null 2>&1
tap $? "[runtime.kill] kill of a created container succeeds"
wait_state r-killcreated stopped
tap $? "[runtime.kill] the signal reaches the container process" "$(rt state r-killcreated 2>&1)"
rt delete r-killcreated >/dev/null 2>&1

b=$(new_bundle r-sig)
cfg "$b" '.process.args = ["sh", "-c", "trap \"echo got-usr1 > /sig; exit 0\" USR1; while true; do sleep 0.1; done"]'
rt create --bundle "$b" r-sig </dev/null >/dev/null 2>&1
rt start r-sig >/dev/null 2>&1
wait_state r-sig running
sleep 0.3
rt kill r-sig USR1 >/dev/null 2>&1
wait_state r-sig stopped
eq "[runtime.kill.signal] the named signal is sent to the container process" "$(cat "$b/rootfs/sig" 2>/dev/null)" got-usr1
rt delete r-sig >/dev/null 2>&1

b=$(new_bundle r-noproc)
cfg "$b" 'del(.process)'
{ rt create --bundle "$b" r-noproc </dev/null >/dev/null 2>&1 && rt start r-noproc >/dev/null 2>&1; }
[ $? -ne 0 ]
tap $? "[runtime.start.noprocess] a container without process cannot be started"
rt delete --force r-noproc >/dev/null 2>&1

b=$(new_bundle r-noconfig)
rm "$b/config.json"
rt create --bundle "$b" r-noconfig </dev/null >/dev/null 2>&1
[ $? -ne 0 ] && ! rt state r-noconfig >/dev/null 2>&1
tap $? "[runtime.create.error] a bundle without config.json is an error, nothing created"

b=$(new_bundle r-badid)
rt create --bundle "$b" "../escape" </dev/null >/dev/null 2>&1
[ $? -ne 0 ] && [ ! -e "$WORK/escape" ]
tap $? "[runtime.create.id] an invalid id is an error"

for op in start state delete; do
	rt "$op" </dev/null >/dev/null 2>&1
	[ $? -ne 0 ]
	tap $? "[runtime.$op.noid] $op without an id is an error"
done
rt kill </dev/null >/dev/null 2>&1
[ $? -ne 0 ]
tap $? "[runtime.kill.noid] kill without an id is an error"

b=$(new_bundle r-stopped)
cfg "$b" '.process.args = ["true"]'
rt create --bundle "$b" r-stopped </dev/null >/dev/null 2>&1
rt start r-stopped >/dev/null 2>&1
wait_state r-stopped stopped
st=$(rt state r-stopped 2>/dev/null)
echo "$st" | jq -e '.status == "stopped" and .id == "r-stopped" and (.ociVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+"))' >/dev/null 2>&1
tap $? "[runtime.state.schema] state of a stopped container" "$st"
rt delete r-stopped >/dev/null 2>&1
