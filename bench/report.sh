# Report of bench/run.sh: sourced, reads the samples in $WORK and writes bench/results/<date>.md and .json.
# Samples: $WORK/s.KEY.RUNTIME (microseconds, one per line, in iteration order: paired by line number).

# quantile Q: the Q-quantile (0..1) of the numbers on stdin, nearest rank.
quantile() { sort -n | awk -v q="$1" '{a[NR]=$1} END {if (NR == 0) print ""; else {i = int(q * (NR - 1) + 0.5) + 1; print a[i]}}'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { [ -z "$1" ] && echo "-" || awk -v v="$1" 'BEGIN {printf (v >= 100000 ? "%.0f" : "%.1f"), v/1000}'; }

# cell KEY RUNTIME: "median (p25-p75)" in ms
cell() {
	local f="$WORK/s.$1.$2"
	[ -s "$f" ] || { echo "-"; return; }
	echo "$(ms "$(median <"$f")") ($(ms "$(quantile 0.25 <"$f")")–$(ms "$(quantile 0.75 <"$f")"))"
}

# ratio KEY A B: median of the paired ratios A/B
ratio() {
	local v
	[ -s "$WORK/s.$1.$2" ] && [ -s "$WORK/s.$1.$3" ] || { echo "-"; return; }
	v=$(paste "$WORK/s.$1.$2" "$WORK/s.$1.$3" | awk '$1 != "" && $2 > 0 {print $1/$2}' | median)
	[ -n "$v" ] && awk -v v="$v" 'BEGIN {printf "%.2f", v}' || echo "-"
}

# target KEY: the issue's goal for nrunc/crun
target() { case "$1" in run | create | exec | state) echo 0.90 ;; *) echo 1.00 ;; esac; }

# profile_table KIND: medians of each phase of the "KIND timing:" lines
profile_table() {
	grep "^$1 timing: " "$WORK/profile.lines" 2>/dev/null | sed "s/^$1 timing: //" | tr ',' '\n' |
		awk '{gsub(/ms$/, "", $2); if ($1 != "") {n[$1]++; v[$1, n[$1]] = $2; if (!($1 in seen)) {seen[$1] = ++k; order[k] = $1}}}
			END {for (i = 1; i <= k; i++) {p = order[i]; c = n[p]; for (a = 1; a <= c; a++) x[a] = v[p, a];
				for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (x[b] + 0 < x[a] + 0) {t = x[a]; x[a] = x[b]; x[b] = t}
				m = (c % 2) ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2; printf "| %s | %.2f |\n", p, m}}'
}

# json_fields RUNTIME samples|median|rss: the "key": value pairs of one JSON object of the report
json_fields() {
	local r=$1 k sep=""
	if [ "$2" = rss ]; then
		for k in $RSS_KEYS; do printf '%s"%s": %s' "$sep" "$k" "$(cat "$WORK/rss.$k.$r" 2>/dev/null || echo null)"; sep=", "; done
		return
	fi
	for k in $KEYS; do
		[ -s "$WORK/s.$k.$r" ] || continue
		if [ "$2" = samples ]; then printf '%s"%s": [%s]' "$sep" "$k" "$(paste -sd, "$WORK/s.$k.$r")"
		else printf '%s"%s": %s' "$sep" "$k" "$(median <"$WORK/s.$k.$r")"; fi
		sep=", "
	done
}

write_report() {
	local k r DATE MD JS has_crun=0 has_runc=0
	KEYS="run run_seccomp create $CGSTEP_KEYS start state ps events_stats pause resume update kill delete exec seq_$SEQ par_8"
	for n in $LISTS; do KEYS="$KEYS list_$n"; done
	KEYS="$KEYS $ENGINE_KEYS"
	[[ " ${RTS[*]} " == *" crun "* ]] && has_crun=1
	[[ " ${RTS[*]} " == *" runc "* ]] && has_runc=1
	DATE=$(date -u +%Y-%m-%dT%H%M%SZ)
	mkdir -p "$HERE/results"
	MD="$HERE/results/$DATE.md"
	JS="$HERE/results/$DATE.json"
	{
		echo "# nrunc bench $DATE"
		echo
		echo "Linux $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;" \
			"$ITER iterations$([ "$QUICK" = 1 ] && echo ' (quick mode)'), paired and interleaved."
		echo "Cells: median (p25–p75) in ms; ratios are medians of per-iteration ratios; target = the goal for nrunc/crun."
		echo
		for r in "${RTS[@]}"; do echo "- $r: ${BIN[$r]} ($("${BIN[$r]}" --version 2>/dev/null | head -n1))"; done
		echo
		printf '| operation |'; for r in "${RTS[@]}"; do printf ' %s |' "$r"; done
		[ $has_crun = 1 ] && printf ' nrunc/crun | target |'
		[ $has_runc = 1 ] && printf ' nrunc/runc |'
		echo
		printf '| --- |'; for r in "${RTS[@]}"; do printf ' ---: |'; done
		[ $has_crun = 1 ] && printf ' ---: | ---: |'
		[ $has_runc = 1 ] && printf ' ---: |'
		echo
		for k in $KEYS; do
			ls "$WORK"/s."$k".* >/dev/null 2>&1 || continue
			printf '| %s |' "$k"
			for r in "${RTS[@]}"; do printf ' %s |' "$(cell "$k" "$r")"; done
			if [ $has_crun = 1 ]; then
				local q; q=$(ratio "$k" nrunc crun)
				local tg; tg=$(target "$k")
				printf ' %s | %s%s |' "$q" "$tg" "$([ "$q" != - ] && awk -v q="$q" -v t="$tg" 'BEGIN {exit !(q > t)}' && echo ' (missed)')"
			fi
			[ $has_runc = 1 ] && printf ' %s |' "$(ratio "$k" nrunc runc)"
			echo
		done
		echo
		echo "Rows: \`run\` = whole run cycle of /bin/true (create, start, wait, delete), \`run_seccomp\` with Docker's default"
		echo "profile; create ... delete on a \`sleep\` container; \`exec\` /bin/true into a running one; \`seq_$SEQ\` = $SEQ"
		echo "sequential runs (one sample = the block); \`par_8\` = 8 runs started at once (wall time until all end);"
		echo "\`list_N\` = \`list\` with N created containers; \`cgroup_step\` / \`cgroup_join\` = time create spends in syscalls"
		echo "on the container's cgroupfs dirs / in its joins (under strace). Engine rows (if any) are described in bench/README.md."
		echo
		echo "Peak RSS (MiB, maximum resident set size of one call):"
		echo
		printf '| call |'; for r in "${RTS[@]}"; do printf ' %s |' "$r"; done; echo
		printf '| --- |'; for r in "${RTS[@]}"; do printf ' ---: |'; done; echo
		for k in $RSS_KEYS; do
			printf '| %s |' "$k"
			for r in "${RTS[@]}"; do
				v=$(cat "$WORK/rss.$k.$r" 2>/dev/null)
				printf ' %s |' "$([ -n "$v" ] && awk -v v="$v" 'BEGIN {printf "%.1f", v/1024}' || echo -)"
			done
			echo
		done
		if [ -s "$WORK/shim.rss" ]; then
			echo
			echo "Shim RSS (MiB per shim process, containerd with N running containers):"
			echo
			echo "| shim | containers | mean RSS | total RSS |"
			echo "| --- | ---: | ---: | ---: |"
			cat "$WORK/shim.rss"
		fi
		echo
		echo "Binary sizes (bytes):"
		echo
		for r in "${RTS[@]}"; do echo "- $r: $(stat -L -c %s "${BIN[$r]}")"; done
		[ -x "${NRUNC_SHIM:-$REPO/out/containerd-shim-nrunc-v2}" ] && echo "- containerd-shim-nrunc-v2: $(stat -L -c %s "${NRUNC_SHIM:-$REPO/out/containerd-shim-nrunc-v2}")"
		[ -x /usr/bin/containerd-shim-runc-v2 ] && echo "- containerd-shim-runc-v2: $(stat -L -c %s /usr/bin/containerd-shim-runc-v2)"
		if [ "$PROFILE" = 1 ] && [ -s "$WORK/profile.lines" ]; then
			echo
			echo "Where nrunc create spends its time (medians of its \`--debug\` timing lines, ms). The parent's phases:"
			echo
			echo "| phase | ms |"
			echo "| --- | ---: |"
			profile_table create
			echo
			echo "Inside init (\`start\` = from the clone to init's entry: stage-1 syscalls, exec of the protected binary, runtime start;"
			echo "it overlaps the parent's \`cgroup-apply\`):"
			echo
			echo "| phase | ms |"
			echo "| --- | ---: |"
			profile_table init
		fi
		if [ -s "$ERRORS" ]; then
			echo
			echo "Errors ($(wc -l <"$ERRORS")):"
			echo
			sed -E 's/[0-9]+/N/g' "$ERRORS" | sort | uniq -c | sort -rn | head -n 20 | sed 's/^/    /'
		fi
	} >"$MD"
	# JSON: raw samples (microseconds), medians, rss, sizes
	{
		echo "{\"date\": \"$DATE\", \"iterations\": $ITER, \"quick\": $([ "$QUICK" = 1 ] && echo true || echo false),"
		echo "\"machine\": {\"kernel\": \"$(uname -r)\", \"cpus\": $(nproc)}, \"runtimes\": {"
		local first=1
		for r in "${RTS[@]}"; do
			[ $first = 1 ] || echo ","
			first=0
			printf '"%s": {"path": "%s", "size": %s, ' "$r" "${BIN[$r]}" "$(stat -L -c %s "${BIN[$r]}")"
			printf '"samples_us": {%s}, ' "$(json_fields "$r" samples)"
			printf '"median_us": {%s}, ' "$(json_fields "$r" median)"
			printf '"peak_rss_kib": {%s}' "$(json_fields "$r" rss)"
			printf '}'
		done
		echo "}, \"errors\": $(jq -R . "$ERRORS" | jq -s .)}"
	} | jq . >"$JS"
	cat "$MD"
	echo
	echo "bench: wrote $MD and $JS" >&2
}
