#!/usr/bin/env bash
# Runs the cgroup v2 tests inside a qemu guest whose kernel has cgroup v2 only (cgroup_no_v1=all), one boot:
#  1. the real-kernel cgroup driver tests (tests/unit/NRunc.Tests/Cgroups/HostV2Tests.cs, DeviceFilterTests.cs),
#     published as one NativeAOT binary (tests/vm/CgroupV2Runner: vstest cannot start under TCG emulation);
#  2. tests/vm/cgroup2.bats and tests/integration/cgroup-resources.bats (every linux.resources field) with out/nrunc,
#     then with runc (RUNTIMES="out/nrunc /usr/sbin/runc" by default), then
#     tests/vm/shim-metrics.bats once (a private containerd: the nrunc shim's v2 Stats next to runc's shim);
#  3. tests/vm/systemd.bats with the same runtimes, with systemd as PID 1 (CGROUP2_VM_INIT=systemd): one boot on cgroup
#     v2 and one on systemd's v1 hybrid layout (CGROUP2_SYSTEMD=0 leaves them out).
# The repository is shared into the guest (tests/vm/cgroup2-vm), so run ./build.sh first. Three boots.
#
#   tests/vm/run-cgroup2-tests.sh          # prints each result and a final "N passed, N failed, N skipped"
#
# TAP files and logs: tests/vm/.work/. Exit status 0 when nothing failed. Needs root (qemu; apt-get and a kernel
# download on first use, cached under /var/cache/cgroup2-vm).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work="$here/.work"
rm -rf "$work"; mkdir -p "$work/tap"
runtimes=${RUNTIMES:-"$repo/out/nrunc /usr/sbin/runc"}

[ -x "$repo/out/nrunc" ] || { echo "run-cgroup2-tests: $repo/out/nrunc missing: run ./build.sh first"; exit 1; }
dotnet publish "$here/CgroupV2Runner" -c Release -o "$work/runner" -v q --nologo >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
rm -f "$work/runner"/*.dbg

# bats needs /dev/fd (process substitution), which the guest's devtmpfs lacks
guest="for f in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do [ -e /dev/\${f%%:*} ] || ln -s \${f#*:} /dev/\${f%%:*}; done
echo \"guest kernel \$(uname -r), cgroup2 controllers: \$(cat /sys/fs/cgroup/cgroup.controllers)\"
$work/runner/nrunc-cgroup-tests >$work/unit.log 2>&1; cat $work/unit.log
for rt in $runtimes; do
  name=\$(basename \$rt)
  # a copy on the guest's tmpfs: executing from the 9p share reads the whole binary every time
  mkdir -p /tmp/rt && cp \$rt /tmp/rt/\$name
  RUNTIME=/tmp/rt/\$name RESULTS=$work/tap/\$name timeout 900 $repo/tests/integration/run.sh $here/cgroup2.bats $repo/tests/integration/cgroup-resources.bats
done
# the shim's v2 metrics under a private containerd, once (it compares the nrunc shim with runc's own shim)
mkdir -p /tmp/rt; [ -x /tmp/rt/nrunc ] || cp $repo/out/nrunc /tmp/rt/nrunc
RUNTIME=/tmp/rt/nrunc RESULTS=$work/tap/shim timeout 600 $repo/tests/integration/run.sh $here/shim-metrics.bats"
"$here/cgroup2-vm" -m 1024 -t 1500 "$repo" "$guest" | tee "$work/guest.log"
vm_rc=${PIPESTATUS[0]}

# 3. the systemd driver against a real systemd as PID 1 (CGROUP2_VM_INIT=systemd): a boot with cgroup v2 and one with
#    systemd's v1 hybrid layout (the layout of the project's hosts, where PID 1 is not systemd). CGROUP2_SYSTEMD=0 skips.
systemd_suite() { # $1: layout (v2 or v1)
	guest="for rt in $runtimes; do
  name=\$(basename \$rt)
  mkdir -p /tmp/rt && cp \$rt /tmp/rt/\$name
  RUNTIME=/tmp/rt/\$name RESULTS=$work/tap-systemd-$1/\$name timeout 600 $repo/tests/integration/run.sh $here/systemd.bats
done"
	echo "== systemd driver, cgroup $1 =="
	CGROUP2_VM_INIT=systemd CGROUP2_VM_CGROUP=$1 "$here/cgroup2-vm" -m 1024 -t 1500 "$repo" "$guest" | tee -a "$work/guest.log"
}
if [ "${CGROUP2_SYSTEMD:-1}" = 1 ]; then systemd_suite v2; systemd_suite v1; fi

# totals: the runner's summary line plus every TAP file
p=0 f=0 s=0
if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$work/unit.log" 2>/dev/null | tail -1) && [ -n "$line" ]; then
	read -r up _ uf _ us _ <<<"$line"; p=$((p + up)) f=$((f + uf)) s=$((s + us))
else
	echo "run-cgroup2-tests: no summary from the unit runner (guest exit $vm_rc)"; f=$((f + 1))
fi
taps=$(for rt in $runtimes; do
	echo "$work/tap/$(basename "$rt")/cgroup2.tap"
	echo "$work/tap/$(basename "$rt")/cgroup-resources.tap"
	[ "${CGROUP2_SYSTEMD:-1}" = 1 ] && for l in v2 v1; do echo "$work/tap-systemd-$l/$(basename "$rt")/systemd.tap"; done
done)
taps="$taps $work/tap/shim/shim-metrics.tap"
for t in $taps; do
	if [ ! -f "$t" ]; then echo "run-cgroup2-tests: no results in $t"; f=$((f + 1)); continue; fi
	p=$((p + $(grep -E '^ok ' "$t" | grep -vc '# skip'))) s=$((s + $(grep -Ec '^ok .*# skip' "$t"))) f=$((f + $(grep -Ec '^not ok ' "$t")))
done
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
