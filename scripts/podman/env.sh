# Sourced by scripts/image-bases and scripts/test-image: podman's config (this folder) and its
# storage in a scratch folder outside the repository (never in the build context).
PODMAN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PODMAN_SCRATCH=${PODMAN_SCRATCH:-/var/tmp/owlcms-tracker-podman}
mkdir -p "$PODMAN_SCRATCH"
# storage.conf needs absolute paths: written here from the scratch folder.
cat >"$PODMAN_SCRATCH/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$PODMAN_SCRATCH/storage"
runroot = "$PODMAN_SCRATCH/run"
CONF
export CONTAINERS_CONF="$PODMAN_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$PODMAN_SCRATCH/storage.conf"

# podman, runc and catatonit (for --init) from apt; debootstrap for the build base.
podman_ensure() {
  local missing=() p
  for p in podman runc catatonit debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" != 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
