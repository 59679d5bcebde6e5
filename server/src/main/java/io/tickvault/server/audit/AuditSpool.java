package io.tickvault.server.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local spool: where audit records go, fsync'd, while PostgreSQL cannot take them, until they
 * are shipped there. One file per chain ({@code audit-<chain id>.spool}), locked by the process
 * that writes it, so several servers may share the directory; a file whose lock is free belongs to
 * a server that died (SIGKILL included) and is shipped by whichever server finds it, then deleted.
 *
 * <p>Only the audit writer's thread uses it: appends and shipping never overlap.
 */
final class AuditSpool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
  private static final String PREFIX = "audit-";
  private static final String SUFFIX = ".spool";
  /** What one shipment reads of a file at most; a frame is far smaller. */
  private static final int SHIPMENT_BYTES = 1024 * 1024;

  /** Records read from the spool for one shipping transaction, and where they end in their file. */
  record Shipment(List<ChainedRecord> records, SpoolFile file, long end) {}

  /** One spool file under this server's lock: how far it is shipped, and how many records remain. */
  static final class SpoolFile {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private long size;
    private long shipped;
    private long records;

    private SpoolFile(Path path, FileChannel channel, FileLock lock) {
      this.path = path;
      this.channel = channel;
      this.lock = lock;
    }
  }

  private final Path dir;
  private final Path ownPath;
  private final long maxBytes;
  private SpoolFile own;
  /** Files of dead servers, locked by this one until they are shipped and deleted. */
  private final Deque<SpoolFile> leftovers = new ArrayDeque<>();
  private volatile long oldestUnshippedMs; // read by the metrics

  AuditSpool(Path dir, UUID chainId, long maxBytes) {
    this.dir = dir;
    this.ownPath = dir.resolve(PREFIX + chainId + SUFFIX);
    this.maxBytes = maxBytes;
  }

  Path dir() {
    return dir;
  }

  /** Appends the records and forces them to disk; on failure the file is as it was before. */
  void append(List<ChainedRecord> records) throws IOException {
    ByteBuffer bytes = SpoolFormat.encode(records);
    long size = own == null ? 0 : own.size;
    if (size + bytes.remaining() > maxBytes) {
      throw new IOException("the audit spool " + ownPath + " is full (" + maxBytes / (1024 * 1024) + " MiB)");
    }
    openOwn();
    try {
      while (bytes.hasRemaining()) {
        own.channel.write(bytes, own.size + bytes.position());
      }
      own.channel.force(false);
    } catch (IOException e) {
      try {
        own.channel.truncate(own.size); // a torn frame would hide every frame after it
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    if (unshippedRecords() == 0) {
      oldestUnshippedMs = records.get(0).event().timeMs();
    }
    own.size += bytes.limit();
    own.records += records.size();
  }

  private void openOwn() throws IOException {
    if (own == null) {
      Files.createDirectories(dir);
      FileChannel channel = FileChannel.open(ownPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      own = new SpoolFile(ownPath, channel, channel.lock());
    }
  }

  /** Records spooled and not yet shipped, this server's and dead servers' alike. */
  long unshippedRecords() {
    long n = own == null ? 0 : own.records;
    for (SpoolFile leftover : leftovers) {
      n += leftover.records;
    }
    return n;
  }

  /** The time of the oldest record not yet shipped, epoch ms; meaningless while there is none. */
  long oldestUnshippedMs() {
    return oldestUnshippedMs;
  }

  /** Takes the files of dead servers in the directory (their lock is free) to ship them; returns their records. */
  long adoptLeftovers() {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long found = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path path : files) {
        if (!path.equals(ownPath) && leftovers.stream().noneMatch(l -> l.path.equals(path))) {
          found += adopt(path);
        }
      }
    } catch (IOException e) {
      log.warn("audit spool: cannot list {}: {}", dir, e.toString());
    }
    return found;
  }

  private long adopt(Path path) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // another server of this JVM writes it
      }
      if (lock == null) {
        channel.close();
        return 0;
      }
      SpoolFile file = new SpoolFile(path, channel, lock);
      file.size = channel.size();
      long first = count(file);
      if (file.records == 0) {
        delete(file);
        return 0;
      }
      if (unshippedRecords() == 0) {
        oldestUnshippedMs = first;
      }
      leftovers.add(file);
      log.info("audit spool: {} holds {} records of a server that stopped; shipping them to PostgreSQL",
          path, file.records);
      return file.records;
    } catch (IOException e) {
      log.warn("audit spool: cannot read {}: {}", path, e.toString());
      closeQuietly(channel);
      return 0;
    }
  }

  /** Counts the file's whole records (what follows the last is a write a crash cut short); returns the first's time. */
  private static long count(SpoolFile file) throws IOException {
    long offset = 0;
    long firstTime = 0;
    while (true) {
      ByteBuffer chunk = readAt(file, offset);
      int start = chunk.position();
      ChainedRecord r;
      boolean any = false;
      while ((r = SpoolFormat.decodeNext(chunk)) != null) {
        if (file.records++ == 0) {
          firstTime = r.event().timeMs();
        }
        any = true;
      }
      offset += chunk.position() - start;
      if (!any) {
        break;
      }
    }
    if (offset < file.size) {
      log.warn("audit spool: the last {} bytes of {} are not a whole record (a write cut short by a crash, never "
          + "acknowledged): ignored", file.size - offset, file.path);
    }
    file.size = offset;
    return firstTime;
  }

  /** Up to {@code max} unshipped records, dead servers' first; null when there are none. */
  Shipment nextShipment(int max) throws IOException {
    while (!leftovers.isEmpty() && leftovers.peek().records == 0) {
      delete(leftovers.poll());
    }
    SpoolFile file = !leftovers.isEmpty() ? leftovers.peek() : own;
    if (file == null || file.records == 0) {
      return null;
    }
    ByteBuffer chunk = readAt(file, file.shipped);
    List<ChainedRecord> records = new ArrayList<>();
    ChainedRecord r;
    while (records.size() < max && (r = SpoolFormat.decodeNext(chunk)) != null) {
      records.add(r);
    }
    if (records.isEmpty()) {
      throw new IOException("the audit spool " + file.path + " cannot be read at offset " + file.shipped);
    }
    return new Shipment(records, file, file.shipped + chunk.position());
  }

  /** The shipment is committed in PostgreSQL: it is never shipped again, and an emptied file goes. */
  void shipped(Shipment shipment) throws IOException {
    SpoolFile file = shipment.file();
    file.shipped = shipment.end();
    file.records -= shipment.records().size();
    if (file.records == 0) {
      if (file == own) {
        own.channel.truncate(0);
        own.channel.force(false);
        own.size = 0;
        own.shipped = 0;
      } else {
        leftovers.remove(file);
        delete(file);
      }
    }
    if (unshippedRecords() > 0) {
      // The next record is younger than this one: the age is over-stated by one shipment at most.
      oldestUnshippedMs = shipment.records().get(shipment.records().size() - 1).event().timeMs();
    }
  }

  private static ByteBuffer readAt(SpoolFile file, long offset) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(file.size - offset, SHIPMENT_BYTES));
    while (chunk.hasRemaining() && file.channel.read(chunk, offset + chunk.position()) >= 0) {
      // read what is there
    }
    return chunk.flip();
  }

  private static void delete(SpoolFile file) {
    try {
      Files.deleteIfExists(file.path); // under the lock, so no other server reads it meanwhile
    } catch (IOException e) {
      log.warn("audit spool: cannot delete the shipped {}: {}", file.path, e.toString());
    }
    closeQuietly(file.channel); // releases the lock
  }

  /**
   * Closes the files. The own file is deleted when everything in it was shipped, and otherwise
   * left for the next server to ship.
   */
  @Override
  public void close() {
    leftovers.forEach(l -> closeQuietly(l.channel));
    leftovers.clear();
    if (own != null) {
      if (own.records == 0) {
        delete(own);
      } else {
        log.warn("audit spool: {} records stay in {} until a server ships them", own.records, ownPath);
        closeQuietly(own.channel);
      }
      own = null;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to do with it
      }
    }
  }
}
