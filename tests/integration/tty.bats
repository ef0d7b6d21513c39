#!/usr/bin/env bats
# Terminal through --console-socket (received by tests/tools/RecvTty).

load helpers

@test "terminal: run with a console socket, output through the pty" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; echo hello-from-pty'
	start_recvtty --no-stdin
	track "$ID"
	# runc accepts --console-socket only with --detach
	run rt run -d --console-socket "$CONSOLE_SOCKET" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	run recvtty_output
	echo "$output"
	[[ "${lines[0]}" == /dev/pts/* ]]
	[[ "$output" == *is-a-tty* ]]
	[[ "$output" == *hello-from-pty* ]]
}

@test "terminal: create/start, input typed into the pty reaches the process" {
	update_config '.process.terminal = true'
	set_args sh -c 'read line; echo "got:$line"'
	start_recvtty --input $'typed-text\n'
	create_ctr "$ID" --console-socket "$CONSOLE_SOCKET"
	runtime start "$ID"
	run recvtty_output
	echo "$output"
	[[ "$output" == *"got:typed-text"* ]]
	wait_status "$ID" stopped
}

@test "terminal: the console socket message is non-empty, /dev/console is the pty" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; sleep 1000'
	start_recvtty --mode name
	create_ctr "$ID" --console-socket "$CONSOLE_SOCKET"
	retry 100 0.05 test -s "$BATS_TEST_TMPDIR/tty.out"
	local name
	name=$(head -n1 "$BATS_TEST_TMPDIR/tty.out")
	echo "name: $name"
	# runc 1.1.5 sends the master's name "/dev/ptmx"; a /dev/pts/N name is fine too
	[[ "$name" == /dev/pts/* || "$name" == /dev/ptmx ]]
	# /dev/console inside is the pty
	runtime start "$ID"
	run runtime exec "$ID" sh -c 'stat -c "%t" /dev/console; ls -l /proc/1/fd/0'
	echo "$output"
	# pts major is 136 (0x88)
	[ "${lines[0]}" = 88 ]
}

@test "terminal: a missing console socket for terminal=true fails cleanly" {
	update_config '.process.terminal = true'
	track "$ID"
	run rt create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: window size is settable and TERM passed" {
	update_config '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
	set_args sh -c 'echo "TERM=$TERM"; stty size'
	start_recvtty --no-stdin
	track "$ID"
	run rt run -d --console-socket "$CONSOLE_SOCKET" "$ID"
	[ "$status" -eq 0 ]
	run recvtty_output
	echo "$output"
	[[ "$output" == *"TERM=xterm"* ]]
	# runc applies consoleSize; others may too: accept the configured size
	[[ "$output" == *"30 100"* ]]
}

@test "terminal: foreground run without a console socket proxies the caller's terminal" {
	# The runtime allocates the pty itself, puts the caller's terminal (here script(1)'s) in
	# raw mode, copies both ways and returns the exit status.
	update_config '.process.terminal = true | .process.consoleSize = {"height": 25, "width": 90}'
	set_args sh -c 'tty; read line; echo "got:$line"; exit 7'
	track "$ID"
	run bash -c "echo typed | script -qec '$RUNTIME --root $ROOT run --bundle $BUNDLE $ID' /dev/null"
	echo "$output"
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"got:typed"* ]]
	[ "$status" -eq 7 ]
}

@test "terminal: create with a console socket leaves no copy of its stdout in the waiting init" {
	# containerd's runc shim reads create's stdout and stderr until EOF before it goes on to start
	update_config '.process.terminal = true'
	set_args sh -c 'echo ran; sleep 1000'
	start_recvtty --no-stdin
	track "$ID"
	run timeout 20 bash -c '"$0" --root "$1" create --bundle "$2" --console-socket "$3" "$4" </dev/null 2>&1 | cat' \
		"$RUNTIME" "$ROOT" "$BUNDLE" "$CONSOLE_SOCKET" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(runtime state "$ID" | jq -r .status)" = created ]
}
