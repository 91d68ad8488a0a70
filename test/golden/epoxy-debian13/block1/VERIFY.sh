#!/bin/bash
# Checks of node block1 in cloud "guide-epoxy" (what `ostopo verify` runs), from the install guide.
# Each prints PASS, FAIL or SKIP (a unit it needs was skipped by systemd on this node) with its output;
# the exit status is the number of failures.
fails=0
ostopo_check() { # title, expect regex, reject regex; command on stdin
  local out rc=0; out=$(bash 2>&1) || rc=$?
  if [ $rc -eq 0 ] && [[ "$out" == OSTOPO_SKIP\ * ]]; then echo "SKIP $1 (${out#OSTOPO_SKIP })"; return; fi
  if [ $rc -eq 0 ] && { [ -z "$2" ] || grep -Eq -- "$2" <<<"$out"; } && { [ -z "$3" ] || ! grep -Eq -- "$3" <<<"$out"; }; then
    echo "PASS $1"; else echo "FAIL $1 (exit $rc)"; fails=$((fails+1)); fi
  sed "s/^/    /" <<<"$out"
}
# Prints "OSTOPO_SKIP <unit>: <why>" when systemd skipped one of the units for an unmet condition.
ostopo_unit_skipped() { bash -c 'for u in "$@"; do
  [ "$(systemctl show -p ConditionResult --value "$u" 2>/dev/null)" = no ] && ! systemctl is-active --quiet "$u" || continue
  why=$(LC_ALL=C SYSTEMD_COLORS=0 systemctl status "$u" --no-pager -n0 2>/dev/null | sed -n '\''s/^.*[[:space:]]\(\(Condition\|Assert\)[A-Za-z]*=.* was not met\)$/\1/p'\'' | head -n 1)
  [ -n "$why" ] || why=$(journalctl -b -u "$u" -o cat 2>/dev/null | sed -n -e '\''s/.*unmet condition check (\(.*\))\.$/\1 was not met/p'\'' -e '\''s/.*unmet condition check \([A-Za-z]*=[^ ]*\)$/\1 was not met/p'\'' | tail -n 1)
  echo "OSTOPO_SKIP $u: ${why:-a start condition of the unit was not met}"
  exit 0
done
exit 1' ostopo-skip "$@"; }
export -f ostopo_unit_skipped

ostopo_check 'chrony running on block1' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped chrony); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active chrony
OSTOPO_CHECK

ostopo_check 'chronyc sources on block1' '^\^' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped chrony); then echo "$ostopo_skip"; exit 0; fi
chronyc sources
OSTOPO_CHECK

ostopo_check 'ceph-mon@block1 running on block1' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped ceph-mon@block1); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active ceph-mon@block1
OSTOPO_CHECK

ostopo_check 'ceph-mgr@block1 running on block1' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped ceph-mgr@block1); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active ceph-mgr@block1
OSTOPO_CHECK

ostopo_check 'ceph-osd.target running on block1' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped ceph-osd.target); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active ceph-osd.target
OSTOPO_CHECK

ostopo_check 'ceph health' '^HEALTH_OK' '' <<'OSTOPO_CHECK'
for i in $(seq 1 24); do h=$(ceph health detail); case "$h" in HEALTH_OK*) break;; esac; sleep 5; done; echo "$h"; ceph -s
OSTOPO_CHECK

ostopo_check 'ceph osd stat: 1 OSD(s) up and in' '^1 osds: 1 up .*1 in' '' <<'OSTOPO_CHECK'
ceph osd stat
OSTOPO_CHECK

ostopo_check 'cinder-volume running on block1' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped cinder-volume); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active cinder-volume
OSTOPO_CHECK

exit $fails
