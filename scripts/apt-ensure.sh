#!/usr/bin/env bash
# Install Debian packages whose command is missing. Arguments: package:command ...
# Packages whose name ends in "-" are installed without recommended packages.
set -euo pipefail
missing=(); missing_norec=()
for spec in "$@"; do
  pkg=${spec%%:*}; cmd=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 && continue
  if [[ $pkg == *- ]]; then missing_norec+=("${pkg%-}"); else missing+=("$pkg"); fi
done
[ ${#missing[@]} -eq 0 ] && [ ${#missing_norec[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]} ${missing_norec[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]} ${missing_norec[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq "${missing[@]}" >/dev/null
[ ${#missing_norec[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing_norec[@]}" >/dev/null
