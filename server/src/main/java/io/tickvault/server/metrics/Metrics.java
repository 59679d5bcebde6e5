package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.TickvaultVersion;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus registry and its {@code /metrics} endpoint. Each component registers its
 * own metrics on {@link #registry()}; one registry per server so that tests running several
 * servers in one JVM do not share counters.
 */
public final class Metrics implements AutoCloseable {
  /** Seconds a client may take to send its request, and to read the answer, before it is cut off. */
  static final int MAX_REQUEST_SECONDS = 5;
  static final int MAX_RESPONSE_SECONDS = 10;

  static {
    // The endpoint is com.sun.net.httpserver, which reads a request on one of its few threads and
    // by default waits for ever: ten clients that send half a request would stall every scrape.
    // These JDK settings bound both waits; they are read once, when the JVM's first HTTP server
    // starts, and a value given on the command line (-D) wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final IngestMetrics ingest = new IngestMetrics(registry);
  private HTTPServer httpServer;

  public Metrics() {
    JvmMetrics.builder().register(registry);
    // tickvault_build_info{version="…"} 1: which version runs, for dashboards and alerts.
    Info.builder().name("tickvault_build_info").help("The tickvault server's version (always 1)")
        .labelNames("version").register(registry).addLabelValues(TickvaultVersion.current());
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The counters of stored, duplicate and rejected records, for the ingestion services. */
  public IngestMetrics ingest() {
    return ingest;
  }

  /** Serves {@code /metrics} on the port; 0 leaves it off. Returns the port it listens on, or 0. */
  public int startHttp(String bindAddress, int port) {
    if (port == 0) {
      return 0;
    }
    try {
      httpServer = HTTPServer.builder().hostname(bindAddress).port(port).registry(registry).buildAndStart();
      return httpServer.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not serve metrics on " + bindAddress + ":" + port, e);
    }
  }

  private static void setIfAbsent(String property, int seconds) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, String.valueOf(seconds));
    }
  }

  @Override
  public void close() {
    if (httpServer != null) {
      httpServer.close();
    }
  }
}
