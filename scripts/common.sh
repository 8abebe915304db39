# SPDX-License-Identifier: GPL-2.0
# Shared settings for the sections build and guest scripts (sourced, not run).

SECTIONS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Built kernels, downloaded sources and guest images live outside the work tree so a second
# run (and CI on the same machine) reuses them.
SECTIONS_CACHE=${SECTIONS_CACHE:-/var/cache/sections}
SECTIONS_OUT=${SECTIONS_OUT:-$SECTIONS_TOP/out}

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# need_pkgs PKG...: install the Debian packages that are missing (apt-get update once per run).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages (need root to install): ${missing[*]}"
	note "installing: ${missing[*]}"
	if [ ! -e "$SECTIONS_CACHE/.apt-updated.$$" ]; then
		mkdir -p "$SECTIONS_CACHE"
		apt-get update -qq >&2 || die "apt-get update failed"
		touch "$SECTIONS_CACHE/.apt-updated.$$"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install failed: ${missing[*]}"
}

# The stock Debian kernels: newest installed release of each series.
stock_kver() {
	local series=$1 k
	# "$series." so that 6.1 does not also match 6.12.
	k=$(ls -d /usr/src/linux-headers-"$series".*-amd64 2>/dev/null | sed 's,.*/linux-headers-,,' |
		sort -V | tail -n 1)
	[ -n "$k" ] || return 1
	[ -e "/boot/vmlinuz-$k" ] || return 1
	echo "$k"
}

# resolve_kernel KERNEL (6.1 | 6.12 | debug): installs what that kernel needs and sets
# KVER (release, empty for debug), KDIR (tree for M= builds), KIMAGE (bootable bzImage) and
# KMODDIR (its /lib/modules dir, empty for debug: everything the guest needs is built in).
resolve_kernel() {
	case "$1" in
	6.1 | 6.12)
		if [ "$1" = 6.1 ]; then
			need_pkgs linux-image-amd64 linux-headers-amd64
		else
			need_pkgs linux-image-6.12-amd64 linux-headers-6.12-amd64
		fi
		KVER=$(stock_kver "$1") || die "no stock $1 kernel with headers installed"
		KDIR=/usr/src/linux-headers-$KVER
		KIMAGE=/boot/vmlinuz-$KVER
		KMODDIR=/lib/modules/$KVER
		;;
	debug)
		KVER=
		# Builds it on first use (about 20-30 minutes), then answers from the cache.
		KDIR=$("$SECTIONS_TOP/scripts/build-debug-kernel") || die "the debug kernel could not be built"
		KIMAGE=$KDIR/arch/x86/boot/bzImage
		KMODDIR=
		;;
	*) die "unknown kernel '$1' (want 6.1, 6.12 or debug)" ;;
	esac
	[ -r "$KIMAGE" ] || die "kernel image $KIMAGE missing"
}
