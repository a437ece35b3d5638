#!/usr/bin/env bash
# Makes sure the brokers Triage needs are running locally:
#   Redis     127.0.0.1:6379
#   RabbitMQ  127.0.0.1:5672 (guest/guest) with the management API on 15672
# Idempotent and non-interactive: a running service is left alone, a stopped one is started,
# a missing one is installed from Debian's packages when running as root (otherwise the
# command to run is printed).
#
# Usage: bash scripts/services.sh [--best-effort]
#   --best-effort   never exit non-zero: the dashboard runs on whichever broker is up and
#                   says which one is not (used by `npm run demo`).
# Env: TRIAGE_SERVICES_TIMEOUT (seconds to wait for each service, default 120).
set -uo pipefail

BEST_EFFORT=0
for arg in "$@"; do
  case "$arg" in
    --best-effort) BEST_EFFORT=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "services: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

TIMEOUT="${TRIAGE_SERVICES_TIMEOUT:-120}"
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
AMQP_PORT=5672
MGMT_URL="http://127.0.0.1:15672/api/overview"
# Debian puts the RabbitMQ tools in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
APT_UPDATED=0
FAILED=()

log() { printf 'services: %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# A TCP connect with a short timeout; bash's /dev/tcp needs no extra tools.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

redis_ready() {
  if have redis-cli; then
    [ "$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  else
    port_open "$REDIS_HOST" "$REDIS_PORT"
  fi
}

amqp_ready() { port_open 127.0.0.1 "$AMQP_PORT"; }

mgmt_ready() {
  if have curl; then
    curl -fsS -m 3 -u guest:guest -o /dev/null "$MGMT_URL" 2>/dev/null
  else
    port_open 127.0.0.1 15672
  fi
}

# wait_for <name> <check-function>: polls once a second, prints progress every 10 s.
wait_for() {
  local name="$1" check="$2" waited=0
  while ! "$check"; do
    if [ "$waited" -ge "$TIMEOUT" ]; then
      log "$name: not ready after ${TIMEOUT}s"
      return 1
    fi
    if [ $((waited % 10)) -eq 0 ]; then log "$name: waiting (${waited}s/${TIMEOUT}s)"; fi
    sleep 1
    waited=$((waited + 1))
  done
  log "$name: ready"
}

# install <package...>: apt-get as root (update once per run), else print the command.
install_packages() {
  if [ "$IS_ROOT" -ne 1 ]; then
    log "not root: cannot install $*. Run:"
    log "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $*"
    return 1
  fi
  if ! have apt-get; then
    log "no apt-get here: install $* with your system's package manager"
    return 1
  fi
  # Another apt run (an unattended upgrade, a parallel setup) may hold the lock: wait for it.
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -q)
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update || return 1
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$@"
}

# ---------------------------------------------------------------------------- Redis

start_redis() {
  if redis_ready; then
    log "redis: already up on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  if ! have redis-server; then
    log "redis: redis-server is not installed"
    install_packages redis-server redis-tools || return 1
    # The package's own scripts may have started it already.
    if redis_ready; then log "redis: up"; return 0; fi
  fi
  local dir=/var/lib/redis logdir=/var/log/redis
  if [ "$IS_ROOT" -ne 1 ] && { ! mkdir -p "$dir" "$logdir" 2>/dev/null || [ ! -w "$dir" ] || [ ! -w "$logdir" ]; }; then
    # Not root and the system dirs are not ours: keep nothing on disk anyway (--save "").
    dir="${TMPDIR:-/tmp}/triage-redis"
    logdir="$dir"
  fi
  mkdir -p "$dir" "$logdir"
  log "redis: starting redis-server (log: $logdir/ci.log)"
  # No persistence: the demo and tests need a cache-like broker, not a database on disk.
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$dir" --logfile "$logdir/ci.log" || {
    log "redis: redis-server failed to start; see $logdir/ci.log"
    return 1
  }
  wait_for redis redis_ready
}

# ---------------------------------------------------------------------------- RabbitMQ

rabbit_node_running() {
  # The Erlang VM of a node that is still booting holds no open port yet; do not start a second one.
  pgrep -f 'beam.*rabbit' >/dev/null 2>&1
}

enable_management() {
  have rabbitmq-plugins || return 1
  if amqp_ready; then
    log "rabbitmq: enabling rabbitmq_management"
    rabbitmq-plugins -q enable rabbitmq_management
  else
    # The node is down: record the plugin in the enabled-plugins file; it loads at boot.
    rabbitmq-plugins -q --offline enable rabbitmq_management
  fi
}

start_rabbitmq() {
  if amqp_ready && mgmt_ready; then
    log "rabbitmq: already up on 5672, management on 15672"
    return 0
  fi
  if ! have rabbitmq-server; then
    log "rabbitmq: rabbitmq-server is not installed"
    install_packages rabbitmq-server || return 1
  fi
  if [ "$IS_ROOT" -ne 1 ] && ! amqp_ready; then
    log "rabbitmq: not root; start it with: sudo rabbitmq-plugins --offline enable rabbitmq_management && sudo rabbitmq-server -detached"
    return 1
  fi
  if ! amqp_ready; then
    if rabbit_node_running; then
      log "rabbitmq: node is booting"
    else
      enable_management || log "rabbitmq: could not enable the management plugin offline (will retry online)"
      log "rabbitmq: starting rabbitmq-server -detached"
      rabbitmq-server -detached || {
        log "rabbitmq: rabbitmq-server failed to start; see /var/log/rabbitmq/"
        return 1
      }
    fi
    wait_for "rabbitmq (amqp 5672)" amqp_ready || return 1
  fi
  if ! mgmt_ready; then
    # Enabling an already-enabled plugin is a no-op, so this is safe on every path.
    enable_management || {
      log "rabbitmq: cannot enable the management plugin; run: rabbitmq-plugins enable rabbitmq_management"
      return 1
    }
    wait_for "rabbitmq management (15672)" mgmt_ready || return 1
  fi
}

# ---------------------------------------------------------------------------- main

start_redis || FAILED+=(redis)
start_rabbitmq || FAILED+=(rabbitmq)

if [ "${#FAILED[@]}" -eq 0 ]; then
  log "all services up: redis 127.0.0.1:6379, rabbitmq 127.0.0.1:5672 (guest/guest), management http://127.0.0.1:15672"
  exit 0
fi
log "NOT running: ${FAILED[*]} (see the messages above)"
if [ "$BEST_EFFORT" -eq 1 ]; then
  log "--best-effort: continuing; Triage runs on the brokers that are up and shows why the others are down"
  exit 0
fi
exit 1
