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
all its processes need, so the ratio of two such phases cannot beat the ratio of their CPU.

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
         " WHERE datname = current_database() AND pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=False).stdout
    found = {}
    for line in out.splitlines():
        pid, is_server = line.split("|")
        found[int(pid)] = "server-pg" if is_server == "t" else "bench-pg"
    return found


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
            t = ticks(pid)
            if t is not None:
                self.last[(pid, group)] = t
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
    bench = subprocess.Popen(["java", f"-Dtickvault.bench.marks={marks}", "-jar",
                              os.path.join(root, "client/target/tickvault.jar"), "bench", *bench_args])
    sampler.client_pid = bench.pid
    code = bench.wait()
    sampler.stop.set()
    sampler.join()
    if code != 0:
        sys.exit(code)

    totals = defaultdict(lambda: defaultdict(float))
    with open(marks) as f:
        for line in f:
            start, end, phase = line.split()
            a, b = sampler.at(int(start)), sampler.at(int(end))
            wall = (b[0] - a[0]) / 1000
            totals[phase]["wall"] += wall
            totals[phase]["count"] += 1
            totals[phase]["machine"] += (b[1] - a[1]) / TICK
            for group in ("client", "server", "server-pg", "bench-pg"):
                totals[phase][group] += (b[2].get(group, 0) - a[2].get(group, 0)) / TICK
    os.unlink(marks)

    print(f"\ncores kept busy per phase (CPU s / wall s), {CORES} cores; load {open('/proc/loadavg').read().split()[0]}")
    print(f"{'phase':32} {'rounds':>6} {'wall s':>7} {'machine':>8} {'client':>7} {'server':>7} {'server-pg':>9} {'bench-pg':>8} {'other':>6}")
    for phase, t in totals.items():
        wall = t["wall"] or 1e-9
        named = sum(t[g] for g in ("client", "server", "server-pg", "bench-pg"))
        print(f"{phase:32} {int(t['count']):>6} {t['wall']:>7.2f} {t['machine'] / wall:>8.2f} {t['client'] / wall:>7.2f}"
              f" {t['server'] / wall:>7.2f} {t['server-pg'] / wall:>9.2f} {t['bench-pg'] / wall:>8.2f}"
              f" {(t['machine'] - named) / wall:>6.2f}")
    print("CPU seconds per phase, summed over its rounds:")
    for phase, t in totals.items():
        print(f"{phase:32} client {t['client']:.2f}, server {t['server']:.2f}, server's PostgreSQL {t['server-pg']:.2f},"
              f" benchmark's PostgreSQL {t['bench-pg']:.2f}, machine {t['machine']:.2f}")


if __name__ == "__main__":
    main()
