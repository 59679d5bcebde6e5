package io.tickvault.client.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's process as Linux shows it in /proc, read from a benchmark on the same machine: its
 * resident memory (VmRSS), its threads and its CPU time; the highest RSS sampled is kept. A pid of
 * 0 reads nothing (every figure 0).
 */
final class ServerProcess {
  /** One reading: RSS in bytes, threads, CPU (user + system) in nanoseconds. */
  record Sample(long rss, int threads, long cpuNanos) {}

  /** Clock ticks a second of /proc/PID/stat's times: 100 on every Linux the benchmarks run on. */
  private static final long TICKS_PER_SECOND = 100;

  private final long pid;
  volatile long peakRss;

  ServerProcess(long pid) {
    this.pid = pid;
  }

  Sample sample() {
    if (pid <= 0) {
      return new Sample(0, 0, 0);
    }
    try {
      long rss = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.substring(8).trim());
        }
      }
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
      peakRss = Math.max(peakRss, rss);
      return new Sample(rss, threads, ticks * (1_000_000_000L / TICKS_PER_SECOND));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + ": is the server's process on this machine?", e);
    }
  }
}
