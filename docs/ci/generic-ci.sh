#!/bin/sh
# Any CI (GitLab CI, Jenkins, Buildkite, CircleCI...): the exit code is the gate.
#   0 nothing at or above --fail-on, 1 findings at or above it, 2 something could not be read.
set -eu

npm ci
npm run build --if-present

# The package exactly as npm would publish it; SARIF for tools that read it, text for the log.
npx --no-install pillbox scan --format sarif --output pillbox.sarif || status=$?
npx --no-install pillbox scan --fail-on none || true
exit "${status:-0}"
