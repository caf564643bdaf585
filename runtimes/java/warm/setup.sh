#!/bin/sh
# Java's warm parts (docs/WARM.md), built at image build as root in /opt/codebeaker/warm, for this image's JDK.
set -eu
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")

# The launcher is C on the JVM's invocation API; a C compiler is in the image for this step only.
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends gcc libc6-dev
gcc -O2 -Wall -Wextra -o java-launcher launcher.c -I"$java_home/include" -I"$java_home/include/linux" -ldl -lpthread
apt-get purge -y --auto-remove gcc libc6-dev
rm -rf /var/lib/apt/lists/*

# The resident compiler. Its JVM: the cold javac's collector and JIT level and its default heap limit (a quarter
# of the session's memory, so a compile that fits cold fits here), but a heap that shrinks back when idle (see
# ResidentJavac.collectWhenIdle), and a class data archive of what it loads while warming up, for a shorter start
# (an archive takes classes from jars only).
javac -encoding UTF-8 -d classes ResidentJavac.java
jar --create --file resident-javac.jar -C classes .
rm -r classes
options="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:-ShrinkHeapInSteps"
# shellcheck disable=SC2086 # the options are words
java $options -XX:ArchiveClassesAtExit=resident-javac.jsa -cp resident-javac.jar ResidentJavac </dev/null 3>/dev/null
printf '%s\n' $options -XX:SharedArchiveFile="$PWD/resident-javac.jsa" -Xlog:disable -cp "$PWD/resident-javac.jar" ResidentJavac \
  > resident-javac.args
