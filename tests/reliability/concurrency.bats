#!/usr/bin/env bats
# Concurrency: many containers at once, one id created twice at once, verbs racing on one id.
# Checks: exactly one winner, the loser removes nothing of the winner's, state.json never torn, no leak.

load helpers

setup() {
	setup_bundle
	set_args sleep 1000
}

@test "concurrency: 50 parallel create/start/delete with distinct ids leave nothing" {
	local n=50 i
	for ((i = 0; i < n; i++)); do
		track "p$i-$$"
		(
			id="p$i-$$"
			b="$BATS_TEST_TMPDIR/b$i"
			mkdir -p "$b"
			ln -s "$BUNDLE/rootfs" "$b/rootfs"
			jq --arg cg "/$CG_PARENT/$id" '.linux.cgroupsPath = $cg | .root.path = "'"$BUNDLE/rootfs"'"' "$BUNDLE/config.json" >"$b/config.json"
			"$RUNTIME" --root "$ROOT" create --bundle "$b" "$id" </dev/null >"$b/out" 2>&1 || { echo "create $id: $(cat "$b/out")"; exit 1; }
			"$RUNTIME" --root "$ROOT" start "$id" >>"$b/out" 2>&1 || { echo "start $id: $(cat "$b/out")"; exit 1; }
			s=$("$RUNTIME" --root "$ROOT" state "$id" | jq -r .status)
			[ "$s" = running ] || { echo "state $id: $s"; exit 1; }
			"$RUNTIME" --root "$ROOT" delete --force "$id" >>"$b/out" 2>&1 || { echo "delete $id: $(cat "$b/out")"; exit 1; }
		) >"$BATS_TEST_TMPDIR/par$i.log" 2>&1 &
	done
	local fails=0
	for ((i = 0; i < n; i++)); do wait -n || fails=$((fails + 1)); done
	cat "$BATS_TEST_TMPDIR"/par*.log
	[ "$fails" -eq 0 ]
	run runtime list -q
	[ -z "$output" ]
	for ((i = 0; i < n; i++)); do assert_nothing_left "p$i-$$"; done
}

@test "concurrency: the same id created twice at once: exactly one wins, the loser removes nothing" {
	skip_if_runc "the loser fails on the winner's exec.fifo, then removes the winner's cgroups (and its init is left)"
	local round
	for round in 1 2 3 4 5; do
		local id="dup$round-$$"
		track "$id"
		update_config ".linux.cgroupsPath = \"/$CG_PARENT/$id\""
		"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/a" 2>&1 &
		local a=$!
		"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/b" 2>&1 &
		local b=$!
		local ra=0 rb=0
		wait $a || ra=$?
		wait $b || rb=$?
		echo "round $round: $ra $(cat "$BATS_TEST_TMPDIR/a") / $rb $(cat "$BATS_TEST_TMPDIR/b")"
		# exactly one succeeded
		[ $((ra == 0)) -ne $((rb == 0)) ]
		local loser="$BATS_TEST_TMPDIR/a"
		[ "$ra" -eq 0 ] && loser="$BATS_TEST_TMPDIR/b"
		grep -q "container with id exists" "$loser"
		# the winner is intact: created, its cgroup and its init alive, and it starts
		wait_status "$id" created
		[ -d "$(cgroup_dir pids "$id")" ]
		runtime start "$id"
		wait_status "$id" running
		runtime delete --force "$id"
		assert_nothing_left "$id"
	done
}

@test "concurrency: kill, delete and state racing on one id: no torn state, no leak" {
	local round
	for round in 1 2 3 4 5; do
		local id="race$round-$$"
		track "$id"
		update_config ".linux.cgroupsPath = \"/$CG_PARENT/$id\""
		rt run -d --bundle "$BUNDLE" "$id" >/dev/null
		local pids=() j
		for j in 1 2 3 4; do
			( for k in 1 2 3 4 5; do
				out=$("$RUNTIME" --root "$ROOT" state "$id" 2>&1) && { echo "$out" | jq -e .status >/dev/null || echo "TORN: $out"; }
			done ) >"$BATS_TEST_TMPDIR/state$j" 2>&1 &
			pids+=($!)
		done
		"$RUNTIME" --root "$ROOT" kill "$id" KILL >/dev/null 2>&1 &
		pids+=($!)
		"$RUNTIME" --root "$ROOT" delete --force "$id" >"$BATS_TEST_TMPDIR/del1" 2>&1 &
		pids+=($!)
		"$RUNTIME" --root "$ROOT" delete --force "$id" >"$BATS_TEST_TMPDIR/del2" 2>&1 &
		pids+=($!)
		for j in "${pids[@]}"; do wait "$j" || true; done
		cat "$BATS_TEST_TMPDIR"/state* "$BATS_TEST_TMPDIR"/del*
		! grep -q TORN "$BATS_TEST_TMPDIR"/state*
		run runtime list -q
		[ -z "$output" ]
		assert_nothing_left "$id"
	done
}
