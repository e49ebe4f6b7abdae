#!/usr/bin/env bash
# Downloads Debian packages of a foreign architecture (without installing them) and unpacks them
# into a sysroot folder laid out merged-/usr: fetch-debian-debs.sh ARCH SUITE DEST PACKAGE...
#   ARCH   Debian architecture (arm64, riscv64, armhf)
#   SUITE  Debian suite (bookworm; riscv64 needs trixie, which bookworm's lists lack)
#   DEST   folder to unpack into (created); the .deb files are cached in DEST/.debs
# Uses a private apt state (lists, cache, sources), so the host's apt configuration is untouched.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,8p' "$0"; exit 2; }
arch=$1 suite=$2 dest=$(realpath -m "$3"); shift 3
state=$(realpath -m "$dest/.apt"); debs=$(realpath -m "$dest/.debs")
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$debs"
# The mirror is the machine's own (its apt sources' first URIs: line), unless DEBIAN_MIRROR says.
mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)}
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "fetch-debian-debs: no Debian mirror in the apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
echo "deb [arch=$arch trusted=yes] $mirror $suite main" > "$state/sources.list"
apt_opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
  -o "Dir::State=$state" -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=/dev/null"
  -o "Dir::Cache=$state/cache" -o "Dir::Etc::SourceList=$state/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null" -o "Debug::NoLocking=1" -o "Acquire::Languages=none")
if [ ! -f "$state/updated" ] || [ -n "$(find "$state/updated" -mmin +1440)" ]; then
  apt-get "${apt_opts[@]}" update -qq
  # apt only warns when the mirror cannot be reached: without a package index, fail (and try
  # again next time rather than trusting a day-old failure).
  if ! compgen -G "$state/lists/*_Packages*" > /dev/null; then
    echo "fetch-debian-debs: no package index for $suite $arch from $mirror" >&2
    exit 1
  fi
  touch "$state/updated"
fi
cd "$debs"
for p in "$@"; do
  ls "${p}"_*_"$arch".deb "${p}"_*_all.deb >/dev/null 2>&1 || apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root download -qq "$p"
done
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
# A merged-/usr system, as Debian installs bookworm and trixie: the root's /bin, /lib and /sbin
# are links into /usr (bookworm's packages still ship files under /bin and /lib: moved there).
for d in bin lib sbin; do
  if [ -d "$dest/$d" ] && [ ! -L "$dest/$d" ]; then
    mkdir -p "$dest/usr/$d"
    cp -a "$dest/$d/." "$dest/usr/$d/"
    rm -rf "${dest:?}/$d"
  fi
  if [ ! -e "$dest/$d" ] && [ -d "$dest/usr/$d" ]; then ln -s "usr/$d" "$dest/$d"; fi
done
echo "fetch-debian-debs: $* unpacked into $dest"
