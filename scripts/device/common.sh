# Sourced by the device scripts (from the repository root): what they all did the same way, their
# option parsing, their progress lines and the snig-bench build. (check-sample.sh and node-env.sh are
# sourced beside it by the scripts that need them.)

# parse_options SPEC ARGS...: SPEC lists "--flag VAR" pairs (on one line or several), e.g. "--only ONLY --repeat REPEAT";
# `--flag value` sets VAR to value, and a VAR written NAME=VALUE makes --flag a switch that sets NAME
# to VALUE ("--scaling SCALING=1"). An option not in SPEC: "unknown option", exit 2.
parse_options() {
  local -a _spec
  read -ra _spec -d '' <<<"$1" || true # the whole SPEC, across lines
  shift
  local _i _var
  while [ $# -gt 0 ]; do
    _var=""
    for ((_i = 0; _i + 1 < ${#_spec[@]}; _i += 2)); do
      if [ "${_spec[_i]}" = "$1" ]; then _var=${_spec[_i + 1]}; break; fi
    done
    if [ -z "$_var" ]; then echo "unknown option $1" >&2; exit 2; fi
    if [[ $_var == *=* ]]; then
      printf -v "${_var%%=*}" '%s' "${_var#*=}"
      shift
    else
      printf -v "$_var" '%s' "$2"
      shift 2
    fi
  done
}

# elapsed: whole seconds since $START (each script sets START=$(date +%s) where its clock starts).
elapsed() { echo $(( $(date +%s) - START )); }

# say TEXT...: TEXT after the elapsed seconds, on stdout and, when SAY_LOG names a file, appended to it.
say() {
  local line="[$(elapsed)s] $*"
  echo "$line"
  if [ -n "${SAY_LOG:-}" ]; then echo "$line" >>"$SAY_LOG"; fi
}

# keep_results LABEL LINES: each RESULT line of LINES into the RESULTS array, after LABEL; no line: a
# FAILED entry, and status 1 (the bench() wrappers of run.sh and general-check.sh).
keep_results() {
  local label=$1 lines=$2 line
  if [ -z "$lines" ]; then RESULTS+=("$label FAILED (no result; see log)"); return 1; fi
  while IFS= read -r line; do RESULTS+=("$label ${line#RESULT }"); done <<<"$lines"
}

# build_bench DIR: configures (Release) and builds snig-bench in DIR with cmake; the caller redirects.
build_bench() {
  cmake -S native -B "$1" -DCMAKE_BUILD_TYPE=Release && cmake --build "$1" -j"$(nproc)" --target snig-bench
}
