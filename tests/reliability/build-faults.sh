#!/usr/bin/env bash
# Builds the test flavour of nrunc with crash-injection points (NRUNC_FAULT=NAME, see
# src/NRunc.Container/Diagnostics/FaultPoint.cs) into out/test/nrunc. Configuration "Faults" has its own
# obj/ and bin/ dirs, so it never mixes with the shipped Release build in out/.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p out/test
dotnet publish src/Runc -c Faults -r linux-x64 -nologo -v quiet "-p:SourceRevisionId=$rev" -o out/test
rm -f out/test/*.dbg
ls -l out/test/nrunc >&2
