package io.tickvault.client.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.RejectedRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code ingest … --covers FROM..UNTIL}: the markets a file has records of, and the coverage claims
 * for them that go once the whole file is sent, and what became of them in the summary.
 */
final class FileCoverage {
  @Option(names = "--covers", paramLabel = "FROM..UNTIL", converter = TimeArguments.Span.Converter.class,
      description = "The file holds every record of its markets in [FROM, UNTIL) (epoch milliseconds or ISO-8601, "
          + "such as 2026-11-26..2026-11-27): once every record is committed, claim that range's coverage for each "
          + "market in the file. Not claimed when a line could not be read or the run stops early.")
  TimeArguments.Span covers;

  private final Set<Long> markets = new LinkedHashSet<>();

  boolean asked() {
    return covers != null;
  }

  /** Notes the market of a record read from the file (sent or skipped). */
  void saw(int exchangeId, int currencyPairNo) {
    if (covers != null) {
      markets.add((long) exchangeId << 32 | Integer.toUnsignedLong(currencyPairNo));
    }
  }

  /**
   * One claim per market of the file, none without --covers or when {@code unreadable} lines were
   * not sent: a claim says no record of the range is missing.
   */
  List<CoverageClaim> claims(long unreadable) {
    if (covers == null || unreadable > 0) {
      return List.of();
    }
    return markets.stream().map(market -> CoverageClaim.newBuilder().setExchangeId((int) (market >>> 32))
        .setCurrencyPairNo((int) (long) market).setFromTimeMs(covers.fromMs()).setUntilTimeMs(covers.untilMs()).build())
        .toList();
  }

  void print(PrintWriter out, long unreadable, IngestCommand.Summary summary) {
    String range = "[" + Instant.ofEpochMilli(covers.fromMs()) + ", " + Instant.ofEpochMilli(covers.untilMs()) + ")";
    if (unreadable > 0) {
      out.printf(Locale.ROOT, "coverage %s not claimed: %d line(s) could not be read, so the file is not all "
          + "stored (fix them and run again: stored records count as duplicates)%n", range, unreadable);
      return;
    }
    out.printf(Locale.ROOT, "coverage %s claimed for %d of %d market(s)%n", range, summary.coverageStored(),
        summary.coverageStored() + summary.coverageRejections().size());
    for (RejectedRecord r : summary.coverageRejections()) {
      out.println("claim rejected (" + r.getRecordKey() + "): " + (r.getField().isEmpty() ? "" : r.getField() + ": ")
          + r.getReason());
    }
  }

  void addTo(JsonObject json, long unreadable, IngestCommand.Summary summary) {
    json.addProperty("coverage_claimed", unreadable == 0);
    json.addProperty("coverage_stored", summary.coverageStored());
    JsonArray list = new JsonArray();
    for (RejectedRecord r : summary.coverageRejections()) {
      JsonObject rejection = new JsonObject();
      rejection.addProperty("key", r.getRecordKey());
      rejection.addProperty("field", r.getField());
      rejection.addProperty("reason", r.getReason());
      rejection.addProperty("code", r.getCode().name());
      list.add(rejection);
    }
    json.add("coverage_rejections", list);
  }
}
