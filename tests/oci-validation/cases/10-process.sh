# process: umask, oomScoreAdj, capability sets, rlimits, noNewPrivileges, args/env/cwd errors, terminal,
# hostname and domainname, unknown properties.

in_ctr p-umask '.process.user.umask = 63' 'umask; touch /tmp/f; stat -c %a /tmp/f'
eq "[process.user.umask] umask 0077 is the process's umask" "$(echo "$out" | tr '\n' ' ')" "0077 600 "

host_oom=$(cat /proc/self/oom_score_adj)
in_ctr p-oom '.process.oomScoreAdj = 123' 'cat /proc/self/oom_score_adj'
eq "[process.oomScoreAdj] oom_score_adj is set to the given value" "$out" 123
in_ctr p-oom2 'del(.process.oomScoreAdj)' 'cat /proc/self/oom_score_adj'
eq "[process.oomScoreAdj.unset] oom_score_adj unchanged when not set" "$out" "$host_oom"

in_ctr p-caps '.process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"], "permitted": ["CAP_CHOWN", "CAP_KILL"],
	"effective": ["CAP_KILL"], "inheritable": ["CAP_CHOWN"]}' \
	'for k in CapInh CapPrm CapEff CapBnd CapAmb; do awk -v k=$k: "\$1 == k {print k \$2}" /proc/self/status; done'
# CAP_CHOWN 0, CAP_KILL 5, CAP_SETUID 7
eq "[process.capabilities.inheritable] inheritable set" "$(echo "$out" | sed -n 's/^CapInh://p')" 0000000000000001
eq "[process.capabilities.permitted] permitted set" "$(echo "$out" | sed -n 's/^CapPrm://p')" 0000000000000021
# uid 0: execve raises the effective set to the permitted one (capabilities(7)); non-root with ambient is in run.sh
eq "[process.capabilities.effective] effective set of root after execve = permitted" "$(echo "$out" | sed -n 's/^CapEff://p')" 0000000000000021
eq "[process.capabilities.bounding] bounding set" "$(echo "$out" | sed -n 's/^CapBnd://p')" 00000000000000a1
eq "[process.capabilities.ambient] no ambient set: none raised" "$(echo "$out" | sed -n 's/^CapAmb://p')" 0000000000000000

in_ctr p-nocaps 'del(.process.capabilities)' 'awk "/^CapEff/ {print \$2}" /proc/self/status'
eq "[process.capabilities] no capabilities object: empty effective set" "$out" 0000000000000000

in_ctr p-unknowncap '.process.capabilities.bounding += ["CAP_NO_SUCH_CAP"]' 'echo ran'
[ "$rc" -eq 0 ] && [ "$out" = ran ]
tap $? "[process.capabilities.unknown] an unknown capability is a warning, not a failure" "rc=$rc out=$out err=$err"

in_ctr p-rlim '.process.rlimits = [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
	{"type": "RLIMIT_STACK", "soft": 1048576, "hard": 2097152}]' 'ulimit -c; ulimit -Hc; ulimit -n; ulimit -Hn; ulimit -s; ulimit -Hs'
eq "[process.rlimits.soft] getrlimit matches every configured entry" "$(echo "$out" | tr '\n' ' ')" "0 0 100 200 1024 2048 "

fails_ctr p-rlimbad '.process.rlimits = [{"type": "RLIMIT_NO_SUCH", "soft": 1, "hard": 1}]'
tap $? "[process.rlimits.unknown] an rlimit type with no kernel interface is an error" "$out"

fails_ctr p-rlimdup '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}, {"type": "RLIMIT_NOFILE", "soft": 20, "hard": 20}]'
tap $? "[process.rlimits.duplicate] duplicated rlimit types are an error" "$out"

in_ctr p-nnp '.process.noNewPrivileges = false' 'awk "/^NoNewPrivs/ {print \$2}" /proc/self/status'
eq "[process.noNewPrivileges] noNewPrivileges false: not set" "$out" 0

fails_ctr p-cwdrel '.process.cwd = "tmp"'
tap $? "[process.cwd.absolute] a relative cwd is an error" "$out"

in_ctr p-cwdnew '.process.cwd = "/new/dir"' 'pwd'
eq "[process.cwd] a missing cwd is created as a directory" "$out" /new/dir

fails_ctr p-noargs '.process.args = []'
tap $? "[process.args] empty args are an error" "$out"

fails_ctr p-nocmd '.process.args = ["/no/such/program"]'
tap $? "[runtime.create.error] a program that does not exist is an error" "$out"

in_ctr p-args '.' 'tr "\0" "|" < /proc/$$/cmdline; echo'
eq "[process.args] args reach execve as given" "$out" 'sh|-c|tr "\0" "|" < /proc/$$/cmdline; echo|'

in_ctr p-domain '.domainname = "example.org"' 'cat /proc/sys/kernel/domainname; hostname'
eq "[domainname] domainname in the uts namespace" "$(echo "$out" | head -n1)" example.org
eq "[hostname] hostname in the uts namespace" "$(echo "$out" | tail -n1)" oci-validation

fails_ctr p-hostnouts '.linux.namespaces |= map(select(.type != "uts"))'
tap $? "[hostname.nouts] hostname without a uts namespace is an error" "$out"

in_ctr p-unknown '. + {"x-unknown-top": {"a": 1}} | .process += {"xUnknown": true} | .linux += {"xUnknown": [1, 2]}' 'echo ran'
eq "[config.extensibility] unknown properties are ignored" "$out" ran

in_ctr p-annot '.annotations = {"org.example.key": "value"}' 'echo ran'
eq "[annotations] a config with annotations runs" "$out" ran

fails_ctr p-badver '.ociVersion = 7'
tap $? "[config.ociVersion] a non-string ociVersion is an error" "$out"

# terminal: the console socket receives a pty master whose slave is the process's stdio and controlling terminal
if [ -x "$REPO/out/tests/recvtty" ]; then
	b=$(new_bundle p-tty)
	cfg "$b" '.process.terminal = true | .process.consoleSize = {"height": 25, "width": 91}
		| .process.args = ["sh", "-c", "tty; stty size; ls -l /dev/console | cut -c1"]'
	"$REPO/out/tests/recvtty" --no-stdin --pid-file "$WORK/recvtty.pid" "$WORK/tty.sock" </dev/null >"$WORK/tty.out" 2>&1 &
	tty_pid=$!
	for i in $(seq 1 100); do [ -S "$WORK/tty.sock" ] && break; sleep 0.05; done
	(cd "$b" && rt create --console-socket "$WORK/tty.sock" p-tty </dev/null >/dev/null 2>"$WORK/p-tty.err") && rt start p-tty >/dev/null 2>&1
	for i in $(seq 1 100); do kill -0 "$tty_pid" 2>/dev/null || break; sleep 0.05; done
	kill "$tty_pid" 2>/dev/null; wait "$tty_pid" 2>/dev/null
	rt delete --force p-tty >/dev/null 2>&1
	tty_out=$(tr -d '\r' <"$WORK/tty.out")
	[[ "$(echo "$tty_out" | head -n1)" == /dev/pts/* ]]
	tap $? "[process.terminal] terminal: stdio is a pty from the console socket" "$tty_out $(cat "$WORK/p-tty.err")"
	eq "[process.consoleSize] consoleSize applied" "$(echo "$tty_out" | sed -n 2p)" "25 91"
	eq "[linux.devices.console] /dev/console is a char device with a terminal" "$(echo "$tty_out" | sed -n 3p)" c
else
	for c in "[process.terminal] terminal" "[process.consoleSize] consoleSize" "[linux.devices.console] /dev/console"; do
		skip_case "$c" "out/tests/recvtty not built"
	done
fi

in_ctr p-noterm '.process.consoleSize = {"height": 10, "width": 10}' 'stty size 2>/dev/null || echo notty'
eq "[process.consoleSize.ignored] consoleSize ignored without a terminal" "$out" notty
