#!/bin/bash
# Checks of node controller in cloud "guide-epoxy" (what `ostopo verify` runs), from the install guide.
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

ostopo_check 'chrony running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped chrony); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active chrony
OSTOPO_CHECK

ostopo_check 'chronyc sources on controller' '^\^' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped chrony); then echo "$ostopo_skip"; exit 0; fi
chronyc sources
OSTOPO_CHECK

ostopo_check 'mariadb running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped mariadb); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active mariadb
OSTOPO_CHECK

ostopo_check 'database answers' 'MariaDB|^[0-9]+\.' '' <<'OSTOPO_CHECK'
mysql -N -e 'SELECT VERSION()'
OSTOPO_CHECK

ostopo_check 'rabbitmq-server running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped rabbitmq-server); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active rabbitmq-server
OSTOPO_CHECK

ostopo_check 'rabbitmqctl list_users has openstack' '^openstack[[:space:]]' '' <<'OSTOPO_CHECK'
rabbitmqctl -q list_users </dev/null
OSTOPO_CHECK

ostopo_check 'memcached running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped memcached); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active memcached
OSTOPO_CHECK

ostopo_check 'memcached listens on 10.0.0.11:11211' '10\.0\.0\.11:11211' '' <<'OSTOPO_CHECK'
ss -Hltn 'sport = :11211'
OSTOPO_CHECK

ostopo_check 'etcd running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped etcd); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active etcd
OSTOPO_CHECK

ostopo_check 'etcd answers on 2379' true '' <<'OSTOPO_CHECK'
curl -fsS http://10.0.0.11:2379/health
OSTOPO_CHECK

ostopo_check 'keystone running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped keystone); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active keystone
OSTOPO_CHECK

ostopo_check 'openstack token issue (admin)' '^[0-9]{4}-[0-9]{2}-[0-9]{2}' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack token issue -f value -c expires
OSTOPO_CHECK

ostopo_check 'openstack token issue (demo)' '^[0-9]{4}-[0-9]{2}-[0-9]{2}' '' <<'OSTOPO_CHECK'
. /root/demo-openrc
openstack token issue -f value -c expires
OSTOPO_CHECK

ostopo_check 'glance-api running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped glance-api); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active glance-api
OSTOPO_CHECK

ostopo_check 'openstack image list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack image list -f value
OSTOPO_CHECK

ostopo_check 'upload an image (active), then delete it' '^active$' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
set -e
name=ostopo-verify-image-$$
img=$(mktemp)
trap 'openstack image delete "$name" >/dev/null 2>&1 || true; rm -f "$img"' EXIT
if command -v qemu-img >/dev/null; then qemu-img create -q -f qcow2 "$img" 64M; fmt=qcow2; else head -c 1048576 /dev/zero > "$img"; fmt=raw; fi
openstack image create "$name" --file "$img" --disk-format "$fmt" --container-format bare -f value -c id >/dev/null
for i in $(seq 1 60); do s=$(openstack image show "$name" -f value -c status); [ "$s" = active ] && break; sleep 1; done
echo "$s"
OSTOPO_CHECK

ostopo_check 'placement-api running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped placement-api); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active placement-api
OSTOPO_CHECK

ostopo_check 'placement-status upgrade check' Success 'Result: Failure' <<'OSTOPO_CHECK'
placement-status upgrade check
OSTOPO_CHECK

ostopo_check 'nova-api, nova-api-metadata, nova-scheduler, nova-conductor, nova-novncproxy running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped nova-api nova-api-metadata nova-scheduler nova-conductor nova-novncproxy); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active nova-api nova-api-metadata nova-scheduler nova-conductor nova-novncproxy
OSTOPO_CHECK

ostopo_check 'noVNC console page http://10.0.0.11:6080/vnc_auto.html' '^200$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped nova-novncproxy); then echo "$ostopo_skip"; exit 0; fi
curl -sS -o /dev/null -w '%{http_code}\n' http://10.0.0.11:6080/vnc_auto.html
OSTOPO_CHECK

ostopo_check 'neutron-api, neutron-rpc-server, openvswitch-switch, neutron-openvswitch-agent, neutron-dhcp-agent, neutron-metadata-agent, neutron-l3-agent running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped neutron-api neutron-rpc-server openvswitch-switch neutron-openvswitch-agent neutron-dhcp-agent neutron-metadata-agent neutron-l3-agent); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active neutron-api neutron-rpc-server openvswitch-switch neutron-openvswitch-agent neutron-dhcp-agent neutron-metadata-agent neutron-l3-agent
OSTOPO_CHECK

ostopo_check 'openstack extension list --network' '^port-security$' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack extension list --network -f value -c Alias
OSTOPO_CHECK

ostopo_check 'nova-manage cell_v2 list_cells' ' cell1 ' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
su -s /bin/sh -c "nova-manage cell_v2 list_cells" nova
OSTOPO_CHECK

ostopo_check 'openstack compute service list' '' ' down$' <<'OSTOPO_CHECK'
. /root/admin-openrc
out=$(openstack compute service list -f value -c Binary -c Host -c State)
echo "$out"
for want in 'nova-conductor controller up' 'nova-scheduler controller up' 'nova-compute compute1 up'; do
  grep -qxF -- "$want" <<<"$out" || { echo "missing: $want"; exit 1; }
done
OSTOPO_CHECK

ostopo_check 'openstack hypervisor list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
out=$(openstack hypervisor list -f value -c "Hypervisor Hostname" -c State | sed -E 's/^([^. ]+)[^ ]* /\1 /')
echo "$out"
for want in 'compute1 up'; do
  grep -qxF -- "$want" <<<"$out" || { echo "missing: $want"; exit 1; }
done
OSTOPO_CHECK

ostopo_check 'openstack catalog list has identity, image, placement, compute, network' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
out=$(openstack catalog list -f value -c Type)
echo "$out"
for want in identity image placement compute network; do
  grep -qxF -- "$want" <<<"$out" || { echo "missing: $want"; exit 1; }
done
OSTOPO_CHECK

ostopo_check 'nova-status upgrade check' Success 'Result: Failure' <<'OSTOPO_CHECK'
. /root/admin-openrc
nova-status upgrade check
OSTOPO_CHECK

ostopo_check 'launch a test server (image, flavor, server ACTIVE, delete)' '^ACTIVE$' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
export OS_COMPUTE_API_VERSION=2.72
set -e
name=ostopo-verify-$$
img=$(mktemp)
cleanup() { openstack server delete --wait "$name" >/dev/null 2>&1 || true; openstack image delete "$name" >/dev/null 2>&1 || true; openstack flavor delete "$name" >/dev/null 2>&1 || true; rm -f "$img"; }
trap cleanup EXIT
if command -v qemu-img >/dev/null; then qemu-img create -q -f qcow2 "$img" 64M; fmt=qcow2; else head -c 1048576 /dev/zero > "$img"; fmt=raw; fi
openstack image create "$name" --file "$img" --disk-format "$fmt" --container-format bare -f value -c id >/dev/null
openstack flavor create --vcpus 1 --ram 64 --disk 1 "$name" >/dev/null
openstack server create --flavor "$name" --image "$name" --nic none --wait "$name" -f value -c status -c OS-EXT-SRV-ATTR:host
OSTOPO_CHECK

ostopo_check 'openstack network agent list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
out=$(openstack network agent list -f value -c "Agent Type" -c Host -c Alive -c State | sed -E 's/^(.* agent) ([^. ]+)[^ ]* /\1 \2 /')
echo "$out"
for want in 'Open vSwitch agent controller True UP' 'DHCP agent controller True UP' 'Metadata agent controller True UP' 'L3 agent controller True UP' 'Open vSwitch agent compute1 True UP'; do
  grep -qxF -- "$want" <<<"$out" || { echo "missing: $want"; exit 1; }
done
OSTOPO_CHECK

exit $fails
