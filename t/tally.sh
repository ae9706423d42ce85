# Pass/fail counting for the shell tests that are not end-to-end (those use
# t/e2e/lib.sh). Source it; then pass, fail MESSAGE, check DESCRIPTION
# COMMAND... (counts COMMAND's result and returns its status), and finish
# (prints the counts and exits non-zero if anything failed).
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}
check() {
  local what=$1
  shift
  if "$@"; then
    pass
  else
    fail "$what"
    return 1
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
