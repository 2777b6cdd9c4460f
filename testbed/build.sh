#!/usr/bin/env bash
# Build every Go test peer of the testbed into a content-addressed cache.
#
# Convention: each testbed/<dir>/ holding a TOOLS file is a Go module (go.mod + go.sum committed);
# TOOLS has one line per binary, "<go package path> <output binary name>". Optional files in the
# same dir: LDFLAGS (extra -ldflags words, e.g. -X version stamps) and TAGS (build tags).
# The cache key hashes go.mod, go.sum, TOOLS, LDFLAGS, TAGS, the build flags and the Go version
# (read from GOROOT/VERSION, so a warm run never starts `go`). Binaries land in
# $CHARON_CACHE/testbed/<dir>-<key>/ and are symlinked into $CHARON_CACHE/testbed/bin/.
# Then every executable testbed/<dir>/prepare script runs (e.g. crds/prepare fetches CRDs); each
# script keeps its own cache and must be instant when nothing changed.
#
# Usage: testbed/build.sh [--print-bin] [DIR...]   (DIR limits the build to those module dirs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CHARON_CACHE=${CHARON_CACHE:-$HOME/.cache/charon}
cache=$CHARON_CACHE/testbed
bin=$cache/bin

if [[ ${1-} == --print-bin ]]; then
    echo "$bin"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    # Locally the integration tests then skip with a one-line reason; CI requires every peer.
    if [[ ${CHARON_TESTBED-} == required ]]; then
        echo "build.sh: go not found on PATH and CHARON_TESTBED=required" >&2
        exit 1
    fi
    echo "build.sh: go not found on PATH: Go-built peers skipped (integration tests will skip)"
    exit 0
fi

build_flags="-trimpath -mod=mod"
export CGO_ENABLED=0

go_version() {
    # Reading GOROOT/VERSION instead of running `go version` keeps warm runs free of go invocations.
    local go_bin root
    go_bin=$(command -v go) || { echo "build.sh: go not found on PATH" >&2; exit 1; }
    root=$(cd "$(dirname "$(readlink -f "$go_bin")")/.." && pwd)
    if [[ -f $root/VERSION ]]; then head -n1 "$root/VERSION"; else go env GOVERSION; fi
}

words() { [[ -f $1 ]] && grep -v '^[[:space:]]*\(#\|$\)' "$1" | tr '\n' ' ' || true; }

mkdir -p "$bin"
goversion=$(go_version)
failed=0
wanted=("$@")

for tools in "$here"/*/TOOLS; do
    dir=$(dirname "$tools")
    name=$(basename "$dir")
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
        continue
    fi
    ldflags="-s -w $(words "$dir/LDFLAGS")"
    tags=$(words "$dir/TAGS")
    key=$(
        {
            for f in go.mod go.sum TOOLS LDFLAGS TAGS; do
                echo "== $f"
                [[ -f $dir/$f ]] && cat "$dir/$f"
            done
            echo "== flags $build_flags | $ldflags | $tags | CGO_ENABLED=0 | $goversion"
        } | sha256sum | cut -c1-16
    )
    out=$cache/$name-$key
    if [[ ! -f $out/.complete ]]; then
        start=$(date +%s)
        rm -rf "$cache/.$name-"????????????????.??????  # logs of earlier failed attempts
        stage=$(mktemp -d "$cache/.$name-$key.XXXXXX")
        log=$stage/build.log
        ok=1
        while read -r pkg exe _; do
            [[ -z ${pkg-} || $pkg == \#* ]] && continue
            # shellcheck disable=SC2086  # flag words are split on purpose
            if ! (cd "$dir" && go build $build_flags ${tags:+-tags "$tags"} -ldflags "$ldflags" \
                -o "$stage/$exe" "$pkg") >>"$log" 2>&1; then
                ok=0
                break
            fi
        done <"$tools"
        if ((ok)); then
            touch "$stage/.complete"
            rm -rf "$out"
            mv "$stage" "$out"
            # Outputs of older keys of this module are dead weight once the new one exists.
            for stale in "$cache/$name"-????????????????; do
                [[ $stale != "$out" && -f $stale/.complete ]] && rm -rf "$stale"
            done
            echo "$name: built in $(($(date +%s) - start))s"
        else
            echo "$name: FAILED after $(($(date +%s) - start))s; last lines of $log:" >&2
            tail -n 20 "$log" >&2
            failed=1
            continue
        fi
    else
        echo "$name: cached"
    fi
    while read -r pkg exe _; do
        [[ -z ${pkg-} || $pkg == \#* ]] && continue
        ln -sfn "$out/$exe" "$bin/$exe"
    done <"$tools"
done

for prepare in "$here"/*/prepare; do
    [[ -x $prepare ]] || continue
    name=$(basename "$(dirname "$prepare")")
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
        continue
    fi
    if ! "$prepare"; then
        echo "$name: prepare FAILED" >&2
        failed=1
    fi
done

exit "$failed"
