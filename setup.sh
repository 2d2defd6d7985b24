#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: the two system libraries the native runtimes need, then a build.
#   libgtk-3-0            OpenCV's official Linux runtime links against GTK 3 (highgui), even headless.
#   libtcmalloc-minimal4  the fast allocator the ./restormer launcher preloads (optional but ~4x faster).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
need=()
for pkg in libgtk-3-0 libtcmalloc-minimal4 ffmpeg ${RESTORMER_EXTRA_PACKAGES:-}; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
dotnet build Restormer.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
echo "Set-up done. Try: ./restormer restore --input ../shared/data/samples/motion_blur --output out/"
