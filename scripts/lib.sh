# shellcheck shell=bash
# Shared by scripts/setup, scripts/serve and scripts/test: where the tools live, and one
# idempotent `ensure_*` function per tool. Each checks for the exact version first and installs
# only when it is missing or different, so a second run costs a few seconds.
#
# Where things go:
#   wasm32-unknown-unknown target  rustup's toolchain directory
#   trunk, wasm-bindgen-cli        $CARGO_HOME/bin (default ~/.cargo/bin), built by `cargo install`
#   wasm-opt (binaryen, npm)       .tools/node_modules/.bin in this checkout (git-ignored)
#   axe-core (npm, tests only)     .tools/node_modules/axe-core in this checkout (git-ignored)
#   node + npm, chromium, chromedriver   Debian packages (apt-get, via sudo when not root)
#
# Nothing here downloads a prebuilt binary from a project's website: only crates.io, npm and
# Debian are reachable on the machines this project runs on.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export CARGO_HOME
export PATH="$TOOLS/node_modules/.bin:$CARGO_HOME/bin:$PATH"
# Trunk must never go to the network: no update check, tools pinned in Trunk.toml.
export TRUNK_SKIP_VERSION_CHECK=true

TRUNK_VERSION="0.22.1"
BINARYEN_VERSION="132"
# The accessibility engine the end-to-end test injects into the built page.
AXE_VERSION="4.14.1"

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing system packages needs root or sudo: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    note "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  note "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The version of a package in Cargo.lock (the first entry with that name).
lock_version() {
  awk -v want="name = \"$1\"" '$0 == want { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# `tool --version` output, or nothing when the tool is absent or broken.
version_of() {
  "$@" --version 2>/dev/null | head -n 1 || true
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1 \
    || die "cargo and rustup are needed first (install Rust with rustup, then re-run)"
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    note "wasm32-unknown-unknown target: present"
  else
    step "Adding the wasm32-unknown-unknown target (seconds)"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(version_of trunk)" = "trunk $TRUNK_VERSION" ]; then
    note "trunk $TRUNK_VERSION: present"
    return
  fi
  step "Installing trunk $TRUNK_VERSION into $CARGO_HOME/bin (cargo install; ~10 min on 2 cores)"
  # --ignore-rust-version: its manifest asks for a newer rustc than it needs. LTO off and more
  # codegen units cut the build from ~17 to ~10 minutes; trunk's own speed does not matter here.
  (cd / && CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked --ignore-rust-version --force "trunk@$TRUNK_VERSION")
}

ensure_wasm_bindgen() {
  local want pinned
  want="$(lock_version wasm-bindgen)"
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  pinned="$(sed -n 's/^wasm_bindgen = "\(.*\)"/\1/p' "$ROOT/Trunk.toml")"
  [ "$pinned" = "$want" ] \
    || die "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock has wasm-bindgen $want; make them equal"
  if [ "$(version_of wasm-bindgen)" = "wasm-bindgen $want" ] \
    && [ "$(version_of wasm-bindgen-test-runner)" = "wasm-bindgen-test-runner $want" ]; then
    note "wasm-bindgen-cli $want: present"
    return
  fi
  step "Installing wasm-bindgen-cli $want (equal to Cargo.lock) into $CARGO_HOME/bin (~3 min)"
  # Not --locked: the registry lacks one dependency version of its lock file.
  (cd / && cargo install --force wasm-bindgen-cli --version "$want")
}

ensure_npm() {
  if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
    return
  fi
  step "Installing node and npm (Debian) to fetch binaryen's wasm-opt"
  apt_install nodejs npm
}

ensure_wasm_opt() {
  local bin="$TOOLS/node_modules/.bin/wasm-opt"
  if [ -x "$bin" ] && version_of "$bin" | grep -q "version $BINARYEN_VERSION\b"; then
    note "wasm-opt $BINARYEN_VERSION: present in .tools/"
    return
  fi
  ensure_npm
  step "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION.0.0) into .tools/ (seconds)"
  # Debian's binaryen is too old to read current rustc output; Trunk.toml pins version_132.
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION.0.0"
  version_of "$bin" | grep -q "version $BINARYEN_VERSION\b" || die "wasm-opt from npm did not report version $BINARYEN_VERSION"
}

# axe-core's axe.min.js for the end-to-end test's accessibility check (tests/e2e reads it from
# .tools/, or from $AXE_JS); never part of the repository or the page.
ensure_axe() {
  local dir="$TOOLS/node_modules/axe-core"
  if [ -f "$dir/axe.min.js" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$dir/package.json" 2>/dev/null; then
    note "axe-core $AXE_VERSION: present in .tools/"
    return
  fi
  ensure_npm
  step "Installing axe-core@$AXE_VERSION (npm) into .tools/ for the accessibility check (seconds)"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error --save-exact "axe-core@$AXE_VERSION"
  grep -q "\"version\": \"$AXE_VERSION\"" "$dir/package.json" || die "axe-core from npm is not version $AXE_VERSION"
}

ensure_browser() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    note "chromium and chromedriver: present"
    return
  fi
  step "Installing chromium and chromium-driver (Debian, ~1 min)"
  apt_install chromium chromium-driver
}

# Everything `trunk build` needs.
ensure_build_tools() {
  step "Checking tools (installing what is missing)"
  ensure_rust
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
}

# Crates for every target, so the offline Trunk build finds them.
fetch_crates() {
  step "Fetching crates (cargo fetch)"
  (cd "$ROOT" && cargo fetch --quiet)
}

build_page() {
  fetch_crates
  step "Building the page (trunk build --release --offline -> dist/)"
  (cd "$ROOT" && trunk build --release --offline)
}
