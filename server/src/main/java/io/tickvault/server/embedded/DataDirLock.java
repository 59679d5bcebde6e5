package io.tickvault.server.embedded;

import io.tickvault.server.config.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One server per data dir: an OS lock on {@code DATA_DIR/tickvault.lock}, held while the server
 * runs and released by the OS when the process ends however it ends (kill -9 included), so a
 * stale lock never blocks a restart. The file holds the owner's pid, to name it in the refusal.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE = "tickvault.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String owner = Files.readString(file).trim();
        channel.close();
        throw new StartupException("another tickvault server" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
            + " is using the data dir " + dataDir.toAbsolutePath() + ": stop it first, or give this one another TICKVAULT_DATA_DIR");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(false);
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("could not lock " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
