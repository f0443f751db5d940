#!/usr/bin/env bash
# consentry set-up: system packages, npm dependencies, the Appium UiAutomator2 driver in a
# project-local APPIUM_HOME, an Android SDK layout for Appium, and the build. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Runtime: adb, mitmproxy, redis-server. Test oracles: aapt, apksigner, zipalign, apktool,
# androguard, dexdump (they build and check real APKs in the tests; consentry itself needs
# none of them). Chromium renders the HTML report in a test (with a CJK font for Chinese text).
APT_PACKAGES=(adb mitmproxy redis-server aapt apksigner zipalign apktool androguard dexdump chromium fonts-wqy-microhei)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages already installed"
fi

log "npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

# Appium's UiAutomator2 driver (and appium-adb) find adb through ANDROID_HOME. Debian installs
# adb in /usr/bin, so lay out a minimal SDK folder that points at it.
log "Android SDK layout in .android-sdk/"
mkdir -p .android-sdk/platform-tools
ln -sf "$(command -v adb)" .android-sdk/platform-tools/adb

log "Appium UiAutomator2 driver in .appium/"
export APPIUM_HOME="$ROOT/.appium"
if [ ! -f "$APPIUM_HOME/node_modules/appium-uiautomator2-driver/package.json" ]; then
  npx --no-install appium driver install uiautomator2
else
  echo "already installed: $(node -p "require('$APPIUM_HOME/node_modules/appium-uiautomator2-driver/package.json').version")"
fi

log "build"
npm run build

log "done. Try: npx consentry doctor && npx consentry demo"
