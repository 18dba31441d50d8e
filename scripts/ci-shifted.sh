#!/usr/bin/env bash
# The test suite with the machine's clock moved (libfaketime, Debian's `faketime`), for tests whose outcome
# depends on the real date or time of day (issue 11). The clock starts at the given instant and runs on.
#
#   scripts/ci-shifted.sh month-end      # 2027-02-28 23:55 site time (Asia/Shanghai): a month AND a Monday week begin 5 min later
#   scripts/ci-shifted.sh year-end       # 2026-12-31 23:55 site time
#   scripts/ci-shifted.sh site-night     # 03:00 site time, inside the night shift that spans midnight
#   scripts/ci-shifted.sh morning-handover  # 08:25 site time: the night shift is outgoing, the 08:30 handover 5 min later
#   scripts/ci-shifted.sh evening-handover  # 17:25 site time: the day shift ends 5 min later (winter times)
#   scripts/ci-shifted.sh season         # 2027-05-01 17:25 site time: the summer shift times begin (day ends 18:00)
#   scripts/ci-shifted.sh '2027-06-30 15:50:00' [vitest args…]   # any instant, in UTC
#
# Not part of .ci/run (one suite run there keeps CI under 15 min); run it before changing anything that reads
# the clock. influxd (Go) reads the real clock through the vDSO, not libc, so libfaketime does not reach it:
# the tests' influx timestamps come from the test's clock and influxd answers the queries it is given.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "faketime is missing: apt-get install faketime"; exit 1; }

name="${1:-}"
case "$name" in
  month-end) at='2027-02-28 15:55:00' ;;
  year-end) at='2026-12-31 15:55:00' ;;
  site-night) at='2026-12-09 19:00:00' ;;
  morning-handover) at='2026-12-04 00:25:00' ;;
  evening-handover) at='2026-12-04 09:25:00' ;;
  season) at='2027-05-01 09:25:00' ;;
  '') echo "usage: $0 month-end|year-end|site-night|morning-handover|evening-handover|season|'YYYY-MM-DD hh:mm:ss' (UTC) [vitest args…]"; exit 2 ;;
  *) at="$1"; name=at ;;
esac
shift

npm run build:console >/dev/null || { echo "build:console failed"; exit 1; }
mkdir -p .test-results
out=".test-results/shifted-$name.json"  # one per name: two shifted runs may go side by side
rm -f "$out"
echo "== vitest at $at UTC (clock running on from there)"
# The plain timestamp form starts the clock there and lets it run; -f 'YYYY-MM-DD hh:mm:ss' would freeze it
# and every timer would hang.
TZ=UTC faketime "$at" npx vitest run --outputFile.json="$out" "$@"
status=$?
if [ -f "$out" ]; then
  node -e '
    const r = require("./'"$out"'");
    const failed = r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
    console.log(`${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));'
fi
exit $status
