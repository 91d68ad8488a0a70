#!/bin/bash
# Checks of node object1 in cloud "guide-train" (what `ostopo verify` runs), from the install guide.
# Each prints PASS or FAIL with its output; the exit status is the number of failures.
fails=0
ostopo_check() { # title, expect regex, reject regex; command on stdin
  local out rc=0; out=$(bash 2>&1) || rc=$?
  if [ $rc -eq 0 ] && { [ -z "$2" ] || grep -Eq -- "$2" <<<"$out"; } && { [ -z "$3" ] || ! grep -Eq -- "$3" <<<"$out"; }; then
    echo "PASS $1"; else echo "FAIL $1 (exit $rc)"; fails=$((fails+1)); fi
  sed "s/^/    /" <<<"$out"
}

ostopo_check 'chronyc sources' '^\^' '' <<'OSTOPO_CHECK'
chronyc sources
OSTOPO_CHECK

exit $fails
