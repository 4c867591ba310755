# Root filesystem pieces for hack/build-images. Sourced after lib.sh; uses $WORK, $FM_CACHE,
# $REPO_DIR, $HACK_DIR, $DEBIAN_SUITE, $DEBIAN_SOURCES, $RUNNER_PULSAR_VERSION.

PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# copy_libs ROOT FILE...: the shared libraries ldd lists for FILE (and the loader), at the same
# paths inside ROOT. Static files list none.
copy_libs() {
  local root="$1"; shift
  local lib
  for lib in $( { ldd "$@" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
    [ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
  done
}

# base_files ROOT: /etc/passwd and /etc/group with root and node (1000, as in the node images),
# a world-writable /tmp, and the empty files a runtime bind-mounts over.
base_files() {
  local root="$1"
  mkdir -p "$root/etc" "$root/tmp" "$root/home/node" "$root/root"
  chmod 1777 "$root/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'node:x:1000:1000::/home/node:/bin/sh' > "$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'node:x:1000:' > "$root/etc/group"
  : > "$root/etc/hosts"; : > "$root/etc/resolv.conf"; : > "$root/etc/hostname"
}

# node_runtime ROOT: the node binary that runs this build, at /usr/local/bin/node as in the node
# images, plus the shared libraries it links.
node_runtime() {
  local root="$1"
  base_files "$root"
  install -D -m 755 "$NODE_BIN" "$root/usr/local/bin/node"
  copy_libs "$root" "$NODE_BIN"
}

busybox_path() {
  local bb
  bb="$(command -v busybox || true)"
  [ -n "$bb" ] || die "busybox not found: apt-get install busybox-static"
  if ldd "$bb" >/dev/null 2>&1; then die "$bb is dynamically linked: apt-get install busybox-static"; fi
  echo "$bb"
}

# busybox_tools ROOT: a static busybox as /bin/sh, chmod and the other small tools a `sh -c`
# script of the downloader may call (wget is ours, below).
busybox_tools() {
  local root="$1" tool
  install -D -m 755 "$(busybox_path)" "$root/bin/busybox"
  for tool in sh chmod mkdir cp mv rm ls cat echo test ln env sleep; do ln -sf busybox "$root/bin/$tool"; done
}

# downloader_tools ROOT: our `pulsarctl` and `wget` (hack/images/pulsarctl.ts, wget.ts, compiled)
# for the commands the controller renders into the downloader init container.
downloader_tools() {
  local root="$1" lib="$1/usr/local/lib/downloader" tool
  mkdir -p "$lib"
  "$REPO_DIR/node_modules/.bin/tsc" --ignoreConfig --outDir "$lib" --rootDir "$HACK_DIR/images" --module nodenext --moduleResolution nodenext \
    --target es2022 --types node --strict --skipLibCheck --typeRoots "$REPO_DIR/node_modules/@types" \
    "$HACK_DIR/images/pulsarctl.ts" "$HACK_DIR/images/wget.ts" || die "compiling hack/images/pulsarctl.ts and wget.ts failed"
  echo '{"type":"module"}' > "$lib/package.json"
  for tool in pulsarctl wget; do
    printf '#!/bin/sh\nexec node /usr/local/lib/downloader/%s.js "$@"\n' "$tool" > "$root/usr/local/bin/$tool"
    chmod 755 "$root/usr/local/bin/$tool"
  done
}

# debian_root ROOT PACKAGE...: a minimal Debian root (Essential packages plus PACKAGE...) from the
# Debian archive the host's apt uses, made with mmdebstrap and cached by its inputs, plus the
# pulsar user (10000:10001) of the runner images. Needs root.
debian_root() {
  local root="$1"; shift
  [ "$(id -u)" = 0 ] || die "the runner images need root (mmdebstrap --mode=root)"
  command -v mmdebstrap >/dev/null || die "mmdebstrap not found: apt-get install mmdebstrap"
  [ -f "$DEBIAN_SOURCES" ] || die "DEBIAN_SOURCES=$DEBIAN_SOURCES: no such apt sources file"
  local key tarball
  key="$(echo "$DEBIAN_SUITE $* $(sha256sum "$DEBIAN_SOURCES") $(declare -f debian_root)" | sha256sum | cut -c1-16)"
  tarball="$FM_CACHE/images/debian-$DEBIAN_SUITE-$key.tar"
  if [ ! -f "$tarball" ]; then
    local pkgs; pkgs="$(IFS=,; echo "$*")"
    step "debian root ($DEBIAN_SUITE: $*)" nice env SOURCE_DATE_EPOCH=0 mmdebstrap --quiet --mode=root --variant=essential --format=tar \
      --include="$pkgs" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
      --customize-hook='echo "pulsar:x:10000:10001::/pulsar:/bin/bash" >> "$1/etc/passwd"' \
      --customize-hook='echo "pulsar:x:10001:" >> "$1/etc/group"' \
      --customize-hook='rm -rf "$1"/var/cache/* "$1"/var/log/* "$1"/var/lib/apt/lists/*' \
      "$DEBIAN_SUITE" "$tarball.partial" "$DEBIAN_SOURCES"
    mv "$tarball.partial" "$tarball"
  fi
  tar -xpf "$tarball" --numeric-owner -C "$root"
}

# The server distribution of Pulsar from Maven Central (by Maven, into ~/.m2), unpacked once.
pulsar_distribution() {
  local out="$FM_CACHE/pulsar-dist-$RUNNER_PULSAR_VERSION"
  if [ ! -f "$out/.complete" ]; then
    local tgz="$WORK/dist"
    fetch_distribution() {
      mvn -B -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.apache.pulsar:pulsar-server-distribution:$RUNNER_PULSAR_VERSION:tar.gz:bin" -DoutputDirectory="$tgz" \
        >"$WORK/mvn-dist.log" 2>&1 || { tail -20 "$WORK/mvn-dist.log" >&2; return 1; }
    }
    step "pulsar $RUNNER_PULSAR_VERSION server distribution from Maven Central" fetch_distribution >&2
    rm -rf "$out"; mkdir -p "$out"
    tar -xzf "$tgz"/pulsar-server-distribution-*-bin.tar.gz -C "$out" --strip-components=1
    sha256sum "$tgz"/pulsar-server-distribution-*-bin.tar.gz | cut -c1-64 > "$out/.complete"
  fi
  echo "$out"
}
pulsar_distribution_hash() { cat "$(pulsar_distribution)/.complete"; }

# pulsar_home ROOT [--without-lib]: /pulsar as the runner images have it: the distribution's bin,
# conf, lib (the Java instance's classpath; the Python runner goes without it), instances
# (java-instance.jar, python-instance, an empty deps/) and examples (api-examples.jar, which the
# samples run), empty connectors, logs and tmp, owned by the pulsar user with group rights equal
# to the owner's.
pulsar_home() {
  local root="$1" without_lib="${2:-}" dist
  dist="$(pulsar_distribution)"
  mkdir -p "$root/pulsar"
  cp -r "$dist/bin" "$dist/conf" "$dist/instances" "$dist/examples" "$root/pulsar/"
  if [ "$without_lib" = --without-lib ]; then mkdir -p "$root/pulsar/lib"; else cp -r "$dist/lib" "$root/pulsar/"; fi
  rm -rf "$root/pulsar/instances/python-instance/tests"
  mkdir -p "$root/pulsar/instances/deps" "$root/pulsar/connectors" "$root/pulsar/logs" "$root/pulsar/tmp"
  chown -R 10000:10001 "$root/pulsar"
  chmod -R g=u "$root/pulsar"
}

# python_packages ROOT REQUIREMENT...: PyPI packages installed by pip into the Debian python3's
# /usr/local site directory. pip runs on the host, so its Python must be the image's minor version
# (the compiled wheels are per minor version).
python_packages() {
  local root="$1"; shift
  local want have
  want="$(chroot "$root" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  have="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [ "$want" = "$have" ] || die "the image has Python $want but the host's pip runs on Python $have; install python$want"
  step "PyPI packages for Python $want: $*" nice python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-warn-script-location \
    --root-user-action=ignore --target "$root/usr/local/lib/python$want/dist-packages" "$@"
}

# JAVA_CDS_ARCHIVE: the java-runner's class-data sharing archive (JDK 17 dynamic CDS) of the Java
# instance's start, which the image's JDK_JAVA_OPTIONS names. With it a JVM maps the ~5,000
# classes of Pulsar's instance and client already parsed and verified instead of loading them from
# the jars, which is most of its time to the first subscription. The command line stays as the
# controller renders it; a JVM whose classpath does not start with the archive's (another
# instancePath), or whose heap is too large for compressed oops, says so in a warning and runs
# without it.
JAVA_CDS_ARCHIVE=/pulsar/cds/java-instance.jsa
# JAVA_RUNNER_OPTIONS: the java-runner's JDK_JAVA_OPTIONS. Besides the archive, C2 (the JIT's
# optimising tier) compiles a method after 100 times the JDK's default invocation and loop counts.
# About 40% of a start's CPU went to C2 compiling start-up code that never runs again (class
# loading, zip, the client's set-up); on 2 busy cores that CPU is the wake's wall time. C1 still compiles
# at the default counts, and a method that stays hot reaches C2 as before, only later: about
# 500,000 calls (docs/images.md has the start and throughput figures). Options on the command line
# (java.javaOpts) come after these, so a user's own thresholds win.
JAVA_RUNNER_OPTIONS="-XX:SharedArchiveFile=$JAVA_CDS_ARCHIVE -XX:Tier4InvocationThreshold=500000 -XX:Tier4MinInvocationThreshold=60000"
JAVA_RUNNER_OPTIONS+=" -XX:Tier4CompileThreshold=1500000 -XX:Tier4BackEdgeThreshold=4000000"
# The rendered classpath (controller/render/runner-command.ts) without extraDependenciesDir.
JAVA_INSTANCE_CLASSPATH='/pulsar/instances/java-instance.jar:$(echo /pulsar/lib/com.fasterxml.jackson.dataformat-jackson-dataformat-yaml-*.jar):$(echo /pulsar/lib/org.yaml-snakeyaml-*.jar)'

# java_in_root ROOT SCRIPT: bash -c SCRIPT as the pulsar user chrooted into ROOT, with its own
# network (loopback only), PIDs and mounts (a /proc, which the java launcher reads), for at most
# 5 minutes (its TERM ends a JVM as an exit does: a training start still writes its archive).
java_in_root() {
  timeout --kill-after=30 300 unshare --mount --net --pid --fork --kill-child sh -c \
    'ip link set lo up && mount -t proc proc "$1/proc" && exec chroot --userspec=10000:10001 "$1" bash -c "$2"' sh "$1" "$2"
}

# java_class_archive ROOT: writes $JAVA_CDS_ARCHIVE in ROOT from a training start of Pulsar's
# ExclamationFunction (examples/api-examples.jar) with the rendered JVM options, as the pulsar
# user, chrooted into ROOT, in namespaces of its own: no network but loopback (nothing leaves the
# machine; the broker URL points at a closed local port), and a private /proc mount. The instance
# loads everything up to the Pulsar client's first connection, fails to open its sink and exits,
# and the JVM writes the archive at exit. Needs root.
java_class_archive() {
  local root="$1" log="$WORK/java-cds.log" script
  [ "$(id -u)" = 0 ] || die "the java-runner's class archive needs root (chroot, unshare)"
  # The image's tar stores every mtime as 0 (hack/images/oci-image.ts); the archive records the
  # mtime of each jar on the classpath and refuses jars that differ, so train on the same times.
  find "$root/pulsar" "$root/usr/lib/jvm" -exec touch -h -d @0 {} +
  mkdir -p "$root$(dirname "$JAVA_CDS_ARCHIVE")"
  chown 10000:10001 "$root$(dirname "$JAVA_CDS_ARCHIVE")"
  printf '%s\n' '<Configuration><Appenders><Console name="Console" target="SYSTEM_OUT"><PatternLayout pattern="%d %msg%n"/></Console></Appenders><Loggers><Root level="INFO"><AppenderRef ref="Console"/></Root></Loggers></Configuration>' \
    > "$root/tmp/cds-train-log4j.xml"
  script="cd /pulsar && exec java -cp $JAVA_INSTANCE_CLASSPATH '-Dpulsar.functions.instance.classpath=/pulsar/lib/*'"
  script+=" -Dlog4j.configurationFile=/tmp/cds-train-log4j.xml -XX:MaxRAMPercentage=70 -XX:+UseG1GC -XX:-UsePerfData"
  script+=" -XX:ArchiveClassesAtExit=$JAVA_CDS_ARCHIVE org.apache.pulsar.functions.instance.JavaInstanceMain"
  script+=" --jar /pulsar/examples/api-examples.jar --instance_id 0 --function_id 0-cds --function_version 0"
  script+=" --function_details '{\"tenant\":\"public\",\"namespace\":\"default\",\"name\":\"cds\",\"runtime\":\"JAVA\",\"autoAck\":true,\"parallelism\":1,"
  script+="\"className\":\"org.apache.pulsar.functions.api.examples.ExclamationFunction\",\"processingGuarantees\":\"ATLEAST_ONCE\","
  script+="\"source\":{\"typeClassName\":\"java.lang.String\",\"subscriptionType\":\"SHARED\",\"subscriptionName\":\"cds\",\"inputSpecs\":{\"persistent://public/default/cds-in\":{}}},"
  script+="\"sink\":{\"typeClassName\":\"java.lang.String\",\"topic\":\"persistent://public/default/cds-out\"},\"componentType\":\"FUNCTION\"}'"
  script+=" --pulsar_serviceurl pulsar://127.0.0.1:6650 --max_buffered_tuples 100 --port 9093 --metrics_port 9094"
  script+=" --expected_healthcheck_interval 0 --cluster_name kubernetes"
  # It exits by itself once the client gives up, within a minute.
  java_in_root "$root" "$script" >"$log" 2>&1 || true
  rm -f "$root/tmp/cds-train-log4j.xml"
  rm -rf "$root/pulsar/logs/functions"
  [ -s "$root$JAVA_CDS_ARCHIVE" ] || { tail -30 "$log" >&2; die "java-runner: the class archive was not written (training log above)"; }
  # The archive must map for the rendered classpath, or every pod would start without it.
  java_in_root "$root" "exec java -Xshare:on -XX:SharedArchiveFile=$JAVA_CDS_ARCHIVE -cp $JAVA_INSTANCE_CLASSPATH -version" >"$log.check" 2>&1 \
    || { cat "$log.check" >&2; die "java-runner: the class archive does not map for the rendered classpath"; }
  touch -h -d @0 "$root$JAVA_CDS_ARCHIVE"
  log "java-runner: class archive $(du -m "$root$JAVA_CDS_ARCHIVE" | cut -f1) MB, $(grep -c 'Pre JDK 6\|Skipping' "$log" || true) classes left out"
}
