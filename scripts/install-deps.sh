#!/usr/bin/env bash
# Installs the Debian packages Chollima needs to build, test and benchmark, and
# nothing that is already there. Runs apt-get directly as root, through sudo otherwise,
# and says what it installs.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsqlite3-dev sqlite3
  libcli11-dev
  libboost-dev  # Boost.Beast and Boost.Asio (headers only; never libboost1.81-dev)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  libsodium-dev  # argon2id password hashes, random tokens, SHA-256
  coinor-libclp-dev  # COIN-OR CLP: the linear programs of the efficiency frontier
  python3-scipy  # the test suite's independent LP oracle (/usr/bin/python3)
  chromium       # the dashboard's browser tests (headless; never a downloaded browser)
  fonts-nanum    # Korean glyphs in the browser tests' screenshots
)
# The dashboard is built with Vite from npm: Node.js and npm, from Debian when the
# machine has none of its own.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
case "${1:-}" in
  --bench) packages+=(time python3 wrk nginx-light redis-server r-cran-lpsolve) ;;  # peak memory; ratio maths; HTTP load vs nginx; standings vs Redis; DEA vs R
  --fuzz) packages+=(clang libclang-rt-14-dev) ;;  # libFuzzer's runtime
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
else
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
