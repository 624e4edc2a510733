# Shared by the fake commands: logs each call and records that the agent was restarted.
# Environment: FAKE_LOG (one line per call: "<command> <args>"), FAKE_STATE (a directory),
# FAKE_RESTART_FAILS=1 makes the restart command itself fail.
# Uses shell builtins only, so the fakes run on a PATH holding nothing but the fakes.

fake_log() {
  printf '%s\n' "$*" >>"$FAKE_LOG"
}

fake_restart() {
  if [ "${FAKE_RESTART_FAILS:-0}" = 1 ]; then
    echo "$1: restart failed (fake)" >&2
    exit 1
  fi
  : >"$FAKE_STATE/agent-restarted"
}

# Succeeds when the space-separated list $1 contains the word $2.
fake_listed() {
  case " $1 " in
    *" $2 "*) return 0 ;;
    *) return 1 ;;
  esac
}
