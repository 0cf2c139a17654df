#!/usr/bin/env bash
# Installs a gateway release in the platform's LXC runtime layout, or rolls back to the previous
# one. Idempotent for the same release id.
#
#   deploy/lxc/install.sh --binary .build/release/gateway [--inventory connectors.yaml]
#                         [--release ID] [--root DIR] [--no-systemctl]
#   deploy/lxc/install.sh --rollback [--root DIR] [--no-systemctl]
#
# Layout (under --root, default /):
#   opt/fractalops/releases/<id>/bin/gateway, connectors.yaml (+ the inventory's folder's
#                                  examples/ca when present, for relative ca_file paths)
#   opt/fractalops/current      -> releases/<id>   (switched atomically: rename of a new link)
#   opt/fractalops/shared/.env     the generated env, created empty once, never overwritten
#   etc/systemd/system/fractalops-gateway.service
# With --root / (and without --no-systemctl) the unit is reloaded and the service restarted.
set -euo pipefail

root=/
binary=""
inventory=""
release=""
rollback=false
systemctl_calls=true
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --inventory) inventory="$2"; shift 2 ;;
    --release) release="$2"; shift 2 ;;
    --rollback) rollback=true; shift ;;
    --no-systemctl) systemctl_calls=false; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
root="${root%/}"
base="$root/opt/fractalops"
here="$(cd "$(dirname "$0")" && pwd)"

switch_to() {  # atomically point current at releases/$1
  ln -sfn "releases/$1" "$base/current.new"
  mv -T "$base/current.new" "$base/current"
  echo "install.sh: current -> releases/$1"
}

restart() {
  if $systemctl_calls && [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
    systemctl enable fractalops-gateway.service >/dev/null
    systemctl restart fractalops-gateway.service
  fi
}

if $rollback; then
  [ -L "$base/current" ] || { echo "install.sh: $base/current does not exist: nothing to roll back" >&2; exit 1; }
  active="$(basename "$(readlink "$base/current")")"
  previous="$(ls -1 "$base/releases" | sort | awk -v active="$active" '$0 == active { print last; exit } { last = $0 }')"
  if [ -z "$previous" ]; then
    echo "install.sh: releases/$active is the oldest release: nothing to roll back to" >&2
    exit 1
  fi
  switch_to "$previous"
  restart
  exit 0
fi

[ -n "$binary" ] || { echo "install.sh: --binary PATH is required (e.g. .build/release/gateway from scripts/build-static)" >&2; exit 2; }
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable file" >&2; exit 2; }
inventory="${inventory:-$here/../../connectors.yaml}"
[ -f "$inventory" ] || { echo "install.sh: the inventory $inventory does not exist" >&2; exit 2; }
release="${release:-$(date -u +%Y%m%d%H%M%S)}"
case "$release" in
  */*|.*|"") echo "install.sh: --release '$release' must be a plain name (e.g. 20261201T2300)" >&2; exit 2 ;;
esac

target="$base/releases/$release"
mkdir -p "$target/bin" "$base/shared" "$root/etc/systemd/system"
install -m 0755 "$binary" "$target/bin/gateway.new"
mv -f "$target/bin/gateway.new" "$target/bin/gateway"
install -m 0644 "$inventory" "$target/connectors.yaml"
inventory_dir="$(cd "$(dirname "$inventory")" && pwd)"
if [ -d "$inventory_dir/examples/ca" ]; then
  mkdir -p "$target/examples"
  cp -R "$inventory_dir/examples/ca" "$target/examples/"
fi
# The configuration must load before the release goes live (the shared env included).
if [ ! -f "$base/shared/.env" ]; then
  printf '# The generated env of this host (gateway render-env); shared by every release.\n' > "$base/shared/.env"
  chmod 0640 "$base/shared/.env"
fi
if ! "$target/bin/gateway" validate --inventory "$target/connectors.yaml" --env-file "$base/shared/.env"; then
  rm -rf "$target"
  echo "install.sh: release $release does not load (above); current stays $(readlink "$base/current" 2>/dev/null || echo unset)" >&2
  exit 1
fi
sed "s|@ROOT@|$root|g" "$here/fractalops-gateway.service" > "$root/etc/systemd/system/fractalops-gateway.service.new"
mv -f "$root/etc/systemd/system/fractalops-gateway.service.new" "$root/etc/systemd/system/fractalops-gateway.service"
if [ -z "$root" ] && ! id fractalops >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin fractalops
fi
switch_to "$release"
restart
