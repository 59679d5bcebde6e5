package io.tickvault.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {
  @Test
  void recorded_addsEachOutcomeToItsKindOnly() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    IngestMetrics metrics = new IngestMetrics(registry);

    metrics.recorded(IngestMetrics.Kind.TRADE, 7, 2, 1);
    metrics.recorded(IngestMetrics.Kind.TRADE, 3, 0, 0);
    metrics.recorded(IngestMetrics.Kind.ORDERBOOK, 0, 5, 0);

    String text = expose(registry);
    assertThat(text)
        .contains("tickvault_ingest_records_total{kind=\"trade\",outcome=\"inserted\"} 10")
        .contains("tickvault_ingest_records_total{kind=\"trade\",outcome=\"duplicate\"} 2")
        .contains("tickvault_ingest_records_total{kind=\"trade\",outcome=\"rejected\"} 1")
        .contains("tickvault_ingest_records_total{kind=\"orderbook\",outcome=\"inserted\"} 0")
        .contains("tickvault_ingest_records_total{kind=\"orderbook\",outcome=\"duplicate\"} 5");
  }

  private static String expose(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
