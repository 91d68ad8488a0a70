#!/bin/bash
# Builds the tiny instance image `ostopo verify` boots to check a cloud: Debian's cloud kernel plus an
# initramfs of busybox-static and the virtio modules, whose /init brings the first network interface
# up by DHCP, reads the instance's uuid from the metadata service, prints marker lines on the consoles
# and then stays up (answering ping) until the instance is deleted:
#
#   OSTOPO-TEST-IMAGE address=10.0.0.5/24
#   OSTOPO-TEST-IMAGE uuid=8f3c...            (or: uuid=unavailable reason=...)
#   OSTOPO-TEST-IMAGE disk=vdb sectors=2097152 (a disk attached later, a volume; disk-gone=vdb when detached)
#
# Output, in build/test-image/ (or $OSTOPO_TEST_IMAGE_OUT):
#   vmlinuz      the kernel of linux-image-cloud-amd64 (the concrete linux-image-*-cloud-amd64)
#   initrd.img   gzip'd newc cpio, its /init the script below
#   SOURCES      the exact Debian packages (versions, SHA256) and modules it was built from
#
# Needs no root and no internet image: the packages come from the host's apt lists (`apt-get download`,
# kept in build/cache/test-image/ and reused; run `apt-get update` when the mirror has moved on), the
# image is put together with dpkg-deb, cpio and gzip. The same packages give the same bytes.
# The kernel command line nova passes (root=/dev/vda console=tty0 console=ttyS0) suits it: root= is
# ignored, the markers go to every active console. Environment:
#   OSTOPO_TEST_IMAGE_KERNEL   the kernel package (default: what linux-image-cloud-amd64 depends on)
#   OSTOPO_TEST_IMAGE_MODULES  the modules to load (default: virtio_pci virtio_net virtio_blk)
#   OSTOPO_TEST_IMAGE_OUT      the output directory
set -euo pipefail

started=$(date +%s%N)
me='scripts/test-image.sh'
die() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}
say() { printf '[test-image] %s\n' "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="${OSTOPO_TEST_IMAGE_OUT:-$root/build/test-image}"
cache="$root/build/cache/test-image"
work="$root/build/test-image.work"
arch=amd64
meta_kernel=linux-image-cloud-amd64
modules_wanted="${OSTOPO_TEST_IMAGE_MODULES:-virtio_pci virtio_net virtio_blk}"

# --- tools ------------------------------------------------------------------------------------------
missing=() packages=()
for tool in apt-get:apt apt-cache:apt dpkg-deb:dpkg tar:tar cpio:cpio gzip:gzip sha256sum:coreutils find:findutils sed:sed awk:mawk; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    missing+=("${tool%%:*}")
    [[ " ${packages[*]} " == *" ${tool#*:} "* ]] || packages+=("${tool#*:}")
  fi
done
if ((${#missing[@]})); then
  die "missing tools: ${missing[*]}. Install them: sudo apt-get install -y --no-install-recommends ${packages[*]}"
fi

# --- packages ---------------------------------------------------------------------------------------
# For each package named, its candidate in the host's apt lists, one line: NAME VERSION SHA256 DEPENDS
# (tab-separated). One apt-cache call for them all: without a pkgcache.bin (Debian's container images
# have none) each call reads all the lists again, a second or more.
apt_candidates() {
  local names=("${@/%/:$arch}")
  apt-cache show --no-all-versions "${names[@]}" 2>/dev/null | awk '
    /^Package: / { p = $2 } /^Version: / { v = $2 } /^SHA256: / { s = $2 } /^Depends: / { d = substr($0, 10) }
    /^$/ { if (p != "") print p "\t" v "\t" s "\t" d; p = v = s = d = "" }
    END { if (p != "") print p "\t" v "\t" s "\t" d }' || true
}
declare -A version=() sha256=() depends=()
resolve() {
  local p v s d n
  while IFS=$'\t' read -r p v s d; do
    version[$p]="$v" sha256[$p]="$s" depends[$p]="$d"
  done < <(apt_candidates "$@")
  for n in "$@"; do
    [[ -n "${version[$n]:-}" && -n "${sha256[$n]:-}" ]] ||
      die "apt knows no package $n ($arch). Are the host's apt lists Debian's, and fresh (apt-get update)?"
  done
}

# Prints the path of the cached .deb of package $1 (its candidate), downloading it first if needed.
fetch_deb() {
  local pkg="$1" ver="${version[$1]}" want="${sha256[$1]}" file sum tmp
  file="$cache/${pkg}_${ver//:/%3a}_${arch}.deb"
  if [[ -f "$file" ]]; then
    sum=$(sha256sum "$file") && sum="${sum%% *}"
    [[ "$sum" == "$want" ]] && {
      printf '%s\n' "$file"
      return
    }
    say "cached $(basename "$file") does not match apt's SHA256; downloading it again"
    rm -f "$file"
  fi
  say "downloading $pkg $ver"
  tmp=$(mktemp -d "$cache/download.XXXXXX")
  local sandbox=()
  # As root, apt drops to _apt for downloads, who may not write here; the file is checked below anyway.
  [[ "$(id -u)" == 0 ]] && sandbox=(-o APT::Sandbox::User=root)
  if ! (cd "$tmp" && apt-get "${sandbox[@]}" -q download "$pkg:$arch=$ver" >&2); then
    rm -rf "$tmp"
    die "apt-get download $pkg=$ver failed. If the mirror no longer has it, refresh the lists (sudo apt-get update) and run again."
  fi
  local got=("$tmp"/*.deb)
  [[ -f "${got[0]}" ]] || die "apt-get download $pkg=$ver left no .deb"
  sum=$(sha256sum "${got[0]}") && sum="${sum%% *}"
  [[ "$sum" == "$want" ]] || die "downloaded $pkg $ver has SHA256 $sum, apt's lists say $want"
  mv "${got[0]}" "$file"
  rm -rf "$tmp"
  printf '%s\n' "$file"
}

mkdir -p "$cache"
kernel_pkg="${OSTOPO_TEST_IMAGE_KERNEL:-}"
if [[ -z "$kernel_pkg" ]]; then
  resolve "$meta_kernel" busybox-static
  [[ "${depends[$meta_kernel]}" =~ (linux-image-[^\ ,]+-cloud-amd64) ]] ||
    die "cannot tell which kernel $meta_kernel ${version[$meta_kernel]} depends on (${depends[$meta_kernel]})"
  kernel_pkg="${BASH_REMATCH[1]}"
  resolve "$kernel_pkg"
else
  resolve "$kernel_pkg" busybox-static
fi
kernel_ver="${version[$kernel_pkg]}"
busybox_ver="${version[busybox-static]}"
kernel_deb=$(fetch_deb "$kernel_pkg")
busybox_deb=$(fetch_deb busybox-static)

# --- unpack -----------------------------------------------------------------------------------------
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/kernel" "$work/busybox" "$work/root"
# /boot and the whole modules tree (dependencies are followed in it); not /usr/share/doc.
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' './boot/config-*' './lib/modules/*'
dpkg-deb --fsys-tarfile "$busybox_deb" | tar -x -C "$work/busybox" ./bin/busybox
vmlinuz=("$work"/kernel/boot/vmlinuz-*)
config=("$work"/kernel/boot/config-*)
[[ -f "${vmlinuz[0]}" && -f "${config[0]}" ]] || die "$kernel_pkg has no /boot/vmlinuz-* and config-*"
kver="${vmlinuz[0]##*/vmlinuz-}"
moddir="$work/kernel/lib/modules/$kver"
[[ -d "$moddir/kernel" ]] || die "$kernel_pkg has no /lib/modules/$kver/kernel"
# Every file (mtime) in the image gets the kernel's date: the same packages give the same image.
epoch="${SOURCE_DATE_EPOCH:-$(stat -c %Y "${vmlinuz[0]}")}"

# --- modules: follow each one's depends= (its .modinfo), dependencies first --------------------------
declare -A modpath=() seen=()
while IFS= read -r -d '' ko; do
  name="${ko##*/}" && name="${name%.ko}" && name="${name//-/_}"
  modpath[$name]="${ko#"$moddir"/}"
done < <(find "$moddir/kernel" -name '*.ko' -print0)
((${#modpath[@]})) || die "no modules (*.ko) under $moddir (compressed modules are not handled)"
builtin_names=" $(sed -e 's#.*/##' -e 's/\.ko$//' -e 's/-/_/g' "$moddir/modules.builtin" | tr '\n' ' ') "
order=()
builtin=()
add_module() {
  local m="${1//-/_}" deps d
  [[ -n "${seen[$m]:-}" ]] && return
  seen[$m]=1
  if [[ "$builtin_names" == *" $m "* ]]; then
    builtin+=("$m")
    return
  fi
  [[ -n "${modpath[$m]:-}" ]] || die "module $m is neither built into $kver nor in $kernel_pkg"
  deps=$(tr '\0' '\n' <"$moddir/${modpath[$m]}" | sed -n 's/^depends=//p')
  deps="${deps%%$'\n'*}"
  for d in ${deps//,/ }; do add_module "$d"; done
  order+=("$m")
}
for m in $modules_wanted; do add_module "$m"; done

# --- the initramfs tree -----------------------------------------------------------------------------
r="$work/root"
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc/udhcpc,"lib/modules/$kver"}
install -m 0755 "$work/busybox/bin/busybox" "$r/bin/busybox"
: >"$r/etc/modules"
for m in "${order[@]}"; do
  mkdir -p "$r/lib/modules/$kver/$(dirname "${modpath[$m]}")"
  install -m 0644 "$moddir/${modpath[$m]}" "$r/lib/modules/$kver/${modpath[$m]}"
  printf '/lib/modules/%s/%s\n' "$kver" "${modpath[$m]}" >>"$r/etc/modules"
done

cat >"$r/etc/udhcpc/default.script" <<'EOF'
#!/bin/sh
# udhcpc's hook: address, routes (RFC 3442 classless routes win over the router option), MTU, DNS.
# shellcheck disable=SC2154 # interface, ip, mask, router, staticroutes, mtu, dns... come from udhcpc
case "$1" in
deconfig)
  ip -4 addr flush dev "$interface"
  ip link set dev "$interface" up
  ;;
bound | renew)
  echo "ostopo-test-image: DHCP $1 on $interface: ip=$ip mask=$mask router=$router staticroutes=$staticroutes mtu=$mtu dns=$dns"
  [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
  prefix="${mask:-32}"
  if ! ip -o -4 addr show dev "$interface" | grep -q " inet $ip/$prefix "; then
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/$prefix" ${broadcast:+broadcast "$broadcast"} dev "$interface"
  fi
  if [ -n "$staticroutes" ]; then
    # shellcheck disable=SC2086 # "dest/prefix gateway" pairs, split on purpose
    set -- $staticroutes
    while [ $# -ge 2 ]; do
      if [ "$2" = 0.0.0.0 ]; then
        ip route replace "$1" dev "$interface" proto boot
      else
        ip route replace "$1" via "$2" dev "$interface" proto boot
      fi
      shift 2
    done
  elif [ -n "$router" ]; then
    for gw in $router; do
      [ "$prefix" = 32 ] && ip route replace "$gw" dev "$interface" proto boot
      ip route replace default via "$gw" dev "$interface" proto boot && break
    done
  fi
  : >/etc/resolv.conf
  [ -n "$domain" ] && echo "search $domain" >>/etc/resolv.conf
  for ns in $dns; do echo "nameserver $ns" >>/etc/resolv.conf; done
  [ -n "$hostname" ] && hostname "$hostname"
  ;;
esac
exit 0
EOF
chmod 0755 "$r/etc/udhcpc/default.script"

cat >"$r/init" <<'EOF'
#!/bin/busybox sh
# /init of the ostopo test image (scripts/test-image.sh). PID 1: it must never exit.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

# A marker line on every console the kernel writes to (nova: tty0 and ttyS0, whose log it keeps).
say() {
  line="OSTOPO-TEST-IMAGE $*"
  consoles=$(cat /sys/class/tty/console/active 2>/dev/null)
  [ -n "$consoles" ] || consoles=console
  for c in $consoles; do echo "$line" >"/dev/$c" 2>/dev/null; done
}
uptime_s() {
  read -r up _ </proc/uptime
  echo "${up%.*}"
}

say "kernel=$(uname -r)"
while read -r ko; do
  insmod "$ko" || echo "ostopo-test-image: insmod $ko failed"
done </etc/modules
ip link set lo up

# The first interface besides lo (eth0 when there is one); virtio_net may take a moment.
iface=
deadline=$(($(uptime_s) + 20))
while [ -z "$iface" ] && [ "$(uptime_s)" -lt "$deadline" ]; do
  if [ -e /sys/class/net/eth0 ]; then
    iface=eth0
  else
    for n in /sys/class/net/*; do
      n="${n##*/}"
      [ "$n" = lo ] || [ ! -e "/sys/class/net/$n" ] || { iface="$n"; break; }
    done
  fi
  [ -n "$iface" ] || sleep 1
done

address=
if [ -z "$iface" ]; then
  reason="no network interface"
else
  ip link set "$iface" up
  # Stays in the background after the lease (renewing it), or after 15 tries (still trying).
  udhcpc -i "$iface" -s /etc/udhcpc/default.script -t 15 -T 3 -A 5 -b -O mtu -O staticroutes -p /run/udhcpc.pid
  deadline=$(($(uptime_s) + 120))
  while :; do
    address=$(ip -o -4 addr show dev "$iface" | sed -n 's/.* inet \([0-9.]*\/[0-9]*\).*/\1/p' | head -n 1)
    [ -n "$address" ] || [ "$(uptime_s)" -ge "$deadline" ] && break
    sleep 1
  done
  reason="no DHCP lease on $iface"
fi
if [ -z "$address" ]; then
  say "address=none reason=$reason"
  say "uuid=unavailable reason=$reason"
else
  say "address=$address"
  ip route | sed 's/^/ostopo-test-image: route /'
  # The metadata service, for about 60 s: busybox wget under busybox timeout (Debian's busybox-static
  # 1.35 has no wget -T: given -T, its wget segfaults), or, should wget die by a signal of its own, a
  # hand-written HTTP/1.0 request over nc.
  url_path=/openstack/latest/meta_data.json
  fetcher=wget
  uuid=
  deadline=$(($(uptime_s) + 60))
  while :; do
    rm -f /tmp/meta_data.json /tmp/response
    if [ "$fetcher" = wget ]; then
      timeout 15 wget -q -O /tmp/meta_data.json "http://169.254.169.254$url_path" 2>/tmp/wget.err
      rc=$?
      case "$rc" in
      0 | 1) reason="$(tail -n 1 /tmp/wget.err)" ;;
      143) reason="wget: no answer in 15 s" ;;
      *)
        echo "ostopo-test-image: wget ended with status $rc; using nc"
        fetcher=nc
        continue
        ;;
      esac
    else
      printf 'GET %s HTTP/1.0\r\nHost: 169.254.169.254\r\nUser-Agent: ostopo-test-image\r\n\r\n' "$url_path" |
        timeout 15 nc 169.254.169.254 80 >/tmp/response 2>/tmp/nc.err
      rc=$?
      status=$(head -n 1 /tmp/response | tr -d '\r')
      case "$status" in
      'HTTP/1.'?' 200'*) tr -d '\r' </tmp/response | sed '1,/^$/d' >/tmp/meta_data.json ;;
      '') reason="nc exit $rc, no response: $(tail -n 1 /tmp/nc.err)" ;;
      *) reason="metadata service answered: $status" ;;
      esac
    fi
    if [ -s /tmp/meta_data.json ]; then
      uuid=$(grep -o '"uuid": *"[0-9a-fA-F-]*"' /tmp/meta_data.json | head -n 1 | sed 's/.*"\([0-9a-fA-F-]*\)"$/\1/')
      [ -n "$uuid" ] && break
      reason="no uuid in meta_data.json"
    fi
    [ "$(uptime_s)" -ge "$deadline" ] && break
    sleep 2
  done
  if [ -n "$uuid" ]; then
    say "uuid=$uuid"
  else
    say "uuid=unavailable reason=$(printf '%s' "$reason" | tr -s '\n\r\t' '   ')"
  fi
fi

# Up until deleted: the kernel answers ping, udhcpc renews the lease; a disk attached later (a volume)
# is said once with its size, and again when it is gone.
known=" $(cd /sys/block && echo *) "
while :; do
  for d in /sys/block/vd*; do
    [ -e "$d" ] || continue
    n=${d##*/}
    case "$known" in *" $n "*) continue ;; esac
    known="$known$n "
    say "disk=$n sectors=$(cat "$d/size")"
  done
  for n in $known; do
    case "$n" in vd*) [ -e "/sys/block/$n" ] || { known=$(echo "$known" | sed "s/ $n / /"); say "disk-gone=$n"; } ;; esac
  done
  sleep 1
done
EOF
chmod 0755 "$r/init"
printf '%s\n' "$kver" >"$r/etc/ostopo-test-image"

# --- the archive: newc, root-owned, sorted, every mtime the kernel's; then /dev/console --------------
# The kernel opens /dev/console for /init before anything is mounted. Making its node needs root, so
# its entry is written by hand: a second newc archive, appended (the kernel unpacks them in turn).
newc_entry() { # name mode(octal) rdevmajor rdevminor
  local name="$1" namesize=$((${#1} + 1))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
    0 "$((8#$2))" 0 0 1 "$epoch" 0 0 0 "$3" "$4" "$namesize" 0 "$name"
  # header (110) + name + NUL, padded to 4 bytes
  local pad=$(((4 - (110 + namesize) % 4) % 4))
  ((pad)) && head -c "$pad" /dev/zero
  return 0
}
find "$r" -exec touch -h -d "@$epoch" {} +
mkdir -p "$out"
(
  cd "$r"
  find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z | cpio --null --create --format=newc --owner=0:0 --reproducible --quiet
  newc_entry dev/console 020600 5 1
  newc_entry 'TRAILER!!!' 0 0 0
) | gzip -n -9 >"$out/initrd.img.tmp"
mv "$out/initrd.img.tmp" "$out/initrd.img"
install -m 0644 "${vmlinuz[0]}" "$out/vmlinuz.tmp" && touch -d "@$epoch" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"

# --- SOURCES ----------------------------------------------------------------------------------------
sha() {
  local s
  s=$(sha256sum "$1") && printf '%s\n' "${s%% *}"
}
config_of() { sed -n "/^CONFIG_$1=/{s///p;q}" "${config[0]}"; }
{
  echo "# ostopo test image, built by scripts/test-image.sh from these Debian packages ($arch)"
  echo "package $kernel_pkg $kernel_ver sha256=$(sha "$kernel_deb")${version[$meta_kernel]:+ (what $meta_kernel ${version[$meta_kernel]} depends on)}"
  echo "package busybox-static $busybox_ver sha256=$(sha "$busybox_deb")"
  echo "kernel $kver"
  echo "modules ${order[*]}"
  ((${#builtin[@]})) && echo "builtin ${builtin[*]}"
  echo "config VIRTIO=$(config_of VIRTIO) VIRTIO_PCI=$(config_of VIRTIO_PCI) VIRTIO_NET=$(config_of VIRTIO_NET) NET_FAILOVER=$(config_of NET_FAILOVER) FAILOVER=$(config_of FAILOVER) VIRTIO_BLK=$(config_of VIRTIO_BLK) SCSI_VIRTIO=$(config_of SCSI_VIRTIO)"
  echo "file vmlinuz $(stat -c %s "$out/vmlinuz") sha256=$(sha "$out/vmlinuz")"
  echo "file initrd.img $(stat -c %s "$out/initrd.img") sha256=$(sha "$out/initrd.img")"
  echo "cmdline console=tty0 console=ttyS0 (nova's default, root=/dev/vda console=tty0 console=ttyS0, does as well)"
} >"$out/SOURCES.tmp"
mv "$out/SOURCES.tmp" "$out/SOURCES"

ms=$((($(date +%s%N) - started) / 1000000))
say "built $out in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: vmlinuz $(stat -c %s "$out/vmlinuz") bytes, initrd.img $(stat -c %s "$out/initrd.img") bytes ($kernel_pkg $kernel_ver, busybox-static $busybox_ver; modules: ${order[*]})"
