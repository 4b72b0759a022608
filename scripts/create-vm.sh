#!/usr/bin/env bash
# Creates a VM through Hangar's public API with curl, then follows its task to the end.
#   HANGAR_URL=http://localhost:3000 HANGAR_EMAIL=user@hangar.local HANGAR_PASSWORD=… \
#     scripts/create-vm.sh ubuntu-24.04 my-vm pve1 [cores] [memoryMB] [diskGB]
# Needs curl, and node to read JSON. Exit status 0 when the VM is running.
set -euo pipefail
url="${HANGAR_URL:-http://localhost:3000}"
template="${1:?template id or name}" name="${2:?vm name}" target="${3:?target node}"
cores="${4:-1}" memory="${5:-1024}" disk="${6:-32}"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"; }
body() { node -e 'console.log(JSON.stringify(Object.fromEntries(process.argv.slice(1).map(a=>{const[k,...v]=a.split("=");const s=v.join("=");return[k,/^\d+$/.test(s)?Number(s):s]}))))' "$@"; }

login=$(curl -sS -X POST "$url/api/v1/auth/login" -H 'content-type: application/json' \
  -d "$(body email="${HANGAR_EMAIL:?}" password="${HANGAR_PASSWORD:?}")")
token=$(printf '%s' "$login" | json data.token)
[ "$token" != "undefined" ] || { echo "login failed: $login" >&2; exit 1; }

created=$(curl -sS -X POST "$url/api/v1/vm/manage/createFromTemplate" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "$(body template_id="$template" name="$name" target="$target" cpuCores="$cores" memorySize="$memory" diskSize="$disk")")
echo "$created"
task=$(printf '%s' "$created" | json data.task_id)
[ "$task" != "undefined" ] || exit 1

while :; do
  state=$(curl -sS "$url/api/v1/tasks/$task" -H "authorization: Bearer $token")
  status=$(printf '%s' "$state" | json data.status)
  echo "task $task: $status $(printf '%s' "$state" | json data.progress)%"
  case "$status" in
    completed) echo "VM $(printf '%s' "$state" | json data.vm.name) is running at $(printf '%s' "$state" | json data.vm.ip_address)"; exit 0 ;;
    failed|cancelled) echo "error: $(printf '%s' "$state" | json data.error)" >&2; exit 1 ;;
  esac
  sleep 2
done
