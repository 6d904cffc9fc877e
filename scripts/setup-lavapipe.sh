#!/bin/sh
# Installs Mesa's lavapipe (a software Vulkan driver) so the WebGPU tests can run without a GPU.
# Debian 12's own Mesa 22 lavapipe is rejected by Dawn; Mesa 25 from bookworm-backports works.
# Idempotent. Never fails the caller: when it cannot install, it says why in one line and exits 0
# (the WebGPU tests then skip themselves).
set -u

say() { echo "setup-lavapipe: $*"; }

ICD_GLOB='/usr/share/vulkan/icd.d/lvp_icd*.json'
installed_major() {
  v=$(dpkg-query -W -f='${Status} ${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  case "$v" in "install ok installed "*) ;; *) return 1 ;; esac
  v=${v#install ok installed }
  v=${v#*:} # drop an epoch
  echo "${v%%.*}"
}
have_new_lavapipe() {
  major=$(installed_major) || return 1
  [ "$major" -ge 23 ] 2>/dev/null || return 1
  # shellcheck disable=SC2086
  ls $ICD_GLOB >/dev/null 2>&1 || return 1
  [ -n "$(ls /usr/lib/*/libvulkan.so.1 /usr/lib/libvulkan.so.1 2>/dev/null)" ]
}

if have_new_lavapipe; then
  say "lavapipe already installed (mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  say "no apt-get here; skipping (WebGPU tests will skip)"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO='sudo -n'; else
    say "not root and no passwordless sudo; skipping (WebGPU tests will skip)"
    exit 0
  fi
fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
target=''
if [ "$codename" = bookworm ]; then
  target='-t bookworm-backports'
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null ||
      { say "cannot add the bookworm-backports source; skipping"; exit 0; }
  fi
fi

APT_OPTS='-o Acquire::Retries=1 -o Acquire::http::Timeout=20 -o DPkg::Lock::Timeout=300'
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get $APT_OPTS update -qq >/tmp/setup-lavapipe.log 2>&1; then
  say "apt-get update failed (no network?); skipping, see /tmp/setup-lavapipe.log"
  exit 0
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get $APT_OPTS install -y -qq --no-install-recommends $target \
  mesa-vulkan-drivers libvulkan1 >>/tmp/setup-lavapipe.log 2>&1; then
  say "apt-get install mesa-vulkan-drivers failed; skipping, see /tmp/setup-lavapipe.log"
  exit 0
fi

if have_new_lavapipe; then
  say "installed lavapipe (mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
else
  say "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null), but it is too old for Dawn"
fi
exit 0
