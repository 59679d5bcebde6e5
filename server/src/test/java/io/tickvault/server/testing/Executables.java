package io.tickvault.server.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real engines' programs that some tests run (Debian's {@code redis-server},
 * PostgreSQL's {@code initdb}, ...): on the PATH, then in the usual install directories. A test
 * whose program is missing is skipped with a message saying what to install, unless
 * {@code TICKVAULT_TEST_REQUIRE_ENGINES=true} (CI sets it), where it fails instead: CI must run it.
 */
public final class Executables {
  private Executables() {}

  /** The program's path, or empty when it is nowhere to be found. */
  public static Optional<Path> find(String name, List<Path> extraDirs) {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    dirs.addAll(extraDirs);
    dirs.addAll(List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/usr/sbin")));
    return dirs.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst();
  }

  /** The program's path; skips the test (or fails it when engines are required) when it is missing. */
  public static Path require(String name, List<Path> extraDirs, String howToInstall) {
    Optional<Path> found = find(name, extraDirs);
    if (found.isEmpty()) {
      String message = name + " not found on the PATH nor in " + extraDirs + " or /usr/local/bin, /usr/bin: " + howToInstall;
      if ("true".equals(System.getenv("TICKVAULT_TEST_REQUIRE_ENGINES"))) {
        throw new AssertionError(message + " (TICKVAULT_TEST_REQUIRE_ENGINES=true: this test must run)");
      }
      Assumptions.abort(message + "; test skipped");
    }
    return found.get();
  }
}
