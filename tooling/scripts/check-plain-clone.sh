#!/usr/bin/env bash
# Runs the unit suite from a plain clone of HEAD that has nothing beside it: no ../shared, no
# build output, CI=true. The README's test command must pass for a user's clone, fork or CI,
# which have none of what sits around the project's own checkout (issue #16). What set-up makes
# (node_modules, the Appium home, the SDK layout, the build) is linked from this checkout, so the
# check costs one test run, not a second set-up.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo "plain-clone check skipped: $ROOT is not a git checkout with a commit"; exit 0
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/consentry-plain-clone.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

git clone --quiet --no-hardlinks "$ROOT" "$WORK/consentry"
for made in node_modules .appium .android-sdk dist tooling/agents/dist; do
  if [ -e "$ROOT/$made" ]; then ln -s "$ROOT/$made" "$WORK/consentry/$made"; fi
done
if [ -e "$WORK/shared" ]; then echo "plain clone: $WORK/shared exists" >&2; exit 1; fi

cd "$WORK/consentry"
echo "plain clone of $(git rev-parse --short HEAD) in $WORK/consentry (no ../shared, CI=true)"
CI=true npx vitest run --project unit
