# Helpers for the case files (sourced by run.sh after its own helpers).

# in_ctr NAME 'jq filter' 'shell script': a fresh bundle, the filter applied, `sh -c SCRIPT` run in the
# foreground; sets $out (stdout), $err (stderr) and $rc.
in_ctr() {
	local name=$1 filter=$2 script=$3 b
	b=$(new_bundle "$name")
	cfg "$b" --arg s "$script" "$filter | .process.args = [\"sh\", \"-c\", \$s]"
	out=$(cd "$b" && rt run "$name" </dev/null 2>"$WORK/$name.err")
	rc=$?
	err=$(cat "$WORK/$name.err")
	rt delete --force "$name" >/dev/null 2>&1
}

# fails_ctr NAME 'jq filter': `run` must fail and leave no container behind.
fails_ctr() {
	local name=$1 filter=$2 b
	b=$(new_bundle "$name")
	cfg "$b" ".process.args = [\"true\"] | $filter"
	out=$(cd "$b" && rt run "$name" </dev/null 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then return 1; fi
	# nothing left: no state, no cgroup
	! rt state "$name" >/dev/null 2>&1 || return 1
	[ ! -d "/sys/fs/cgroup/memory/$CGP/$name" ] || return 1
}

# val KEY: the "KEY=value" line of $out.
val() { echo "$out" | sed -n "s|^$1=||p" | head -n1; }

is_runtime() { "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q "^$1"; }
