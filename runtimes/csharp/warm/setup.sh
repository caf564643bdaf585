#!/bin/sh
# At image build (docs/WARM.md), in /opt/codebeaker/warm: C#'s resident compiler, mcs-server.exe, and its launcher,
# the Mono profiler module libmono-profiler-codebeaker.so with its stand-in program Program.exe (see mono-launch.c).
set -eu
warm=$PWD

mcs -nologo -unsafe -r:/usr/lib/mono/4.5/mcs.exe -out:mcs-server.exe mcs-server.cs mcs-references.cs
# mcs-server.exe loads mcs.exe as a library: Mono looks for it beside the program.
ln -s /usr/lib/mono/4.5/mcs.exe mcs.exe

# The program the launcher's mono is started with; never run. Named as execute_code's programs are, since the
# launcher renames the domain after the real one anyway.
printf 'class Program { static void Main() {} }\n' > stand-in.cs
mcs -nologo -out:Program.exe stand-in.cs
rm stand-in.cs

# The image has no C compiler: one is installed for the module, and removed again.
apt-get update
apt-get install -y --no-install-recommends gcc libc6-dev
gcc -shared -fPIC -O2 -Wall -Werror -o libmono-profiler-codebeaker.so mono-launch.c
apt-get purge -y --auto-remove gcc libc6-dev
# Nothing of apt's in the image: its downloads and package caches are most of what this would add to it.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# `mono --profile=codebeaker` loads libmono-profiler-codebeaker.so from beside Mono's own libraries.
ln -s "$warm/libmono-profiler-codebeaker.so" /usr/lib/libmono-profiler-codebeaker.so
