#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, seeded with a Run:ai-like cluster, for trying
# nodeplan by hand: scripts/control-plane.sh start DIR (prints the admin KUBECONFIG) | stop DIR.
# Builds the binaries first if the pins changed (needs Go).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "start" ]]; then bash scripts/build-control-plane.sh; fi
exec npx tsx scripts/control-plane.ts "$@"
