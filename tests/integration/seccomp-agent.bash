# The seccomp notify agent used by seccomp.bats and exec.bats (testdata/seccomp-agent.c, built with gcc once per
# file). start_seccomp_agent sets AGENT_SOCK (its listener socket), AGENT_OUT (state-N.json per connection,
# notify.log with one "nr=SYSCALL pid=PID" line per answered notification) and AGENT_PID; teardown kills it.

start_seccomp_agent() {
	local bin="$BATS_FILE_TMPDIR/seccomp-agent"
	if [ ! -x "$bin" ]; then
		gcc -O2 -Wall -o "$bin.tmp" "$TESTDATA/seccomp-agent.c" && mv "$bin.tmp" "$bin" || return 1
	fi
	AGENT_OUT="$BATS_TEST_TMPDIR/agent"
	AGENT_SOCK="$BATS_TEST_TMPDIR/agent.sock"
	mkdir -p "$AGENT_OUT"
	"$bin" "$AGENT_SOCK" "$AGENT_OUT" </dev/null >"$BATS_TEST_TMPDIR/agent.log" 2>&1 3>&- &
	AGENT_PID=$!
	retry 200 0.02 test -s "$AGENT_OUT/agent.pid"
}

# Waits until the agent has received N payloads (default 1).
wait_agent_states() {
	local n=${1:-1}
	retry 100 0.05 test -s "$AGENT_OUT/state-$n.json"
}
