#!/usr/bin/env bash
# buf breaking: the contracts in proto/ must not break what workers were built against. Checked
# against two earlier states of the repository, with the rules of proto/buf.yaml (FILE):
#   - the previous main: the parents of HEAD (HEAD~1, and the other side of a merge), so the change
#     that the last landing made is checked;
#   - the last released contract: the commit named in proto/released-contract (first word), so a
#     break made earlier in a series of landings is still caught on a clone of the final main.
# A state without proto/buf.yaml (before the contracts existed) has nothing to break and is
# skipped, said in the log. Files that are new since then (query.proto, ...) are additions, which
# the rules allow. Needs buf on the PATH and the git history (not a shallow clone of depth 1).
set -euo pipefail
cd "$(dirname "$0")/.."

refs=()
for parent in HEAD^1 HEAD^2; do
  if sha=$(git rev-parse --verify --quiet "$parent^{commit}"); then
    refs+=("$sha")
  fi
done
released=$(awk 'NF && $1 !~ /^#/ {print $1; exit}' proto/released-contract)
if ! git cat-file -e "$released^{commit}" 2>/dev/null; then
  echo "buf breaking: the released contract $released is not in this clone's history (shallow clone?)"
  exit 1
fi
refs+=("$(git rev-parse "$released")")

checked=0
for sha in $(printf '%s\n' "${refs[@]}" | awk '!seen[$0]++'); do
  if ! git cat-file -e "$sha:proto/buf.yaml" 2>/dev/null; then
    echo "buf breaking: ${sha:0:12} has no proto/buf.yaml: nothing to compare with, skipped"
    continue
  fi
  echo "buf breaking: proto/ against ${sha:0:12} ($(git log -1 --format=%s "$sha" | cut -c1-60))"
  # Export that commit's proto/ into a scratch dir: works in a worktree, a clone or a checkout alike.
  against=$(mktemp -d)
  git archive "$sha" proto | tar -x -C "$against"
  rc=0
  (cd proto && buf breaking --against "$against/proto") || rc=$?
  rm -rf "$against"
  [ $rc = 0 ] || { echo "buf breaking: the contracts break what ${sha:0:12} had (see above)"; exit 1; }
  checked=$((checked + 1))
done
echo "buf breaking: ok ($checked earlier contracts)"
