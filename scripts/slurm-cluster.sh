#!/usr/bin/env bash
# Starts or stops a one-node Slurm cluster on localhost (root only), for the integration test.
#   scripts/slurm-cluster.sh start STATE_DIR   # prints nothing on success; PIDs go to STATE_DIR/*.pid
#   scripts/slurm-cluster.sh stop STATE_DIR    # stops every daemon this script started in STATE_DIR
set -euo pipefail
cmd=${1:?start or stop}
STATE=${2:?state directory}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

stop() {
    for d in slurmd slurmctld munged; do
        for f in "$STATE/$d.started.pid" "$STATE/$d.pid"; do
            [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
            rm -f "$f"
        done
    done
    # Give the daemons a moment, then make sure none of ours is left.
    for _ in $(seq 20); do
        pgrep -f "$STATE/slurm.conf" >/dev/null || break
        sleep 0.2
    done
    pkill -KILL -f "$STATE/slurm.conf" 2>/dev/null || true
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

# Starts a daemon in its own session with every descriptor above 2 closed, so it holds no pipe or
# socket of whoever ran this script (a parent waiting for those to close would wait forever).
daemon() {
    local name=$1; shift
    setsid bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$@"' \
        _ "$@" < /dev/null > "$STATE/log/$name.out" 2>&1 &
    echo $! > "$STATE/$name.started.pid"
}
[ "$cmd" = start ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }

host=$(hostname -s)
for port in 6817 6818; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: another Slurm is running here; stop it first" >&2
        exit 1
    fi
done
mkdir -p "$STATE/state" "$STATE/spool" "$STATE/log"
cat > "$STATE/slurm.conf" <<CONF
ClusterName=accordiontest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,default_queue_depth=1000
ReturnToService=2
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
MaxArraySize=10001
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=4000 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF

mkdir -p /run/munge && chown munge:munge /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    daemon munged runuser -u munge -- /usr/sbin/munged --foreground
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
export SLURM_CONF=$STATE/slurm.conf
daemon slurmctld slurmctld -D -i -f "$SLURM_CONF"
daemon slurmd slurmd -D -f "$SLURM_CONF"
for _ in $(seq 100); do
    [ "$(timeout 2 sinfo -h -o %T 2>/dev/null | head -1)" = idle ] && exit 0
    sleep 0.2
done
echo "slurm did not become idle; logs in $STATE/log" >&2
stop
exit 1
