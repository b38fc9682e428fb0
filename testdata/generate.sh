#!/usr/bin/env bash
# Regenerates the reference test data in this directory: every case directory
# is written by the reference gvfsd-metadata (Debian gvfs 1.50.3) on a private
# session bus and checked with `gio info` before it is written. Needs the
# packages dbus, libglib2.0-bin, gvfs-daemons and gvfs-libs.
# Extra arguments go to the generator, e.g. -only ten-thousand,near-4k.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./tools/refgen -out testdata "$@"
