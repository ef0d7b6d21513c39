#!/usr/bin/env bash
# make-image.sh ROOTFS REF OUT.tar [ENTRYPOINT...]: packs ROOTFS as a one-layer image in the
# docker-archive format that `ctr image import` reads (manifest.json, config, layer.tar).
set -euo pipefail
rootfs=$1 ref=$2 out=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$tmp/layer.tar" .
layer=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
mkdir "$tmp/$layer"
mv "$tmp/layer.tar" "$tmp/$layer/layer.tar"
entry=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
jq -n --arg diff "sha256:$layer" --argjson entry "$entry" '{
	architecture: "amd64", os: "linux",
	config: {Entrypoint: $entry, Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], WorkingDir: "/"},
	rootfs: {type: "layers", diff_ids: [$diff]},
	history: [{created_by: "tests/cri/make-image.sh"}]}' >"$tmp/config.json"
cfg=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
mv "$tmp/config.json" "$tmp/$cfg.json"
jq -n --arg cfg "$cfg.json" --arg ref "$ref" --arg layer "$layer/layer.tar" \
	'[{Config: $cfg, RepoTags: [$ref], Layers: [$layer]}]' >"$tmp/manifest.json"
tar -C "$tmp" -cf "$out" manifest.json "$cfg.json" "$layer"
