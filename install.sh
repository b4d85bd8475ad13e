#!/usr/bin/env bash
# YTEmpire installer. Run ./install.sh --help for the modes.
#
# Idempotent: a second run with nothing changed skips pip (a stamp records what
# was installed), never rewrites an existing config, and leaves a running
# service alone unless its code or unit changed.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: ./install.sh [--dev | --local | --system] [--no-start]

Local mode (default when not root, or when systemd is not running):
  creates .venv in this checkout, installs YTEmpire into it (editable) with the
  exact versions from requirements/lock.txt, writes ./ytempire.toml once and
  keeps data under ./var. Then: .venv/bin/ytempire serve

Box mode (default as root on a machine running systemd, or with --system):
  the ytempire system user, a venv in /opt/ytempire/venv, the config
  /etc/ytempire/ytempire.toml (written once, never overwritten), data in
  /var/lib/ytempire, and the systemd unit ytempire.service enabled and started.

Options:
  --dev        local mode plus the development tools (pytest, ruff, shellcheck,
               Playwright) and the Debian packages the tests use: chromium and
               fonts-dejavu-core (browser tests), prometheus (promtool); root
               installs them, otherwise it says what to install
  --local      force local mode (e.g. a development checkout as root)
  --system     force box mode
  --no-start   box mode: install files only, do not call systemctl
  -h, --help   show this help

Environment (box mode):
  YTEMPIRE_PREFIX      install prefix, venv in PREFIX/venv  (/opt/ytempire)
  YTEMPIRE_ETC         config directory                      (/etc/ytempire)
  YTEMPIRE_DATA        data directory and the user's home    (/var/lib/ytempire)
  YTEMPIRE_UNIT_DIR    where the unit goes                   (/etc/systemd/system)
  YTEMPIRE_USER        service user, created if missing      (ytempire)
  YTEMPIRE_GPU_GROUPS  groups for GPU device access, those that exist are used
                                                             ("video render")
  YTEMPIRE_PYTHON      Python 3.11+ to build the venv from   (found on the system)
EOF
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
usage_error() { printf 'install.sh: %s (see ./install.sh --help)\n' "$*" >&2; exit 2; }

STAGE=""
cleanup() { if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi; }

is_root() { [ "$(id -u)" -eq 0 ]; }
systemd_running() { [ -d /run/systemd/system ]; }

# ---------------------------------------------------------------- packages --

APT_UPDATED=0

# apt_install WHAT PKG...: install Debian packages (root only), else say what to
# install and stop.
apt_install() {
    local what=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        die "missing $what; install it with your package manager (Debian/Ubuntu package: $*)"
    fi
    if ! is_root; then
        die "missing $what; install it with: sudo apt-get install $*"
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# ------------------------------------------------------------------ python --

python_new_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# Debian ships the venv module without ensurepip unless python3.X-venv is
# installed, and `python3 -m venv` fails then; ensurepip is the real test.
python_has_venv() {
    "$1" -c 'import venv, ensurepip' >/dev/null 2>&1
}

PY=""
PY_NO_VENV=""

# pick_python CANDIDATE...: set PY to the first Python 3.11+ with venv support;
# remember the first 3.11+ without it in PY_NO_VENV.
pick_python() {
    local c p
    PY=""
    PY_NO_VENV=""
    for c in "$@"; do
        p=$(command -v "$c" 2>/dev/null) || continue
        python_new_enough "$p" || continue
        if python_has_venv "$p"; then
            PY=$p
            return 0
        fi
        [ -n "$PY_NO_VENV" ] || PY_NO_VENV=$p
    done
    return 1
}

# ensure_python MODE: set PY, installing Debian packages if needed (and root).
ensure_python() {
    local -a candidates
    if [ -n "${YTEMPIRE_PYTHON:-}" ]; then
        pick_python "$YTEMPIRE_PYTHON" ||
            die "YTEMPIRE_PYTHON=$YTEMPIRE_PYTHON is not a Python 3.11+ with the venv module"
        return 0
    elif [ "$1" = box ]; then
        # The service user must be able to run the venv's interpreter, so
        # prefer the distribution's Python over ones under a home directory.
        candidates=(/usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11
            python3 python3.13 python3.12 python3.11)
    else
        candidates=(python3 python3.13 python3.12 python3.11)
    fi
    pick_python "${candidates[@]}" && return 0

    local ver
    if [ -n "$PY_NO_VENV" ]; then
        ver=$("$PY_NO_VENV" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        apt_install "the venv module for $PY_NO_VENV" "python$ver-venv"
    else
        apt_install "Python 3.11+ with the venv module" python3 python3-venv
    fi
    pick_python "${candidates[@]}" && return 0
    die "no Python 3.11+ with the venv module found (this system's python3 may be too old); install python3.11 and python3.11-venv, or set YTEMPIRE_PYTHON"
}

# venv_usable DIR: the venv exists, runs Python 3.11+ and has pip.
venv_usable() {
    [ -x "$1/bin/python" ] &&
        python_new_enough "$1/bin/python" &&
        "$1/bin/python" -m pip --version >/dev/null 2>&1
}

# ensure_venv DIR MODE
ensure_venv() {
    local dir=$1 mode=$2
    if venv_usable "$dir"; then
        say "using the existing virtual environment $dir"
        return 0
    fi
    ensure_python "$mode"
    if [ -e "$dir" ]; then
        say "recreating $dir (missing, broken or too old a Python)"
    else
        say "creating virtual environment $dir ($("$PY" -V 2>&1))"
    fi
    "$PY" -m venv --clear "$dir"
    venv_usable "$dir" || die "the new virtual environment $dir has no working pip"
}

pip_install() {
    local venv=$1
    shift
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "$@"
}

python_version_of() {
    "$1/bin/python" -c 'import sys; print(sys.version)'
}

# hash_files DIR PATH...: one hash over the contents and names of the files
# under DIR/PATH..., stable across runs and checkout locations.
hash_files() {
    local dir=$1
    shift
    (cd "$dir" && find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
        sha256sum | cut -d' ' -f1
}

# -------------------------------------------------------------- local mode --

# What the tests need from Debian: Chromium and a font for the console's browser tests
# (Playwright drives Debian's Chromium; its own browser downloads are never used),
# promtool (package prometheus) to check the /metrics exposition, and a PostgreSQL
# server (the suite runs the database tests on it too, and two boxes sharing it).
ensure_test_tools() {
    local -a missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    # The n8n workflows' Code node (JavaScript) is run against real deliveries.
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "the test suite's browser, metrics checker and JavaScript" "${missing[@]}"
    fi
}

install_local() {
    local dev=$1
    local venv="$ROOT/.venv"
    local stamp="$venv/.ytempire-install" want have="" have_extra="" extra=base spec=.
    if [ "$dev" -eq 1 ]; then
        extra=dev
        spec=".[dev]"
    fi

    say "local install into $venv (data under ./var)"
    ensure_venv "$venv" local
    if [ "$dev" -eq 1 ]; then
        ensure_test_tools
    fi

    want=$(
        {
            hash_files "$ROOT" pyproject.toml requirements/lock.txt
            python_version_of "$venv"
        } | sha256sum | cut -d' ' -f1
    )
    if [ -f "$stamp" ]; then
        read -r have have_extra <"$stamp" || true
    fi
    if [ "$have" = "$want" ] && [ -x "$venv/bin/ytempire" ] &&
        { [ "$extra" = base ] || [ "$have_extra" = dev ]; }; then
        say "packages up to date (delete $stamp to force a reinstall)"
    else
        say "installing YTEmpire ($spec, editable) with the versions in requirements/lock.txt"
        (cd "$ROOT" && pip_install "$venv" -c requirements/lock.txt -e "$spec")
        # A dev install also satisfies a later plain run.
        if [ "$extra" = base ] && [ "$have" = "$want" ] && [ "$have_extra" = dev ]; then
            extra=dev
        fi
        printf '%s %s\n' "$want" "$extra" >"$stamp"
    fi

    say "configuration ./ytempire.toml, data ./var"
    (cd "$ROOT" && "$venv/bin/ytempire" init --config ./ytempire.toml --data-dir ./var)

    say "done. Start it with:"
    printf '    .venv/bin/ytempire serve\n'
    printf '    (console and API on http://127.0.0.1:8080; the first start prints the admin password once)\n'
}

# ---------------------------------------------------------------- box mode --

# Paths end up in the unit file and in sed expressions: keep them plain.
check_path() {
    case "$2" in
        /*) ;;
        *) die "$1 must be an absolute path: '$2'" ;;
    esac
    case "$2" in
        *[[:space:]\|\&\\\'\"\$\;]*) die "$1 contains characters not allowed in a unit file path: '$2'" ;;
    esac
}

# Existing groups out of the requested GPU groups, space-separated.
existing_groups() {
    local g out=""
    for g in $1; do
        if getent group "$g" >/dev/null 2>&1; then
            out="${out:+$out }$g"
        fi
    done
    printf '%s' "$out"
}

# render_unit TEMPLATE VENV CONFIG DATA USER GROUP SUPPLEMENTARY_GROUPS
# Print the unit with the install paths and the service user filled in.
render_unit() {
    local template=$1 venv=$2 config=$3 data=$4 user=$5 group=$6 groups=$7
    local groups_expr
    if [ -n "$groups" ]; then
        groups_expr="s|^SupplementaryGroups=.*|SupplementaryGroups=$groups|"
    else
        groups_expr='/^SupplementaryGroups=/d'
    fi
    sed -e "s|^ExecStart=.*|ExecStart=$venv/bin/ytempire serve --config $config|" \
        -e "s|^Documentation=file:.*|Documentation=file://$config|" \
        -e "s|^User=.*|User=$user|" \
        -e "s|^Group=.*|Group=$group|" \
        -e "s|^ReadWritePaths=.*|ReadWritePaths=$data|" \
        -e "$groups_expr" \
        "$template"
}

# run_as USER CMD...: run a command as the service user, from a directory it
# can enter, with the same environment the service gets (no YTEMPIRE_* from
# the caller's shell).
run_as() {
    local user=$1
    shift
    local -a cmd=(env -u YTEMPIRE_CONFIG -u YTEMPIRE_DATA_DIR -u YTEMPIRE_PORT "$@")
    if [ "$(id -un)" = "$user" ]; then
        (cd / && "${cmd[@]}")
    else
        (cd / && runuser -u "$user" -- "${cmd[@]}")
    fi
}

ensure_user() {
    local user=$1 home=$2 shell
    if id -u "$user" >/dev/null 2>&1; then
        say "service user $user exists"
        return 0
    fi
    if ! command -v useradd >/dev/null 2>&1 && ! command -v adduser >/dev/null 2>&1; then
        apt_install "useradd (to create the service user)" passwd
    fi
    shell=/usr/sbin/nologin
    [ -x "$shell" ] || shell=/sbin/nologin
    [ -x "$shell" ] || shell=/bin/false
    say "creating system user $user (home $home, no login shell)"
    if command -v useradd >/dev/null 2>&1; then
        useradd --system --user-group --home-dir "$home" --no-create-home --shell "$shell" "$user"
    else
        adduser --system --group --home "$home" --no-create-home --shell "$shell" "$user"
    fi
}

ensure_groups() {
    local user=$1 groups=$2 g
    for g in $groups; do
        case " $(id -nG "$user") " in
            *" $g "*) continue ;;
        esac
        if ! is_root; then
            say "not root: cannot add $user to group $g (GPU access), skipping"
            continue
        fi
        say "adding $user to group $g (GPU device access)"
        usermod -a -G "$g" "$user"
    done
}

install_box() {
    local start=$1
    local prefix="${YTEMPIRE_PREFIX:-/opt/ytempire}"
    local etc="${YTEMPIRE_ETC:-/etc/ytempire}"
    local data="${YTEMPIRE_DATA:-/var/lib/ytempire}"
    local unit_dir="${YTEMPIRE_UNIT_DIR:-/etc/systemd/system}"
    local user="${YTEMPIRE_USER:-ytempire}"
    local gpu_groups="${YTEMPIRE_GPU_GROUPS-video render}"
    local venv="$prefix/venv" config="$etc/ytempire.toml" unit="$unit_dir/ytempire.service"
    local me group groups stage want have="" code_changed=0 unit_changed=0 tmp_unit

    check_path YTEMPIRE_PREFIX "$prefix"
    check_path YTEMPIRE_ETC "$etc"
    check_path YTEMPIRE_DATA "$data"
    check_path YTEMPIRE_UNIT_DIR "$unit_dir"
    case "$user" in
        '' | *[!a-z0-9_-]*) die "YTEMPIRE_USER must be a plain user name: '$user'" ;;
    esac
    me=$(id -un)
    if ! is_root && [ "$user" != "$me" ]; then
        die "box mode needs root (sudo ./install.sh), or use local mode: ./install.sh --local"
    fi

    # The service user must be able to read what root installs here.
    umask 022
    say "box install: venv $venv, config $config, data $data"

    ensure_user "$user" "$data"
    group=$(id -gn "$user")
    groups=$(existing_groups "$gpu_groups")
    ensure_groups "$user" "$groups"

    # Code: build from a clean copy of the checkout (no build/ or egg-info left
    # behind in it, owned by root), reinstall only when that copy changed.
    install -d -m 0755 "$prefix"
    ensure_venv "$venv" box
    run_as "$user" "$venv/bin/python" -c 'pass' ||
        die "user $user cannot run $venv/bin/python (built from a Python under a home directory?); set YTEMPIRE_PYTHON to a system Python 3.11+"

    STAGE=$(mktemp -d)
    trap cleanup EXIT
    stage=$STAGE
    tar -C "$ROOT" -cf - \
        --exclude=./.git --exclude=./.venv --exclude=./var --exclude=./build --exclude=./dist \
        --exclude=./tests --exclude=./docs --exclude=./.ci --exclude=./ytempire.toml \
        --exclude='*.egg-info' --exclude=__pycache__ --exclude=.pytest_cache --exclude=.ruff_cache \
        . | tar -C "$stage" -xf -
    want=$(
        {
            hash_files "$stage" .
            python_version_of "$venv"
        } | sha256sum | cut -d' ' -f1
    )
    if [ -f "$prefix/.install-stamp" ]; then
        read -r have <"$prefix/.install-stamp" || true
    fi
    if [ "$have" = "$want" ] && [ -x "$venv/bin/ytempire" ]; then
        say "installed code is up to date"
    else
        say "installing YTEmpire into $venv with the versions in requirements/lock.txt"
        pip_install "$venv" -c "$stage/requirements/lock.txt" "$stage"
        printf '%s\n' "$want" >"$prefix/.install-stamp"
        code_changed=1
    fi

    # Config and data. The config is written once by `ytempire init` and never
    # touched again: an operator may have edited it.
    install -d -m 0750 -o "$me" -g "$group" "$etc"
    install -d -m 0750 -o "$user" -g "$group" "$data"
    if [ -e "$config" ]; then
        say "keeping the existing config $config; applying database migrations"
        run_as "$user" "$venv/bin/ytempire" init --config "$config"
    else
        say "writing the config $config"
        (cd / && env -u YTEMPIRE_CONFIG -u YTEMPIRE_DATA_DIR -u YTEMPIRE_PORT \
            "$venv/bin/ytempire" init --config "$config" --data-dir "$data")
        chown "$me:$group" "$config"
        chmod 0640 "$config"
        # init ran as root; the fresh data directory belongs to the service.
        chown -R "$user:$group" "$data"
        chmod 0750 "$data"
    fi

    # Unit.
    install -d -m 0755 "$unit_dir"
    tmp_unit="$stage/ytempire.service.rendered"
    render_unit "$ROOT/systemd/ytempire.service" "$venv" "$config" "$data" "$user" "$group" "$groups" >"$tmp_unit"
    if [ -f "$unit" ] && cmp -s "$tmp_unit" "$unit"; then
        say "unit $unit is up to date"
    else
        say "installing unit $unit"
        install -m 0644 "$tmp_unit" "$unit"
        unit_changed=1
    fi

    if [ "$start" -eq 0 ]; then
        say "--no-start: not calling systemctl. Start it with: systemctl enable --now ytempire"
    elif ! systemd_running; then
        say "systemd is not running here: not starting the service"
    else
        if [ "$unit_changed" -eq 1 ] ||
            [ "$(systemctl show -p NeedDaemonReload --value ytempire.service 2>/dev/null)" = yes ]; then
            say "systemctl daemon-reload"
            systemctl daemon-reload
        fi
        if ! systemctl is-enabled --quiet ytempire.service 2>/dev/null; then
            say "enabling and starting ytempire.service"
            systemctl enable --now --quiet ytempire.service
        elif ! systemctl is-active --quiet ytempire.service; then
            say "starting ytempire.service"
            systemctl start ytempire.service
        elif [ "$code_changed" -eq 1 ] || [ "$unit_changed" -eq 1 ]; then
            say "restarting ytempire.service (code or unit changed)"
            systemctl restart ytempire.service
        else
            say "ytempire.service is running and unchanged"
        fi
    fi

    say "done."
    printf '    config: %s (after editing: systemctl restart ytempire)\n' "$config"
    printf '    logs:   journalctl -u ytempire -f\n'
    printf '    admin:  the first start writes the admin login to %s/initial-admin-password\n' "$data"
    printf '            (readable by root and %s only; log in, change the password, delete the file)\n' "$user"
}

# -------------------------------------------------------------------- main --

main() {
    local mode=auto dev=0 start=1
    while [ $# -gt 0 ]; do
        case "$1" in
            -h | --help)
                usage
                exit 0
                ;;
            --dev) dev=1 ;;
            --local)
                [ "$mode" != system ] || usage_error "--local and --system exclude each other"
                mode=local
                ;;
            --system)
                [ "$mode" != local ] || usage_error "--local and --system exclude each other"
                mode=system
                ;;
            --no-start) start=0 ;;
            *) usage_error "unknown option '$1'" ;;
        esac
        shift
    done
    if [ "$dev" -eq 1 ]; then
        [ "$mode" != system ] || usage_error "--dev is a local-mode option; it does not combine with --system"
        mode=local
    fi
    if [ "$mode" = auto ]; then
        if is_root && systemd_running; then
            mode=system
        else
            mode=local
        fi
    fi

    ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
    [ -f "$ROOT/pyproject.toml" ] && [ -f "$ROOT/requirements/lock.txt" ] ||
        die "run install.sh from a complete YTEmpire checkout (pyproject.toml or requirements/lock.txt missing)"

    if [ "$mode" = system ]; then
        install_box "$start"
    else
        install_local "$dev"
    fi
}

# Sourcing the file (the tests do, to check render_unit) defines the functions
# and runs nothing.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
