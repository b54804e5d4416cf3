#!/usr/bin/env bash
# Installs the system packages the test run needs when they are missing:
# Debian's Chromium (page tests), PostgreSQL server binaries (storage tests) and nginx (the
# multi-process tests put it in front of several `crampwise serve` processes).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# ip netns for the test that puts the app and PostgreSQL on separate (virtual) hosts
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# fonts for readable screenshots and PDFs rendered to images
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
