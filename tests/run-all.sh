#!/usr/bin/env bash
# Installs every test dependency (idempotent), builds, and runs all suites:
# unit tests, integration (bats), reliability (bats), oci-validation, bench in quick mode.
# Ends with one line "N passed, N failed, N skipped"; exits non-zero if anything failed.
#   RUNTIME=/usr/sbin/runc tests/run-all.sh   runs the runtime suites against another runtime
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
export RUNTIME="${RUNTIME:-$REPO/out/nrunc}"
LOGDIR="$REPO/tests/integration/.work/all"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
PASSED=0 FAILED=0 SKIPPED=0
T0=$(date +%s)

section() { echo; echo "=== $* ($(($(date +%s) - T0))s)"; }

# count_tap FILE...: adds the TAP results to the totals.
count_tap() {
	local p f s
	p=$(cat "$@" 2>/dev/null | grep -E '^ok ' | grep -vc '# skip' || true)
	s=$(cat "$@" 2>/dev/null | grep -Ec '^ok .*# skip' || true)
	f=$(cat "$@" 2>/dev/null | grep -Ec '^not ok ' || true)
	PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
	echo "  -> $p passed, $f failed, $s skipped"
}

section "dependencies"
apt_pkgs=(busybox-static bats jq runc crun libseccomp2 libseccomp-dev hyperfine strace uidmap time
	util-linux iproute2 procps gcc libc6-dev zlib1g-dev git containerd containernetworking-plugins
	docker.io podman conmon tini qemu-system-x86 cpio)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# engines are started by their tests only: keep init scripts from starting dockerd/containerd
	[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1; }
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
		echo "apt-get install failed"; FAILED=$((FAILED + 1))
	}
	[ -z "${own_policy:-}" ] || rm -f /usr/sbin/policy-rc.d
else
	echo "all installed"
fi

section "build"
if ! ./build.sh >"$LOGDIR/build.log" 2>&1; then
	tail -n 40 "$LOGDIR/build.log"
	echo "build failed"
	FAILED=$((FAILED + 1))
fi
tail -n 3 "$LOGDIR/build.log"

section "demo"
if NRUNC_SKIP_BUILD=1 unshare -m --propagation private ./build.sh demo >"$LOGDIR/demo.log" 2>&1 && grep -q 'hello from nrunc' "$LOGDIR/demo.log"; then
	PASSED=$((PASSED + 1)); echo "  -> demo ok"
else
	tail -n 20 "$LOGDIR/demo.log"; FAILED=$((FAILED + 1)); echo "  -> demo failed"
fi

section "unit tests"
for unit_proj in tests/unit/NRunc.Tests tests/unit/NRunc.Shim.Tests; do
	[ -d "$unit_proj" ] || continue
	dotnet test "$unit_proj" -nologo --logger "console;verbosity=minimal" >"$LOGDIR/unit.log" 2>&1
	unit_rc=$?
	# "Passed!  - Failed:     0, Passed:    42, Skipped:     1, Total:    43" (vstest) or
	# "Test summary: total: 43, failed: 0, succeeded: 42, skipped: 1" (newer SDKs)
	line=$(grep -E '(Failed:|failed:).*(Passed:|succeeded:)' "$LOGDIR/unit.log" | tail -n1)
	if [ -n "$line" ]; then
		up=$(echo "$line" | grep -oE '(Passed|succeeded): *[0-9]+' | grep -oE '[0-9]+')
		uf=$(echo "$line" | grep -oE '(Failed|failed): *[0-9]+' | grep -oE '[0-9]+')
		us=$(echo "$line" | grep -oE '(Skipped|skipped): *[0-9]+' | grep -oE '[0-9]+' || echo 0)
		PASSED=$((PASSED + ${up:-0})) FAILED=$((FAILED + ${uf:-0})) SKIPPED=$((SKIPPED + ${us:-0}))
		echo "  -> $line"
		if [ "$unit_rc" -ne 0 ] && [ "${uf:-0}" -eq 0 ]; then FAILED=$((FAILED + 1)); echo "  -> dotnet test exited $unit_rc"; fi
	else
		tail -n 30 "$LOGDIR/unit.log"
		echo "  -> no test summary (build failure?)"
		FAILED=$((FAILED + 1))
	fi
	grep -E '^\s+Failed ' "$LOGDIR/unit.log" | head -20
done

section "integration (RUNTIME=$RUNTIME)"
RESULTS="$LOGDIR/integration" tests/integration/run.sh
count_tap "$LOGDIR"/integration/*.tap

section "engines: docker, containerd, podman (RUNTIME=$RUNTIME)"
RESULTS="$LOGDIR/engines" tests/engines/run.sh
count_tap "$LOGDIR"/engines/*.tap

section "reliability (RUNTIME=$RUNTIME)"
RESULTS="$LOGDIR/reliability" tests/reliability/run.sh
count_tap "$LOGDIR"/reliability/*.tap

section "cgroup v2 in a qemu guest (RUNTIME=$RUNTIME)"
# tests/vm: driver tests and tests/vm/cgroup2.bats in a cgroup-v2-only guest (one boot, a few minutes under TCG)
RUNTIMES="$RUNTIME" timeout 2400 tests/vm/run-cgroup2-tests.sh >"$LOGDIR/cgroup2-vm.log" 2>&1
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$LOGDIR/cgroup2-vm.log" | tail -n1)
if [ -n "$line" ]; then
	read -r vp _ vf _ vs _ <<<"$line"
	PASSED=$((PASSED + vp)) FAILED=$((FAILED + vf)) SKIPPED=$((SKIPPED + vs))
	echo "  -> $line"
else
	tail -n 20 "$LOGDIR/cgroup2-vm.log"; FAILED=$((FAILED + 1)); echo "  -> no result from the guest"
fi
grep -E '^(FAIL|not ok)' "$LOGDIR/cgroup2-vm.log" | head -20

section "oci-validation (RUNTIME=$RUNTIME)"
if [ -x tests/oci-validation/run.sh ]; then
	unshare -m --propagation private tests/oci-validation/run.sh >"$LOGDIR/oci-validation.tap" 2>"$LOGDIR/oci-validation.err"
	grep -E '^not ok' "$LOGDIR/oci-validation.tap" | head -30
	count_tap "$LOGDIR/oci-validation.tap"
	# every spec statement mapped, every case id named in the map present in this run
	if tests/oci-validation/statements.sh "$LOGDIR/oci-validation.tap" >"$LOGDIR/statements.log" 2>&1; then
		PASSED=$((PASSED + 1)); echo "  -> $(head -n1 "$LOGDIR/statements.log")"
	else
		cat "$LOGDIR/statements.log"; FAILED=$((FAILED + 1))
	fi
fi

section "cri: pods through containerd's CRI plugin (handlers runc, nrunc = $RUNTIME, nrunc-shim)"
# builds its client (tests/cri/CriTest), starts and removes a private containerd; pod start times as comments
timeout -k 60 1500 tests/cri/run.sh >"$LOGDIR/cri.tap" 2>"$LOGDIR/cri.err"
cri_rc=$?
grep -E '^not ok|^# pod start' "$LOGDIR/cri.tap" | head -30
count_tap "$LOGDIR/cri.tap"
if [ "$cri_rc" -ne 0 ] && ! grep -q '^not ok' "$LOGDIR/cri.tap"; then
	FAILED=$((FAILED + 1)); echo "  -> tests/cri/run.sh exited $cri_rc"; tail -n 20 "$LOGDIR/cri.err"
fi

section "bench (quick)"
if [ -x bench/run.sh ]; then
	if timeout 300 bench/run.sh --quick >"$LOGDIR/bench.log" 2>&1; then
		PASSED=$((PASSED + 1)); tail -n 25 "$LOGDIR/bench.log"
	else
		tail -n 25 "$LOGDIR/bench.log"; FAILED=$((FAILED + 1)); echo "  -> bench failed"
	fi
fi

section "done in $(($(date +%s) - T0))s; logs in $LOGDIR"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
