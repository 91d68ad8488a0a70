#!/bin/bash
# Checks of node controller in cloud "guide-zed" (what `ostopo verify` runs), from the install guide.
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

ostopo_check 'database answers' 'MariaDB|^[0-9]+\.' '' <<'OSTOPO_CHECK'
mysql -N -e 'SELECT VERSION()'
OSTOPO_CHECK

ostopo_check 'rabbitmqctl list_users has openstack' '^openstack[[:space:]]' '' <<'OSTOPO_CHECK'
rabbitmqctl -q list_users </dev/null
OSTOPO_CHECK

ostopo_check 'memcached listens on 11211' :11211 '' <<'OSTOPO_CHECK'
ss -Hltn 'sport = :11211'
OSTOPO_CHECK

ostopo_check 'etcd answers on 2379' true '' <<'OSTOPO_CHECK'
curl -fsS http://10.0.0.11:2379/health
OSTOPO_CHECK

ostopo_check 'openstack token issue (admin)' '^[0-9]{4}-[0-9]{2}-[0-9]{2}' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack token issue -f value -c expires
OSTOPO_CHECK

ostopo_check 'openstack token issue (demo)' '^[0-9]{4}-[0-9]{2}-[0-9]{2}' '' <<'OSTOPO_CHECK'
. /root/demo-openrc
openstack token issue -f value -c expires
OSTOPO_CHECK

ostopo_check 'openstack image list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack image list -f value
OSTOPO_CHECK

ostopo_check 'placement-status upgrade check' Success 'Result: Failure' <<'OSTOPO_CHECK'
placement-status upgrade check
OSTOPO_CHECK

ostopo_check 'nova-manage cell_v2 list_cells' ' cell1 ' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
su -s /bin/sh -c "nova-manage cell_v2 list_cells" nova
OSTOPO_CHECK

ostopo_check 'openstack compute service list' 'nova-compute .* up' ' down$' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack compute service list -f value -c Binary -c Host -c State
OSTOPO_CHECK

ostopo_check 'openstack catalog list' compute '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack catalog list -f value -c Name -c Type
OSTOPO_CHECK

ostopo_check 'openstack image list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack image list -f value
OSTOPO_CHECK

ostopo_check 'nova-status upgrade check' Success 'Result: Failure' <<'OSTOPO_CHECK'
. /root/admin-openrc
nova-status upgrade check
OSTOPO_CHECK

exit $fails
