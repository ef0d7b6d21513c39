#!/usr/bin/env bats
# OCI hooks: order, state on stdin, environment, failures.

load helpers

# make_hook NAME: a host script that appends its name and its stdin (state JSON) to files.
make_hook() {
	local h="$BATS_TEST_TMPDIR/hook-$1"
	cat >"$h" <<HOOK
#!/bin/sh
echo "$1 \$*" >> "$BATS_TEST_TMPDIR/hooks.order"
cat > "$BATS_TEST_TMPDIR/hook-$1.json"
env > "$BATS_TEST_TMPDIR/hook-$1.env"
HOOK
	chmod +x "$h"
	echo "$h"
}

@test "hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop run in order with state on stdin" {
	local h
	for h in prestart createRuntime createContainer poststart poststop; do make_hook $h >/dev/null; done
	# startContainer resolves its path in the container: give it a script there
	mkdir -p "$BUNDLE/rootfs/hooks"
	cat >"$BUNDLE/rootfs/hooks/inside" <<'HOOK'
#!/bin/sh
echo "$1" >> /inside.order
cat > "/inside-$1.json"
HOOK
	chmod +x "$BUNDLE/rootfs/hooks/inside"
	jq --arg d "$BATS_TEST_TMPDIR" '.hooks = {
		"prestart": [{"path": ($d + "/hook-prestart"), "args": ["hook-prestart", "a1"]}],
		"createRuntime": [{"path": ($d + "/hook-createRuntime"), "args": ["hook-createRuntime"]}],
		"createContainer": [{"path": ($d + "/hook-createContainer"), "args": ["hook-createContainer"]}],
		"startContainer": [{"path": "/hooks/inside", "args": ["inside", "startContainer"]}],
		"poststart": [{"path": ($d + "/hook-poststart"), "args": ["hook-poststart"], "env": ["HOOKVAR=42"]}],
		"poststop": [{"path": ($d + "/hook-poststop"), "args": ["hook-poststop"]}]}' \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	set_args sh -c 'echo main >> /inside.order'
	track "$ID"
	run runtime run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/hooks.order"
	[ "$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/hooks.order" | tr '\n' ' ')" = "prestart createRuntime createContainer poststart poststop " ]
	# args are passed (args[0] is argv[0])
	grep -qx "prestart a1" "$BATS_TEST_TMPDIR/hooks.order"
	cat "$BUNDLE/rootfs/inside.order"
	[ "$(tr '\n' ' ' <"$BUNDLE/rootfs/inside.order")" = "startContainer main " ]
	# state on stdin
	local f
	for f in prestart createRuntime createContainer poststart poststop; do
		jq -e --arg id "$ID" --arg b "$BUNDLE" '.id == $id and .bundle == $b and (.status | type == "string") and (.ociVersion | type == "string")' "$BATS_TEST_TMPDIR/hook-$f.json"
	done
	jq -e '.pid > 0' "$BATS_TEST_TMPDIR/hook-prestart.json"
	jq -e '.status == "created" or .status == "creating"' "$BATS_TEST_TMPDIR/hook-createRuntime.json"
	cat "$BATS_TEST_TMPDIR/hook-poststart.json"
	# runc 1.1.5 passes status "created" to poststart hooks; the spec's state is "running"
	jq -e '.status == "running"' "$BATS_TEST_TMPDIR/hook-poststart.json" || { is_runc && jq -e '.status == "created"' "$BATS_TEST_TMPDIR/hook-poststart.json"; }
	jq -e '.status == "stopped"' "$BATS_TEST_TMPDIR/hook-poststop.json"
	jq -e --arg id "$ID" '.id == $id' "$BUNDLE/rootfs/inside-startContainer.json"
	# env is exactly the configured one
	grep -qx HOOKVAR=42 "$BATS_TEST_TMPDIR/hook-poststart.env"
}

@test "hooks: a failing prestart hook fails create and leaves nothing" {
	cat >"$BATS_TEST_TMPDIR/fail-hook" <<'HOOK'
#!/bin/sh
echo "hook failing on purpose" >&2
exit 7
HOOK
	chmod +x "$BATS_TEST_TMPDIR/fail-hook"
	jq --arg p "$BATS_TEST_TMPDIR/fail-hook" '.hooks = {"prestart": [{"path": $p}]}' "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	set_args sleep 1000
	track "$ID"
	run rt create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]
	[ ! -d "$(cgroup_dir pids)" ]
}

@test "hooks: timeout kills a hung hook" {
	cat >"$BATS_TEST_TMPDIR/slow-hook" <<'HOOK'
#!/bin/sh
exec sleep 30
HOOK
	chmod +x "$BATS_TEST_TMPDIR/slow-hook"
	jq --arg p "$BATS_TEST_TMPDIR/slow-hook" '.hooks = {"prestart": [{"path": $p, "timeout": 1}]}' "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	set_args true
	track "$ID"
	local t0=$SECONDS
	run rt run "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ $((SECONDS - t0)) -lt 20 ]
}

@test "hooks: poststop runs on delete of a detached container" {
	make_hook poststop >/dev/null
	jq --arg d "$BATS_TEST_TMPDIR" '.hooks = {"poststop": [{"path": ($d + "/hook-poststop")}]}' "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run_busybox_detached
	[ ! -e "$BATS_TEST_TMPDIR/hook-poststop.json" ]
	runtime kill "$ID" KILL
	wait_status "$ID" stopped
	runtime delete "$ID"
	[ -e "$BATS_TEST_TMPDIR/hook-poststop.json" ]
}
