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

ostopo_check 'openstack --os-cloud admin token issue (clouds.yaml)' '^[0-9]{4}-[0-9]{2}-[0-9]{2}' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
pw=$OS_PASSWORD
for v in $(env | sed -n 's/^\(OS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
OS_PASSWORD=$pw openstack --os-cloud admin token issue -f value -c expires
OSTOPO_CHECK

ostopo_check 'glance-api running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped glance-api); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active glance-api
OSTOPO_CHECK

ostopo_check 'openstack image list' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack image list -f value
OSTOPO_CHECK

ostopo_check 'glance image-list' '^\| ID +\| Name +\|' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
glance image-list
OSTOPO_CHECK

ostopo_check 'upload an image (active, an RBD image in the pool images), then delete it' '^active rbd://[^/]+/images/' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
set -e
name=ostopo-verify-image-$$
img=$(mktemp)
trap 'openstack image delete "$name" >/dev/null 2>&1 || true; rm -f "$img"' EXIT
if command -v qemu-img >/dev/null; then qemu-img create -q -f qcow2 "$img" 64M; fmt=qcow2; else head -c 1048576 /dev/zero > "$img"; fmt=raw; fi
openstack image create "$name" --file "$img" --disk-format "$fmt" --container-format bare -f value -c id >/dev/null
for i in $(seq 1 60); do s=$(openstack image show "$name" -f value -c status); [ "$s" = active ] && break; sleep 1; done
u=$(openstack image show "$name" -f json | grep -o '"rbd://[^"]*' | head -n 1 | tr -d '"') || true
echo "$s ${u:-not in Ceph}"
OSTOPO_CHECK

ostopo_check 'placement-api running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped placement-api); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active placement-api
OSTOPO_CHECK

ostopo_check 'placement-status upgrade check' Success 'Result: Failure' <<'OSTOPO_CHECK'
placement-status upgrade check
OSTOPO_CHECK

ostopo_check 'openstack resource class list (osc-placement)' '^VCPU$' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
openstack --os-placement-api-version 1.2 resource class list --sort-column name -f value -c name
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

ostopo_check 'apache2 running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped apache2); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active apache2
OSTOPO_CHECK

ostopo_check 'the dashboard runs with the rendered settings' '^settings in effect: ' '' <<'OSTOPO_CHECK'
cd / && runuser -u www-data -- env LC_ALL=C PYTHONCOERCECLOCALE=0 PYTHONUTF8=0 DJANGO_SETTINGS_MODULE=openstack_dashboard.settings python3 - /etc/openstack-dashboard/local_settings.d/_9000_ostopo.py <<'PY'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
want = {}
for stmt in tree.body:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        sys.exit('not a setting: line %d' % stmt.lineno)
    try:
        want[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    except ValueError:
        sys.exit('not a literal: line %d' % stmt.lineno)
from django.conf import settings
bad = [n for n in sorted(want) if getattr(settings, n, None) != want[n]]
for n in bad:
    print('%s = %r (rendered: %r)' % (n, getattr(settings, n, None), want[n]))
if bad:
    sys.exit(1)
print('settings in effect: ' + ', '.join(sorted(want)))
PY
OSTOPO_CHECK

ostopo_check 'sign in to the dashboard as admin (http://10.0.0.11/)' '^signed in as ' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
python3 - http://10.0.0.11/ <<'PY' || { rc=$?; echo "the end of /var/log/openstack-dashboard/error.log:"; tail -n 3 /var/log/openstack-dashboard/error.log | cut -c1-400; exit $rc; }
import os, re, sys
try:
    from urllib.request import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request
    from urllib.error import HTTPError
    from urllib.parse import urlencode
    from http.cookiejar import CookieJar
except ImportError:
    from urllib2 import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request, HTTPError
    from urllib import urlencode
    from cookielib import CookieJar
class Stay(HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
root = sys.argv[1]
opener = build_opener(HTTPCookieProcessor(CookieJar()), Stay())
def get(path, data=None):
    """(where the answer points: its Location or the URL itself, HTTP status, body); redirects are not followed."""
    req = Request(root + path, data=data, headers={'Referer': root + 'auth/login/'})
    try:
        res = opener.open(req, timeout=60)
    except HTTPError as e:
        if e.code in (301, 302, 303):
            return e.info().get('Location', ''), e.code, ''
        sys.exit('%s %s%s: HTTP %d %s' % ('POST' if data else 'GET', root, path, e.code, e.reason))
    return res.geturl(), res.getcode(), res.read().decode('utf-8', 'replace')
where, code, page = get('auth/login/')
form = {}
for tag in re.findall(r'<input[^>]*>', page):
    name = re.search(r'name="([^"]*)"', tag)
    value = re.search(r'value="([^"]*)"', tag)
    if name:
        form[name.group(1)] = value.group(1) if value else ''
if 'csrfmiddlewaretoken' not in form:
    sys.exit('no CSRF token on the login page %s (HTTP %d)' % (where, code))
user = os.environ['OS_USERNAME']
form.update({'domain': os.environ.get('OS_USER_DOMAIN_NAME', 'Default'), 'username': user, 'password': os.environ['OS_PASSWORD']})
where, code, page = get('auth/login/', urlencode(form).encode())
if code not in (302, 303) or '/auth/login' in where:
    err = re.search(r'class="alert[^"]*"[^>]*>(.*?)</', page, re.S)
    sys.exit('the login was refused: %s' % (err.group(1).strip() if err else 'the login page again'))
where, code, page = get('project/instances/')
if code != 200:
    sys.exit('the instances page sent back to %s (HTTP %d)' % (where, code))
if user not in page:
    sys.exit('the instances page does not show the user %s' % user)
get('auth/logout/')
print('signed in as %s: %s HTTP %d, %d bytes, the user menu shows %s' % (user, where, code, len(page), user))
PY
OSTOPO_CHECK

ostopo_check 'sign in to the dashboard as myuser (http://10.0.0.11/)' '^signed in as ' '' <<'OSTOPO_CHECK'
. /root/demo-openrc
python3 - http://10.0.0.11/ <<'PY' || { rc=$?; echo "the end of /var/log/openstack-dashboard/error.log:"; tail -n 3 /var/log/openstack-dashboard/error.log | cut -c1-400; exit $rc; }
import os, re, sys
try:
    from urllib.request import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request
    from urllib.error import HTTPError
    from urllib.parse import urlencode
    from http.cookiejar import CookieJar
except ImportError:
    from urllib2 import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request, HTTPError
    from urllib import urlencode
    from cookielib import CookieJar
class Stay(HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
root = sys.argv[1]
opener = build_opener(HTTPCookieProcessor(CookieJar()), Stay())
def get(path, data=None):
    """(where the answer points: its Location or the URL itself, HTTP status, body); redirects are not followed."""
    req = Request(root + path, data=data, headers={'Referer': root + 'auth/login/'})
    try:
        res = opener.open(req, timeout=60)
    except HTTPError as e:
        if e.code in (301, 302, 303):
            return e.info().get('Location', ''), e.code, ''
        sys.exit('%s %s%s: HTTP %d %s' % ('POST' if data else 'GET', root, path, e.code, e.reason))
    return res.geturl(), res.getcode(), res.read().decode('utf-8', 'replace')
where, code, page = get('auth/login/')
form = {}
for tag in re.findall(r'<input[^>]*>', page):
    name = re.search(r'name="([^"]*)"', tag)
    value = re.search(r'value="([^"]*)"', tag)
    if name:
        form[name.group(1)] = value.group(1) if value else ''
if 'csrfmiddlewaretoken' not in form:
    sys.exit('no CSRF token on the login page %s (HTTP %d)' % (where, code))
user = os.environ['OS_USERNAME']
form.update({'domain': os.environ.get('OS_USER_DOMAIN_NAME', 'Default'), 'username': user, 'password': os.environ['OS_PASSWORD']})
where, code, page = get('auth/login/', urlencode(form).encode())
if code not in (302, 303) or '/auth/login' in where:
    err = re.search(r'class="alert[^"]*"[^>]*>(.*?)</', page, re.S)
    sys.exit('the login was refused: %s' % (err.group(1).strip() if err else 'the login page again'))
where, code, page = get('project/instances/')
if code != 200:
    sys.exit('the instances page sent back to %s (HTTP %d)' % (where, code))
if user not in page:
    sys.exit('the instances page does not show the user %s' % user)
get('auth/logout/')
print('signed in as %s: %s HTTP %d, %d bytes, the user menu shows %s' % (user, where, code, len(page), user))
PY
OSTOPO_CHECK

ostopo_check 'cinder-api, cinder-scheduler running on controller' '^active$' '' <<'OSTOPO_CHECK'
if ostopo_skip=$(ostopo_unit_skipped cinder-api cinder-scheduler); then echo "$ostopo_skip"; exit 0; fi
systemctl is-active cinder-api cinder-scheduler
OSTOPO_CHECK

ostopo_check 'openstack volume service list' '' ' down$' <<'OSTOPO_CHECK'
. /root/admin-openrc
until_s=$((SECONDS + 90))
while :; do
  out=$(openstack volume service list -f value -c Binary -c Host -c State); missing=''
  for want in 'cinder-scheduler controller up' 'cinder-volume block1@ceph up'; do grep -qxF -- "$want" <<<"$out" || missing+="missing: $want"$'\n'; done
  [ -z "$missing" ] && { echo "$out"; exit 0; }
  [ "$SECONDS" -ge "$until_s" ] && { echo "$out"; printf '%s' "$missing"; exit 1; }
  sleep 5
done
OSTOPO_CHECK

ostopo_check 'create a 1 GB volume (available on Ceph RBD), then delete it' '^available$' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
set -e
name=ostopo-verify-volume-$$
trap 'openstack volume delete "$name" >/dev/null 2>&1 || true' EXIT
openstack volume create --size 1 "$name" -f value -c id >/dev/null
for i in $(seq 1 60); do s=$(openstack volume show "$name" -f value -c status); case "$s" in available | error) break ;; esac; sleep 2; done
echo "$s"
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

ostopo_check 'openstack catalog list has identity, image, placement, compute, network, volumev3' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
out=$(openstack catalog list -f value -c Type)
echo "$out"
for want in identity image placement compute network volumev3; do
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
until_s=$((SECONDS + 180))
while :; do
  out=$(openstack network agent list -f value -c "Agent Type" -c Host -c Alive -c State | sed -E 's/^(.* agent) ([^. ]+)[^ ]* /\1 \2 /'); missing=''
  for want in 'Open vSwitch agent controller True True' 'DHCP agent controller True True' 'Metadata agent controller True True' 'L3 agent controller True True' 'Open vSwitch agent compute1 True True'; do grep -qxF -- "$want" <<<"$out" || missing+="missing: $want"$'\n'; done
  [ -z "$missing" ] && { echo "$out"; exit 0; }
  [ "$SECONDS" -ge "$until_s" ] && { echo "$out"; printf '%s' "$missing"; exit 1; }
  sleep 5
done
OSTOPO_CHECK

ostopo_check 'launch an instance (the guide'\''s "Launch an instance")' '' '' <<'OSTOPO_CHECK'
. /root/admin-openrc
export OS_COMPUTE_API_VERSION=2.72
name=ostopo-verify-$$
stage=0 t0=$(date +%s)
say() { echo "OSTOPO-STAGE $stage $1 $2" >&2; }
pass() { say PASS "$* ($(( $(date +%s) - t0 )) s)"; t0=$(date +%s); }
skip() { say SKIP "$*"; }
fail() { say FAIL "$*"; exit 1; }
# Runs a command; its output is the value; on failure the stage fails with the last lines of its output and errors.
try() { local o e r=0; e=$(mktemp); o=$("$@" 2>"$e") || r=$?; if [ $r -ne 0 ]; then o=$(printf "%s\n%s" "$o" "$(cat "$e")"); rm -f "$e"; fail "$1 ${2:-}: $(tail -n 4 <<<"$o" | tr "\n" " ")"; fi; rm -f "$e"; printf "%s" "$o"; }
made_provider=
hosts=(compute1)
fips=() vols=()
cleanup() {
  openstack server delete --wait "${hosts[@]/#/$name-}" >/dev/null 2>&1
  for v in "${vols[@]}"; do for i in $(seq 1 20); do openstack volume delete "$v" >/dev/null 2>&1 && break; sleep 3; done; done
  for f in "${fips[@]}"; do openstack floating ip delete "$f" >/dev/null 2>&1; done
  if [ -n "${router:-}" ]; then openstack router unset --external-gateway "$name" >/dev/null 2>&1; openstack router remove subnet "$name" "$name-selfservice" >/dev/null 2>&1; openstack router delete "$name" >/dev/null 2>&1; fi
  openstack network delete "$name-selfservice" >/dev/null 2>&1
  [ -n "$made_provider" ] && openstack network delete "$made_provider" >/dev/null 2>&1
  openstack security group delete "$name" >/dev/null 2>&1
  openstack keypair delete "$name" >/dev/null 2>&1
  openstack flavor delete "$name" >/dev/null 2>&1
  for i in "$name" "$name-kernel" "$name-ramdisk"; do openstack image delete "$i" >/dev/null 2>&1; done
  true
}
trap cleanup EXIT

stage=1
nets=$(openstack network list --external --provider-physical-network provider -f value -c ID -c Subnets 2>/dev/null)
ext=$(awk '$2 != "" && $2 != "[]" { print $1; exit }' <<<"$nets") bare=$(awk '$1 != "" && ($2 == "" || $2 == "[]") { print $1; exit }' <<<"$nets")
[ -z "$ext" ] && [ -n "$bare" ] && fail "external network $bare of physical network provider has no subnet: floating IPs need one (give it a subnet, or delete it)"
if [ -n "$ext" ]; then
  pass "uses the external network $ext of physical network provider"
else
  ext=$(try openstack network create --share --external --provider-physical-network provider --provider-network-type flat "$name-provider" -f value -c id) || exit 1
  made_provider=$ext
  try openstack subnet create --network "$ext" --allocation-pool start=203.0.113.101,end=203.0.113.250 --dns-nameserver 8.8.4.4 --gateway 203.0.113.1 --subnet-range 203.0.113.0/24 "$name-provider" -f value -c id >/dev/null || exit 1
  pass "created $name-provider (flat, provider) with subnet 203.0.113.0/24"
fi

stage=2
net=$(try openstack network create "$name-selfservice" -f value -c id) || exit 1
try openstack subnet create --network "$net" --gateway 172.16.1.1 --subnet-range 172.16.1.0/24 "$name-selfservice" -f value -c id >/dev/null || exit 1
router=$(try openstack router create "$name" -f value -c id) || exit 1
try openstack router add subnet "$name" "$name-selfservice" >/dev/null || exit 1
try openstack router set "$name" --external-gateway "$ext" >/dev/null || exit 1
gw=$(openstack router show "$name" -f json -c external_gateway_info | grep -oE '"ip_address": "[0-9.]+"' | head -n 1 | cut -d'"' -f4)
pass "router $name: 172.16.1.0/24 routed to the provider network, gateway address ${gw:-unknown}"

stage=3
try openstack security group create "$name" -f value -c id >/dev/null || exit 1
try openstack security group rule create --proto icmp "$name" -f value -c id >/dev/null || exit 1
try openstack security group rule create --proto tcp --dst-port 22 "$name" -f value -c id >/dev/null || exit 1
try openstack keypair create "$name" >/dev/null || exit 1
try openstack flavor create --vcpus 1 --ram 256 --disk 1 "$name" -f value -c id >/dev/null || exit 1
pass "security group $name (ICMP, TCP 22), key pair $name, flavor $name (1 vCPU, 256 MB)"

stage=4
skip "no verify.image in the topology: nothing to boot (scripts/test-image.sh builds a tiny one; a CirrOS disk also works)"
stage=5; skip "no verify.image in the topology"
stage=6; skip "no verify.image in the topology"
stage=7; skip "no verify.image in the topology"
stage=8; skip "no verify.image in the topology"
stage=9; skip "no verify.image in the topology"
exit 0

stage=5
ids=()
for h in "${hosts[@]}"; do
  az=()
  if [ ${#hosts[@]} -gt 1 ]; then
    zone=$(openstack compute service list --service nova-compute --host "$h" -f value -c Zone 2>/dev/null | head -n 1)
    [ -n "$zone" ] || fail "nova-compute of $h is not in the compute service list"
    az=(--availability-zone "$zone:$h")
  fi
  id=$(try openstack server create --flavor "$name" --image "$name" --nic net-id="$net" --security-group "$name" --key-name "$name" "${az[@]}" "$name-$h" -f value -c id) || exit 1
  ids+=("$id")
done
declare -A status
for i in $(seq 1 120); do
  busy=
  for id in "${ids[@]}"; do
    case "${status[$id]:-}" in ACTIVE | ERROR) continue ;; esac
    status[$id]=$(openstack server show "$id" -f value -c status 2>/dev/null)
    case "${status[$id]}" in ACTIVE | ERROR) ;; *) busy=1 ;; esac
  done
  [ -z "$busy" ] && break
  sleep 5
done
declare -A ip
said=
for n in "${!ids[@]}"; do
  id=${ids[$n]} h=${hosts[$n]}
  [ "${status[$id]}" = ACTIVE ] || fail "$name-$h ($id): status ${status[$id]:-unknown} after 10 minutes at most: $(openstack server show "$id" -f value -c fault 2>/dev/null | head -c 300)"
  on=$(openstack server show "$id" -f value -c OS-EXT-SRV-ATTR:host)
  [ ${#hosts[@]} -eq 1 ] || [ "$on" = "$h" ] || fail "$name-$h ($id) runs on ${on:-an unknown host}, not on $h"
  ip[$id]=$(openstack port list --server "$id" -f value -c "Fixed IP Addresses" | grep -oE "[0-9]+(\.[0-9]+){3}" | head -n 1)
  said="${said:+$said; }$name-$h ($id) ACTIVE on $on, port address ${ip[$id]}"
done
pass "$said"

# Whether console text $1 shows address $2 and instance $3 (the test image's markers, or cloud-init's lines).
seen() { { grep -qF "address=$2/" <<<"$1" && grep -qE "uuid=|instance-id" <<<"$1"; } || { grep -qF "$2" <<<"$1" && grep -qE "instance-id: i-|$3" <<<"$1"; }; }
declare -A console
for i in $(seq 1 60); do
  busy=
  for id in "${ids[@]}"; do
    seen "${console[$id]:-}" "${ip[$id]}" "$id" && continue
    console[$id]=$(openstack console log show "$id" 2>/dev/null)
    seen "${console[$id]}" "${ip[$id]}" "$id" || busy=1
  done
  [ -z "$busy" ] && break
  sleep 5
done
stage=6
said=
for n in "${!ids[@]}"; do
  id=${ids[$n]} h=${hosts[$n]}
  line=$(grep -m1 -E "OSTOPO-TEST-IMAGE address=|${ip[$id]}" <<<"${console[$id]}")
  [ -n "$line" ] || fail "the console of $name-$h does not show ${ip[$id]} after 5 minutes; last lines: $(tail -n 5 <<<"${console[$id]}" | tr "\n" " ")"
  said="${said:+$said; }$h: ${line%$'\r'}"
done
pass "console of $said"
stage=7
said=
for n in "${!ids[@]}"; do
  id=${ids[$n]} h=${hosts[$n]}
  line=$(grep -m1 -E "OSTOPO-TEST-IMAGE uuid=|instance-id: " <<<"${console[$id]}")
  grep -qF "$id" <<<"$line" || grep -q "instance-id: i-" <<<"$line" || fail "the console of $name-$h does not show the instance uuid $id from the metadata service: ${line:-nothing}"
  said="${said:+$said; }$h: ${line%$'\r'}"
done
pass "console of $said"

stage=8
command -v ping >/dev/null || fail "ping is not installed on this node (iputils-ping)"
ns=qrouter-$router
said=
for n in "${!ids[@]}"; do
  id=${ids[$n]} h=${hosts[$n]}
  fip=$(try openstack floating ip create "$ext" -f value -c floating_ip_address) || exit 1
  fips+=("$fip")
  try openstack server add floating ip "$id" "$fip" >/dev/null || exit 1
  ok=
  for i in $(seq 1 30); do ping -c 1 -W 2 "$fip" >/dev/null 2>&1 && { ok="$fip ($h) answered: $(ping -c 3 -i 0.3 -W 2 "$fip" | tail -n 1)"; break; }; sleep 2; done
  if [ -z "$ok" ] && ip netns list 2>/dev/null | grep -q "^$ns"; then
    ip netns exec "$ns" ping -c 3 -W 2 "$fip" >/dev/null 2>&1 && ok="$fip ($h) answered inside $ns (this node has no route to the provider network)"
  fi
  [ -n "$ok" ] || fail "$fip ($h) did not answer in 60 s"
  said="${said:+$said; }$ok"
done
pass "$said"

stage=9
id=${ids[0]} h=${hosts[0]}
# Waits until volume $1 has status $2 (or an error), at most 2 minutes; prints the last status.
vstatus() { local s; for i in $(seq 1 60); do s=$(openstack volume show "$1" -f value -c status 2>/dev/null); case "$s" in "$2" | error*) break ;; esac; sleep 2; done; printf "%s" "$s"; }
vol=$(try openstack volume create --size 1 "$name-volume" -f value -c id) || exit 1
vols+=("$vol")
s=$(vstatus "$vol" available); [ "$s" = available ] || fail "volume $vol: status ${s:-unknown} after its creation"
try openstack server add volume "$id" "$vol" >/dev/null || exit 1
s=$(vstatus "$vol" in-use); [ "$s" = in-use ] || fail "volume $vol: status ${s:-unknown} after the attach to $name-$h: $(openstack volume show "$vol" -f value -c attachments 2>/dev/null | head -c 300)"
dev=$(openstack volume show "$vol" -f json -c attachments | grep -oE '"device": "[^"]*"' | head -n 1 | cut -d'"' -f4)
line=
for i in $(seq 1 30); do line=$(openstack console log show "$id" 2>/dev/null | grep -m1 "OSTOPO-TEST-IMAGE disk=vd"); [ -n "$line" ] && break; sleep 3; done
[ -n "$line" ] || fail "volume $vol is in-use as ${dev:-a device} of $name-$h, but its console shows no new disk in 90 s; last lines: $(openstack console log show "$id" 2>/dev/null | tail -n 5 | tr "
" " ")"
line=${line%$'\r'}
try openstack server remove volume "$id" "$vol" >/dev/null || exit 1
s=$(vstatus "$vol" available); [ "$s" = available ] || fail "volume $vol: status ${s:-unknown} after the detach"
try openstack volume delete "$vol" >/dev/null || exit 1
vols=()
pass "volume $vol (1 GB) attached to $name-$h as ${dev:-?}: ${line#*OSTOPO-TEST-IMAGE }; detached and deleted"
OSTOPO_CHECK

exit $fails
