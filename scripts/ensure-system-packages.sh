#!/usr/bin/env bash
# Installs the Debian packages the stack and its tests need, only when missing (so no root is needed once
# they are there): nats-server (JetStream), PostgreSQL (storage tests), Java + Maven (the search engine),
# Chromium (page tests), Noto CJK fonts (Chinese glyphs in screenshots and guide-sheet PDFs) and pango (WeasyPrint).
set -euo pipefail

missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v runuser >/dev/null || missing+=(util-linux)
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc" >/dev/null || missing+=(fonts-noto-cjk)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)

[ ${#missing[@]} -eq 0 ] && exit 0
echo "[setup] installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "[setup] not root: run 'sudo apt-get install -y ${missing[*]}' and try again" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
