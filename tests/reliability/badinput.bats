#!/usr/bin/env bats
# Bad input: random command lines, hostile bundles, huge and deeply nested config.json, config.json
# changed during create. Every failure: exit 1, a clear message (no exception trace), no hang, and
# nothing left in --root, the cgroups or the mount table.

load helpers

setup() {
	setup_bundle
	set_args true
	ESCAPE="$BATS_TEST_TMPDIR/escape"
	mkdir -p "$ESCAPE"
	touch "$ESCAPE/host-file"
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}

# nothing_outside: the host dir the bundle tries to reach is untouched and no mount was added.
nothing_outside() {
	[ "$(ls -A "$ESCAPE")" = host-file ]
	[ ! -s "$ESCAPE/host-file" ]
	! grep -q " $ESCAPE" /proc/self/mountinfo
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

# clean_failure: the last `run` failed with exit 1, a message, and no exception trace.
clean_failure() {
	echo "exit $status: $output"
	[ "$status" -eq 1 ]
	[ -n "$output" ]
	! grep -qE 'Unhandled exception|   at [A-Za-z]+\.|System\.[A-Za-z]+Exception' <<<"$output"
}

@test "cli: 250 random command lines: no crash, no hang, exit 0 or 1, nothing left" {
	skip_if_runc "usage errors exit with other statuses"
	local verbs=(create start run state kill delete list ps exec pause resume update events spec features checkpoint restore
		init version help bogus "" -- - -v --help)
	local flags=(--bundle -b --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds --force -f --all -a
		--format --quiet -q --signal --detach -d --process -p --tty -t --cwd --env -e --user -u --memory --pids-limit
		--interval --stats --root --log --log-format --debug --systemd-cgroup --rootless --bogus -x --bundle= --
		--preserve-fds=-1 --preserve-fds=99999999999 --format=xml --log-format=yaml --memory=-5 --pids-limit=abc)
	local values=("" . .. / /nonexistent "../../etc" "$(head -c 300 /dev/zero | tr '\0' a)" "a/b" "-1" 9999999999999999999 "%n%s"
		"$(printf 'x\ty')" "é" "SIGKILL" "KILL" 9 0 "ctr" "-")
	local empty="$BATS_TEST_TMPDIR/empty" i j rc out args
	mkdir -p "$empty"
	cd "$empty"
	RANDOM=12345
	for ((i = 0; i < 250; i++)); do
		args=("${verbs[RANDOM % ${#verbs[@]}]}")
		for ((j = RANDOM % 5; j > 0; j--)); do
			case $((RANDOM % 3)) in
			0) args+=("${flags[RANDOM % ${#flags[@]}]}") ;;
			1) args+=("${values[RANDOM % ${#values[@]}]}") ;;
			2) args+=("${flags[RANDOM % ${#flags[@]}]}" "${values[RANDOM % ${#values[@]}]}") ;;
			esac
		done
		# global flags go before the verb, as engines pass them; --root stays ours
		rc=0
		out=$(timeout 10 "$RUNTIME" --root "$ROOT" "${args[@]}" </dev/null 2>&1) || rc=$?
		if [ "$rc" -eq 124 ] || [ "$rc" -gt 1 ] || grep -qE 'Unhandled exception|   at [A-Za-z]+\.' <<<"$out"; then
			echo "nrunc ${args[*]@Q}: exit $rc: $out"
			return 1
		fi
		rm -f config.json # `spec` writes one
	done
	[ -z "$(ls -A "$ROOT" | grep -v '^\.seccomp-cache$' || true)" ]
	[ ! -d /sys/fs/cgroup/pids/"$CG_PARENT" ] || [ -z "$(ls -d /sys/fs/cgroup/pids/"$CG_PARENT"/*/ 2>/dev/null)" ]
}

@test "ids: '..', '/', empty and over-long ids fail with a clear error and leave nothing" {
	local id
	for id in .. . "a/b" "../x" "/abs" "" "$(head -c 300 /dev/zero | tr '\0' a)" "bad id" 'a;b'; do
		run rt create --bundle "$BUNDLE" "$id"
		clean_failure
		[[ "$output" == *"id"* ]] || [[ "$output" == *"name too long"* ]]
		[ -z "$(ls -A "$ROOT")" ]
	done
	[ ! -e "$BATS_TEST_TMPDIR/x" ] && [ ! -e /abs ]
	[ -z "$(ls -d /sys/fs/cgroup/pids/"$CG_PARENT"/*/ 2>/dev/null)" ]
}

@test "ids: a 200-character id works end to end" {
	local id
	id="$(head -c 190 /dev/zero | tr '\0' a)-$$"
	set_args sleep 1000
	update_config ".linux.cgroupsPath = \"/$CG_PARENT/$id\""
	track "$id"
	rt run -d --bundle "$BUNDLE" "$id"
	wait_status "$id" running
	runtime delete --force "$id"
	assert_nothing_left "$id"
}

@test "hostile rootfs: /proc is a symlink out of the rootfs: nothing is mounted outside it" {
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "$ESCAPE" "$BUNDLE/rootfs/proc"
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	runtime delete --force "$ID" 2>/dev/null || true
	nothing_outside
	assert_nothing_left "$ID"
}

@test "hostile rootfs: /dev is a symlink out of the rootfs: nothing is made outside it" {
	skip_if_runc "leaves entries in the host directory a symlinked /dev points at"
	rmdir "$BUNDLE/rootfs/dev"
	ln -s "$ESCAPE" "$BUNDLE/rootfs/dev"
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	runtime delete --force "$ID" 2>/dev/null || true
	nothing_outside
	assert_nothing_left "$ID"
}

@test "hostile rootfs: a bind-mount destination that is a relative symlink climbing out stays inside" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo secret >"$BATS_TEST_TMPDIR/src/data"
	ln -s "../../../../../../../../..$ESCAPE" "$BUNDLE/rootfs/mnt"
	update_config ".mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/src\", \"options\": [\"bind\"]}]"
	set_args cat /mnt/data
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	runtime delete --force "$ID" 2>/dev/null || true
	nothing_outside
	assert_nothing_left "$ID"
}

@test "hostile rootfs: process.cwd is a symlink out of the rootfs: the process stays inside" {
	ln -s "$ESCAPE" "$BUNDLE/rootfs/work"
	update_config '.process.cwd = "/work"'
	set_args sh -c 'pwd; ls; touch made-here'
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$status $output"
	[[ "$output" != *host-file* ]]
	nothing_outside
	assert_nothing_left "$ID"
}

@test "hostile rootfs: /dev/null is a regular file: masking refuses it, nothing left" {
	skip_if_runc "runc 1.1.5 masks with whatever /dev/null is"
	update_config 'del(.mounts[] | select(.destination == "/dev" or (.destination | startswith("/dev/"))))'
	echo "not a device" >"$BUNDLE/rootfs/dev/null"
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	clean_failure
	[[ "$output" == *"/dev/null"* ]]
	assert_nothing_left "$ID"
}

@test "config.json: 100 MB of valid JSON is accepted; 100 MB of broken JSON fails cleanly" {
	# valid: the config with 100 MB of whitespace inside it
	{ head -c 1 "$BUNDLE/config.json"; head -c 100000000 /dev/zero | tr '\0' ' '; tail -c +2 "$BUNDLE/config.json"; } >"$BUNDLE/big.json"
	mv "$BUNDLE/big.json" "$BUNDLE/config.json"
	[ "$(stat -c %s "$BUNDLE/config.json")" -gt 100000000 ]
	track "$ID"
	run timeout 60 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	echo "exit $status: ${output:0:300}"
	[ "$status" -eq 0 ]
	# broken: an annotation string that never ends
	{ printf '{"ociVersion":"1.0.0","annotations":{"a":"'; head -c 100000000 /dev/zero | tr '\0' x; } >"$BUNDLE/config.json"
	run timeout 60 "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	clean_failure
	is_runc || [[ "$output" == *config.json* ]] # runc 1.1.5: "unexpected EOF"
	assert_nothing_left "$ID"
}

@test "config.json: 100000 levels of nesting fail cleanly, naming the path" {
	{ printf '{"ociVersion":"1.0.0","annotations":{"a":'; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; printf '}}'; } >"$BUNDLE/config.json"
	track "$ID"
	run timeout 30 "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	clean_failure
	is_runc || [[ "$output" == *"config.json: annotations"* ]] # runc 1.1.5: "exceeded max depth", no path
	assert_nothing_left "$ID"
}

@test "config.json: changed by a hook during create: the container runs the config read at the start" {
	set_args echo ORIGINAL
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/changed.json"
	jq '.process.args = ["echo", "CHANGED"] | .root.path = "/"' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/changed.json"
	cat >"$BATS_TEST_TMPDIR/hook.sh" <<-HOOK
		#!/bin/sh
		cp "$BATS_TEST_TMPDIR/changed.json" "$BUNDLE/config.json"
	HOOK
	chmod +x "$BATS_TEST_TMPDIR/hook.sh"
	update_config ".hooks.createRuntime = [{\"path\": \"$BATS_TEST_TMPDIR/hook.sh\"}]"
	track "$ID"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ORIGINAL* ]]
	[[ "$output" != *CHANGED* ]]
}

@test "config.json: rewritten in place while 20 creates run: each one succeeds or fails cleanly, no leftovers" {
	local good bad i
	good=$(cat "$BUNDLE/config.json")
	bad=$(jq '.process.args = 5' "$BUNDLE/config.json")
	( for ((i = 0; i < 400; i++)); do printf '%s' "$good" >"$BUNDLE/config.json"; printf '%s' "$bad" >"$BUNDLE/config.json"; done
	  printf '%s' "$good" >"$BUNDLE/config.json" ) &
	local writer=$!
	for ((i = 0; i < 20; i++)); do
		track "w$i-$$"
		update_config ".linux.cgroupsPath = \"/$CG_PARENT/w$i-$$\"" "$BUNDLE" 2>/dev/null || true
		run rt create --bundle "$BUNDLE" "w$i-$$"
		if [ "$status" -ne 0 ]; then
			clean_failure
			is_runc || [[ "$output" == *config.json* ]] # runc 1.1.5 names Go struct fields
			[ ! -e "$ROOT/w$i-$$" ]
		else
			runtime delete --force "w$i-$$"
		fi
	done
	wait "$writer"
	for ((i = 0; i < 20; i++)); do assert_nothing_left "w$i-$$"; done
}
