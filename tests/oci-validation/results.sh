#!/usr/bin/env bash
# Runs run.sh against nrunc, runc and crun (each in a private mount namespace) and writes RESULTS.md: one row per
# case with ok / FAIL / skip for each runtime, then every case where they differ, explained from differences.tsv
# (case id <TAB> why). TAP files go to results/. Needs root, runc and crun.
#   tests/oci-validation/results.sh [--table]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
mkdir -p "$HERE/results"
declare -A BIN=([nrunc]="$REPO/out/nrunc" [runc]=/usr/sbin/runc [crun]=/usr/bin/crun)
NAMES=(nrunc runc crun)
for r in "${NAMES[@]}"; do
	[ "${1:-}" = --table ] && break   # only rebuild RESULTS.md from the TAP files in results/
	echo "results.sh: $r"
	RUNTIME="${BIN[$r]}" unshare -m --propagation private "$HERE/run.sh" >"$HERE/results/$r.tap" 2>"$HERE/results/$r.err"
	tail -n1 "$HERE/results/$r.tap"
done

# result FILE: "N<TAB>verdict<TAB>description" per case
result() {
	awk '/^(not )?ok [0-9]+ - / {
		v = ($1 == "not") ? "FAIL" : (index($0, "# SKIP") ? "skip" : "ok")
		d = $0; sub(/^(not )?ok [0-9]+ - /, "", d); sub(/ # SKIP.*/, "", d); gsub(/\|/, "\\|", d)
		n = ($1 == "not") ? $3 : $2
		print n "\t" v "\t" d
	}' "$1"
}
join3=$(paste <(result "$HERE/results/nrunc.tap") <(result "$HERE/results/runc.tap" | cut -f2) <(result "$HERE/results/crun.tap" | cut -f2))
why() { awk -F'\t' -v id="$1" '$1 == id { print $2; exit }' "$HERE/differences.tsv"; }
summary() { tail -n1 "$HERE/results/$1.tap" | sed 's/^# //'; }
version() { "${BIN[$1]}" --version 2>/dev/null | head -n1; }
{
	echo "# oci-validation results: nrunc, runc, crun"
	echo
	echo "Produced by \`tests/oci-validation/results.sh\` ($(date -u +%Y-%m-%d), $(uname -r), cgroup v1 hybrid), which runs"
	echo "\`tests/oci-validation/run.sh\` once per runtime. Statements behind the case ids: [STATEMENTS.md](STATEMENTS.md)."
	echo
	echo "| runtime | version | result |"
	echo "| --- | --- | --- |"
	for r in "${NAMES[@]}"; do echo "| $r | $(version "$r") | $(summary "$r") |"; done
	echo
	echo "## Failures and differences (every case some runtime fails or where they disagree)"
	echo
	echo "| # | case | nrunc | runc | crun | why |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "$join3" | awk -F'\t' '!($2 == $4 && $4 == $5 && $2 != "FAIL")' | while IFS=$'\t' read -r n a d b c; do
		id=$(echo "$d" | sed -n 's/^\[\([^]]*\)\].*/\1/p')
		echo "| $n | $d | $a | $b | $c | $(why "$id") |"
	done
	echo
	echo "## Every case"
	echo
	echo "| # | case | nrunc | runc | crun |"
	echo "| --- | --- | --- | --- | --- |"
	echo "$join3" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $3, $2, $4, $5 }'
} >"$HERE/RESULTS.md"
echo "results.sh: wrote $HERE/RESULTS.md"
