#!/usr/bin/env bash
# Runs the real-kernel cgroup tests (tests/unit/NRunc.Tests/Cgroups/HostV2Tests.cs, HostV1Tests.cs) inside a qemu
# guest whose kernel has cgroup v2 only, so the v2 driver is tested against a real unified hierarchy on this v1
# host. One boot. The tests are published as one NativeAOT binary (tests/vm/CgroupV2Runner): vstest's testhost
# cannot even connect within its 90 s timeout under TCG emulation.
#
#   tests/vm/run-cgroup2-tests.sh          # prints each test and a final "N passed, N failed, N skipped"
#
# Exit status: the runner's (0 when nothing failed). Needs root (qemu; apt-get and a kernel download on first use,
# cached under /var/cache/cgroup2-vm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/nrunc-cgroup2-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet publish "$here/CgroupV2Runner" -c Release -o "$work/out" -v q --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

"$here/cgroup2-vm" -m 1024 -t 300 "$work" \
  "echo \"guest kernel \$(uname -r), cgroup2 controllers: \$(cat /sys/fs/cgroup/cgroup.controllers)\"; $work/out/nrunc-cgroup-tests"
