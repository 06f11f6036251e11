# Sourced by the launcher scripts: installs the distro packages Berth runs on when they are missing.

berth_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: missing packages ${missing[*]}; run as root or install them" >&2
    return 1
  fi
  echo "berth: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# What the daemon needs at run time: containernetworking-plugins for bridge networks (bridge,
# host-local, portmap, firewall, loopback in /usr/lib/cni), iptables for the rules those plugins
# write, iproute2 for deleting a network's bridge, util-linux for unshare/mount of network namespaces,
# and containers-common's default seccomp profile (/usr/share/containers/seccomp.json).
BERTH_RUNTIME_PACKAGES=(runc conmon procps containernetworking-plugins iptables iproute2 util-linux
  golang-github-containers-common)
# What the test suite needs on top: the busybox the test image is built from, Maven, Prometheus
# (server and promtool) for the metrics test, rpmbuild, rpmlint and cpio for the RPM's tests, a
# registry with htpasswd for the pull and push tests, and Debian's docker-compose (1.29) for ComposeIT.
BERTH_TEST_PACKAGES=(busybox-static maven prometheus rpm rpmlint cpio docker-registry apache2-utils docker-compose)
