package io.tickvault.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server's packages as docs/architecture.md draws them: imports flow from start-up down to
 * infrastructure, never back up, and no two packages need each other.
 */
class ArchitectureTest {
  private static final String[] START_UP = {"io.tickvault.server.app.."};
  private static final String[] SERVICES = {"io.tickvault.server.service.."};
  private static final String[] FEATURES = {"io.tickvault.server.apikeys..", "io.tickvault.server.trade..",
      "io.tickvault.server.orderbook..", "io.tickvault.server.marketstate..", "io.tickvault.server.coverage..",
      "io.tickvault.server.audit.."};
  private static final String[] SHARED = {"io.tickvault.server.ingest..", "io.tickvault.server.read..",
      "io.tickvault.server.retention..", "io.tickvault.server.subscribe.."};
  private static final String[] MARKETS = {"io.tickvault.server.market.."};
  private static final String[] EDGE = {"io.tickvault.server.grpc..", "io.tickvault.server.auth.."};
  private static final String[] INFRASTRUCTURE = {"io.tickvault.server.db..", "io.tickvault.server.redis..",
      "io.tickvault.server.crypto..", "io.tickvault.server.config..", "io.tickvault.server.embedded..",
      "io.tickvault.server.metrics..", "io.tickvault.server.logging.."};
  private static final String[] ALL_LAYERS = Stream.of(START_UP, SERVICES, FEATURES, SHARED, MARKETS, EDGE,
      INFRASTRUCTURE).flatMap(Arrays::stream).toArray(String[]::new);

  private static final JavaClasses SERVER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.tickvault.server");

  @Test
  void importsFlowFromStartUpDownToInfrastructure() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("start-up").definedBy(START_UP)
        .layer("gRPC services").definedBy(SERVICES)
        .layer("features").definedBy(FEATURES)
        .layer("shared machinery").definedBy(SHARED)
        .layer("markets").definedBy(MARKETS)
        .layer("edge").definedBy(EDGE)
        .layer("infrastructure").definedBy(INFRASTRUCTURE)
        .whereLayer("start-up").mayNotBeAccessedByAnyLayer()
        .whereLayer("gRPC services").mayOnlyBeAccessedByLayers("start-up")
        .whereLayer("features").mayOnlyBeAccessedByLayers("start-up", "gRPC services")
        .whereLayer("shared machinery").mayOnlyBeAccessedByLayers("start-up", "gRPC services", "features")
        .whereLayer("markets").mayOnlyBeAccessedByLayers("start-up", "gRPC services", "features", "shared machinery")
        .whereLayer("edge").mayOnlyBeAccessedByLayers("start-up", "gRPC services", "features", "shared machinery",
            "markets")
        .check(SERVER);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.tickvault.server.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void everyPackageIsInALayer() {
    classes().should().resideInAnyPackage(ALL_LAYERS)
        .because("a package outside every layer would escape the rule above: add it to a layer")
        .check(SERVER);
  }
}
