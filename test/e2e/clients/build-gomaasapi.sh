#!/usr/bin/env bash
# Builds test/e2e/clients/gomaasapi/main.go against Debian's golang-github-juju-gomaasapi-dev
# into OUTDIR/gomaasapi-client, offline, and prints the binary's path.
#
# Usage: build-gomaasapi.sh OUTDIR
#
# Why it looks like this:
# - Debian ships gomaasapi 2.0.0 as GOPATH source under /usr/share/gocode/src/github.com/juju/gomaasapi,
#   although its go.mod says "module github.com/juju/gomaasapi/v2". Upstream users import the /v2
#   path, and GOPATH mode does not map /v2 to that directory, so we copy the package to
#   <tmp GOPATH>/src/github.com/juju/gomaasapi/v2 and build with GO111MODULE=off.
# - The copy leaves out testservice*.go (the fake MAAS; it pulls in gopkg.in/mgo.v2/bson, which
#   not every Debian setup has) and *_test.go. Nothing else in the package refers to them.
# - Its dependencies (juju/errors, loggo, schema, version, collections, ...) are read in place
#   from Debian's /usr/share/gocode, the second GOPATH entry: read-only, no network, no copy.
# - Idempotent and quick: the binary is reused while a hash of main.go, this script, the Debian
#   package version and the Go version is unchanged. The new binary is moved into place
#   atomically, so concurrent test processes never see a half-written file.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MAIN="$HERE/gomaasapi/main.go"
DEBIAN_GOPATH=/usr/share/gocode
PKG_SRC="$DEBIAN_GOPATH/src/github.com/juju/gomaasapi"
BIN="$OUT/gomaasapi-client"

command -v go >/dev/null || { echo "go not found: apt-get install golang-go" >&2; exit 3; }
[ -f "$PKG_SRC/controller.go" ] || { echo "$PKG_SRC missing: apt-get install golang-github-juju-gomaasapi-dev" >&2; exit 3; }

pkg_version=$(dpkg-query -W -f='${Version}' golang-github-juju-gomaasapi-dev 2>/dev/null || echo unknown)
key=$( { cat "$MAIN" "${BASH_SOURCE[0]}"; echo "$pkg_version"; go version; } | sha256sum | cut -d' ' -f1)
if [ -x "$BIN" ] && [ "$(cat "$BIN.key" 2>/dev/null)" = "$key" ]; then
  echo "$BIN"
  exit 0
fi

work=$(mktemp -d "$OUT/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest="$work/gopath/src/github.com/juju/gomaasapi/v2"
mkdir -p "$dest" "$work/gopath/src/maaskit-e2e/gomaasapi-client"
for f in "$PKG_SRC"/*.go; do
  case "$(basename "$f")" in
    *_test.go | testservice*.go) ;;
    *) cp "$f" "$dest/" ;;
  esac
done
cp "$MAIN" "$work/gopath/src/maaskit-e2e/gomaasapi-client/main.go"

# GOFLAGS is cleared because -mod=... is an error in GOPATH mode. CGO is off so no C compiler is
# needed (golang-go only recommends gcc). The cache lives in OUTDIR, not $HOME, for CI sandboxes.
(
  cd "$work/gopath/src/maaskit-e2e/gomaasapi-client"
  env -u GOFLAGS GO111MODULE=off GOPATH="$work/gopath:$DEBIAN_GOPATH" GOPROXY=off CGO_ENABLED=0 \
    GOCACHE="$OUT/go-cache" go build -o "$work/gomaasapi-client" .
)
mv -f "$work/gomaasapi-client" "$BIN"
echo "$key" > "$BIN.key"
echo "$BIN"
