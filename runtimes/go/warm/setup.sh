#!/bin/sh
# At image build (docs/WARM.md), in /opt/codebeaker/warm: the standard library built once for every session, and
# go-build, Go's warm compile line, which links against it. Then a check that go-build's binary and diagnostics are
# go build's: the image is not built if they differ.
set -eu
warm=$PWD
# The build settings of a session (runtimes/go/language.json `env`): the standard library is built for them, and
# go-build compiles directly only when a compile has the same (it reads them back from go-build.conf).
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
export GOCACHE="$warm/go-cache" GOPATH=/tmp/go-setup HOME=/tmp/go-setup

go build -o go-build go-build.go
go list -export -f '{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}' std > go-std.importcfg
{
  echo "goroot=$(go env GOROOT)"
  echo "version=$(go env GOVERSION)"
  ./go-build -env
} > go-build.conf

check=$(mktemp -d)
cd "$check"
cat > main.go <<'GO'
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println(len(os.Args))
	var counts map[string]int
	counts["panic"]++
}
GO
go build -x -o "$check/cold" "$check/main.go" 2> build.log
# go build's build information for a program of named files (path command-line-arguments), in its link's importcfg.
sed -n 's/^modinfo /modinfo=modinfo /p' build.log >> "$warm/go-build.conf"
# Linked with the build ID go build gave its link, then rewritten as go build does, the binary must be go build's.
link_id=$(sed -n 's/.*\/link -o .* -buildid=\([^ ]*\) .*/\1/p' build.log)
"$warm/go-build" -selfcheck "$link_id" -o "$check/warm" "$check/main.go"
go tool buildid -w warm
cmp cold warm

# A compile error: the same text on stderr, the same exit status.
printf 'package main\n\nimport "os"\n\nfunc main() {\n\tx := 1\n}\n' > main.go
set +e
go build -o "$check/cold" "$check/main.go" 2> cold.err; cold_status=$?
set -e
# go build's exit status for a build that fails (1 since Go 1.20, 2 before): go-build exits with it.
echo "failure_status=$cold_status" >> "$warm/go-build.conf"
set +e
"$warm/go-build" -o "$check/warm" "$check/main.go" 2> warm.err; warm_status=$?
set -e
test "$cold_status" = "$warm_status"
cmp cold.err warm.err

cd "$warm"
rm -rf "$check" /tmp/go-setup
chmod -R a+rX "$warm"
