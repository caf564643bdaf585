#!/bin/sh
# At image build (docs/WARM.md), in /opt/codebeaker/warm: Rust's resident compiler, rustc-server.so (preloaded into
# rustc), and mold, the linker warm compiles use: most of a small program's cold compile is ld.bfd copying the
# standard library's debug information, which mold skips with --strip-debug (rustc's -C strip=debuginfo).
set -eu
apt-get update
apt-get install -y --no-install-recommends mold
# Nothing of apt's in the image: its downloads and package caches are most of what this would add to it.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
gcc -shared -fPIC -O2 -Wall -Werror -o rustc-server.so rustc-server.c -ldl
