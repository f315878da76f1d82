#!/bin/bash
# Run a bench command at nice -15, with the bench database's PostgreSQL backends reniced too,
# for near-idle figures on a machine that other jobs share (needs root; see bench/README.md,
# "Issue 14, 2026-12-04"). Usage: DB=cc_stixbench bench/niced.sh .venv/bin/python bench/run.py stix-rest
db=${DB:-cc_stixbench}
(
    while true; do
        for pid in $(psql -h 127.0.0.1 -U postgres -Atc \
            "SELECT pid FROM pg_stat_activity WHERE datname = '$db'" 2>/dev/null); do
            renice -n -15 -p "$pid" >/dev/null 2>&1
        done
        sleep 0.3
    done
) &
loop=$!
trap 'kill $loop' EXIT
nice -n -15 "$@"
