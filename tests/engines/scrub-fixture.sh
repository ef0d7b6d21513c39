#!/usr/bin/env bash
# scrub-fixture.sh CONFIG.JSON: prints an engine-generated config.json with the host-specific
# parts made stable: the engine's private state dir ($ENGINE_DIR) becomes /var/lib/engine,
# 64-hex ids become one fixed id, /proc/<pid> paths and the test's cgroup parent suffix are fixed.
set -euo pipefail
id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
sed -E -e "s#${ENGINE_DIR:-/nonexistent}#/var/lib/engine#g" \
	-e "s#[0-9a-f]{64}#$id#g" \
	-e "s#/proc/[0-9]+/#/proc/1/#g" \
	-e "s#(nrunc-engines-[a-z]+)-[0-9]+#\1#g" "$1" | jq -S .
