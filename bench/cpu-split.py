#!/usr/bin/env python3
"""Where the CPU goes in each timed phase of `tickvault bench trades|orderbooks`.

Runs the benchmark (the jar of this checkout) and samples /proc every 100 ms: the machine's busy
CPU, the server process, the bench process (the client, which also renders the reference's rows),
and the PostgreSQL backends of the benchmark's database, split into the server's (its pool names
itself "tickvault") and the benchmark's own (the reference's COPY and INSERT … SELECT). The
benchmark writes when each timed phase began and ended (the system property tickvault.bench.marks);
for each kind of phase this prints the wall time and, for each process group, the cores it kept
busy on average (CPU seconds / wall seconds), summed over the rounds.

A phase whose machine column is near the core count was CPU-bound: its wall time follows the CPU
all its processes need, so the ratio of two such phases cannot beat the ratio of their CPU. Below
that, the run-queue delay (/proc/PID/task/*/schedstat) says how long each group's threads were
ready to run but found both cores taken: bursts that meet, even where the average leaves room.

It also samples pg_stat_activity every 20 ms (one psql session) and says, for the phase's own
backends (the server's in a gRPC phase, the benchmark's in a reference phase), what share of the
samples found one of them working (active, no wait event: on a core or waiting for one), else
waiting for a WAL flush to disk (IO:WALSync, or LWLock:WALWrite: another backend's flush, as a
commit makes one), else on other disk work (writing WAL or data into the OS's cache, extending a
file, other wait events), else waiting for its client: inside a transaction (a COPY waiting for
its next rows, or between two statements) or between transactions (the next batch has not begun).
The sampler's psql session is left out of the benchmark's backends.

For trades it ends with what the server costs per trade, against its goals: the server's CPU in
the fresh gRPC phases over the reference's PostgreSQL CPU for COPY of the same rows (<= 0.3), and
the server's PostgreSQL over that (<= 1.05). A server fresh from its start is still compiling: its
first ~10M trades cost it more, so run this several times on one server and quote the later runs.

Usage (a built checkout; the server running on this machine, authentication off):
  bench/cpu-split.py SERVER_PID trades --target 127.0.0.1:50181 \
      --database-url 'jdbc:postgresql://127.0.0.1:5432/tv_bench?user=postgres' --trades 1000000 --rounds 3
Needs psql on the PATH (to tell the server's backends from the benchmark's).
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count()


def ticks(pid):
    """utime + stime of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def run_delay(pid):
    """Seconds the process's threads spent runnable but waiting for a core (schedstat), or None."""
    try:
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[1])
        return total / 1e9
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def machine_busy():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle


def backends(psql_url):
    """{pid: "server" | "bench"} for the database's client backends."""
    out = subprocess.run(
        ["psql", psql_url, "-Atc",
         "SELECT pid, application_name = 'tickvault' FROM pg_stat_activity"
         " WHERE datname = current_database() AND pid <> pg_backend_pid()"
         " AND application_name <> 'cpu-split'"],
        capture_output=True, text=True, check=False).stdout
    found = {}
    for line in out.splitlines():
        pid, is_server = line.split("|")
        found[int(pid)] = "server-pg" if is_server == "t" else "bench-pg"
    return found


WAITS_SQL = (
    "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint || ' ' || coalesce(string_agg("
    "(CASE WHEN application_name = 'tickvault' THEN 'server' ELSE 'bench' END) || ':' || state || ':'"
    " || coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, '-'), ','), '')"
    " FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'cpu-split'"
    " AND backend_type = 'client backend';\n")


class WaitSampler(threading.Thread):
    """Samples what the database's backends do (state and wait event), every 20 ms, in one psql session."""

    def __init__(self, psql_url):
        super().__init__(daemon=True)
        self.psql = subprocess.Popen(["psql", psql_url, "-X", "-q", "-A", "-t"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1,
                                     env={**os.environ, "PGAPPNAME": "cpu-split"})
        self.samples = []  # (ms, [(role, state, wait type, wait event)])
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.psql.stdin.write(WAITS_SQL)
            self.psql.stdin.flush()
            line = self.psql.stdout.readline()
            if not line:
                break
            ms, _, rows = line.strip().partition(" ")
            self.samples.append((int(ms), [tuple(r.split(":", 3)) for r in rows.split(",") if r]))
            self.stop.wait(0.02)
        self.psql.stdin.close()
        self.psql.wait()

    def shares(self, start, end, role):
        """Counts of what the role's backends did in the samples between start and end (ms)."""
        counts = defaultdict(int)
        for ms, rows in self.samples:
            if start <= ms <= end:
                counts[classify([r for r in rows if r[0] == role])] += 1
        return counts


WAIT_KINDS = ("working", "WAL flush", "other disk", "client, in tx", "client, no tx")
WAL_FLUSH = {("IO", "WALSync"), ("LWLock", "WALWrite")}


def classify(backends):
    """What a role's backends did in one sample, the busiest state first."""
    active = [b for b in backends if b[1] == "active"]
    if any(b[2] == "-" for b in active):
        return "working"
    if any((b[2], b[3]) in WAL_FLUSH for b in active):
        return "WAL flush"
    if any(b[2] != "Client" for b in active):
        return "other disk"
    if active or any(b[1].startswith("idle in transaction") for b in backends):
        return "client, in tx"
    return "client, no tx"


class Sampler(threading.Thread):
    def __init__(self, server_pid, psql_url):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.psql_url = psql_url
        self.client_pid = None
        self.samples = []  # (ms, machine ticks, {group: ticks})
        self.roles = {}
        self.stop = threading.Event()
        self.last = {}  # pid -> last ticks seen, so a backend that ends keeps what it used

    def sample(self):
        groups = defaultdict(int)
        pids = {self.server_pid: "server"}
        if self.client_pid:
            pids[self.client_pid] = "client"
        pids.update(self.roles)
        for pid, group in pids.items():
            t, waited = ticks(pid), run_delay(pid)
            if t is not None and waited is not None:
                self.last[(pid, group)] = t
                self.last[(pid, group + " waiting")] = waited * TICK
        for (pid, group), t in self.last.items():
            groups[group] += t
        self.samples.append((time.time() * 1000, machine_busy(), dict(groups)))

    def run(self):
        refreshed = 0
        while not self.stop.is_set():
            if time.time() - refreshed > 2:
                self.roles.update(backends(self.psql_url))
                refreshed = time.time()
            self.sample()
            self.stop.wait(0.1)
        self.sample()

    def at(self, ms):
        """The last sample taken at or before ms."""
        best = self.samples[0]
        for s in self.samples:
            if s[0] <= ms:
                best = s
        return best


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    server_pid = int(sys.argv[1])
    bench_args = sys.argv[2:]
    url = next((a.split("=", 1)[1] if a.startswith("--database-url=") else bench_args[i + 1]
                for i, a in enumerate(bench_args) if a.startswith("--database-url")), None)
    if not url:
        sys.exit("the benchmark's --database-url is needed to find its PostgreSQL backends")
    psql_url = re.sub(r"^jdbc:", "", url)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    marks = tempfile.NamedTemporaryFile(prefix="tickvault-marks-", delete=False).name

    sampler = Sampler(server_pid, psql_url)
    sampler.start()
    waits = WaitSampler(psql_url)
    waits.start()
    bench = subprocess.Popen(["java", f"-Dtickvault.bench.marks={marks}", "-jar",
                              os.path.join(root, "client/target/tickvault.jar"), "bench", *bench_args])
    sampler.client_pid = bench.pid
    code = bench.wait()
    sampler.stop.set()
    sampler.join()
    waits.stop.set()
    waits.join()
    if code != 0:
        sys.exit(code)

    totals = defaultdict(lambda: defaultdict(float))
    backend_states = defaultdict(lambda: defaultdict(int))
    with open(marks) as f:
        for line in f:
            start, end, phase = line.split()
            role = "bench" if "reference" in phase else "server"
            for kind, n in waits.shares(int(start), int(end), role).items():
                backend_states[phase][kind] += n
            a, b = sampler.at(int(start)), sampler.at(int(end))
            wall = (b[0] - a[0]) / 1000
            totals[phase]["wall"] += wall
            totals[phase]["count"] += 1
            totals[phase]["machine"] += (b[1] - a[1]) / TICK
            for group in ("client", "server", "server-pg", "bench-pg"):
                for key in (group, group + " waiting"):
                    totals[phase][key] += (b[2].get(key, 0) - a[2].get(key, 0)) / TICK
    os.unlink(marks)

    print(f"\ncores kept busy per phase (CPU s / wall s), {CORES} cores; load {open('/proc/loadavg').read().split()[0]}")
    print(f"{'phase':32} {'rounds':>6} {'wall s':>7} {'machine':>8} {'client':>7} {'server':>7} {'server-pg':>9} {'bench-pg':>8} {'other':>6}")
    for phase, t in totals.items():
        wall = t["wall"] or 1e-9
        named = sum(t[g] for g in ("client", "server", "server-pg", "bench-pg"))
        print(f"{phase:32} {int(t['count']):>6} {t['wall']:>7.2f} {t['machine'] / wall:>8.2f} {t['client'] / wall:>7.2f}"
              f" {t['server'] / wall:>7.2f} {t['server-pg'] / wall:>9.2f} {t['bench-pg'] / wall:>8.2f}"
              f" {(t['machine'] - named) / wall:>6.2f}")
    print("cores' worth of threads runnable but waiting for a core (run-queue delay s / wall s)")
    print(f"{'phase':32} {'client':>7} {'server':>7} {'server-pg':>9} {'bench-pg':>8}")
    for phase, t in totals.items():
        wall = t["wall"] or 1e-9
        print(f"{phase:32} " + " ".join(f"{t[g + ' waiting'] / wall:>{w}.2f}"
                                        for g, w in (("client", 7), ("server", 7), ("server-pg", 9), ("bench-pg", 8))))
    print("what the phase's own PostgreSQL backends did (share of the samples every 20 ms; the server's in a"
          " gRPC phase, the benchmark's in a reference phase): working, waiting for a WAL flush, for other disk work, for the client")
    print(f"{'phase':32} {'samples':>7} " + " ".join(f"{k:>14}" for k in WAIT_KINDS))
    for phase, counts in backend_states.items():
        n = sum(counts.values()) or 1
        print(f"{phase:32} {n:>7} " + " ".join(f"{counts[k] / n:>14.2f}" for k in WAIT_KINDS))
    print("CPU seconds per phase, summed over its rounds:")
    for phase, t in totals.items():
        print(f"{phase:32} client {t['client']:.2f}, server {t['server']:.2f}, server's PostgreSQL {t['server-pg']:.2f},"
              f" benchmark's PostgreSQL {t['bench-pg']:.2f}, machine {t['machine']:.2f}")

    fresh, copy = totals.get("trades-grpc-fresh"), totals.get("trades-copy-reference")
    if fresh and copy and copy["bench-pg"] > 0:
        print(f"the server's cost per trade against COPY's PostgreSQL CPU: server {fresh['server'] / copy['bench-pg']:.2f}"
              f" (goal <= 0.3), its PostgreSQL {fresh['server-pg'] / copy['bench-pg']:.2f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
