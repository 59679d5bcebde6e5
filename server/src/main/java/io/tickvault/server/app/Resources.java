package io.tickvault.server.app;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server opened, in the order it opened it: {@link #close()} closes it all in reverse
 * order, so nothing is closed while something opened after it may still use it.
 */
final class Resources implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Takes {@code resource} to close later, and returns it. */
  synchronized <T extends AutoCloseable> T own(T resource) {
    opened.add(resource);
    return resource;
  }

  /** Closes everything, last opened first; a failure is logged and does not stop the rest. */
  @Override
  public synchronized void close() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        log.warn("error while shutting down", e);
      }
    }
    opened.clear();
  }
}
