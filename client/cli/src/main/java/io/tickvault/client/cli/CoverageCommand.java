package io.tickvault.client.cli;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.GapReport;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.Hole;
import io.tickvault.api.v1.HoleKind;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickvault coverage} and {@code tickvault feeds}: what a feed holds, where its holes are, how fresh it is. */
final class CoverageCommand {
  private CoverageCommand() {}

  /** The channel as the command line spells it. */
  enum ChannelName {
    trades(Channel.CHANNEL_TRADES), orderbooks(Channel.CHANNEL_ORDER_BOOKS);

    final Channel channel;

    ChannelName(Channel channel) {
      this.channel = channel;
    }

    static String of(Channel channel) {
      return channel == Channel.CHANNEL_ORDER_BOOKS ? "orderbooks" : "trades";
    }
  }

  @Command(name = "coverage", mixinStandardHelpOptions = true,
      description = "Whether a range of a feed is complete: the ranges the workers' claims cover and the holes, each "
          + "with the gap reports that explain it. Exits 0 when complete, 7 when the range has holes; with -o json "
          + "one GetCoverageResponse object.")
  static final class Get extends ServerCommand {
    @Option(names = "--exchange-id", required = true, paramLabel = "N", description = "A registered exchange.")
    int exchangeId;

    @Option(names = "--pair-no", required = true, paramLabel = "N", description = "A registered pair of that exchange.")
    int pairNo;

    @Option(names = "--channel", paramLabel = "CHANNEL", defaultValue = "trades",
        description = "trades (default) or orderbooks.")
    ChannelName channel;

    @Option(names = "--from", required = true, paramLabel = "TIME", converter = TimeArguments.EpochMillis.class,
        description = "First millisecond asked, included: epoch milliseconds or ISO-8601.")
    long from;

    @Option(names = "--to", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
        description = "First millisecond not asked: epoch milliseconds or ISO-8601; now by default.")
    long to;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        GetCoverageResponse coverage = client.coverage().getCoverage(exchangeId, pairNo, channel.channel, from, to);
        PrintWriter out = out();
        if (output.json()) {
          out.println(Json.of(coverage));
        } else {
          print(out, coverage);
        }
        return coverage.getComplete() ? ExitCodes.OK : ExitCodes.INCOMPLETE;
      }
    }

    static void print(PrintWriter out, GetCoverageResponse coverage) {
      out.println(coverage.getComplete() ? "complete" : "incomplete: " + coverage.getHolesCount() + " hole(s)");
      for (TimeRange r : coverage.getCoveredList()) {
        out.println("covered " + range(r.getFromTimeMs(), r.getUntilTimeMs()));
      }
      for (Hole h : coverage.getHolesList()) {
        out.println("hole    " + range(h.getFromTimeMs(), h.getUntilTimeMs())
            + (h.getKind() == HoleKind.HOLE_KIND_REMOVED_BY_RETENTION ? "  removed by retention"
                : h.getReportsCount() == 0 ? "  unexplained" : ""));
        for (GapReport g : h.getReportsList()) {
          out.println("        reported " + range(g.getFromTimeMs(), g.getUntilTimeMs()) + " "
              + g.getReason().name().replaceFirst("^GAP_REASON_", "").toLowerCase()
              + (g.getDetail().isEmpty() ? "" : ": " + g.getDetail()));
        }
      }
    }

    private static String range(long from, long until) {
      return "[" + Instant.ofEpochMilli(from) + ", " + Instant.ofEpochMilli(until) + ")";
    }
  }

  @Command(name = "feeds", mixinStandardHelpOptions = true,
      description = "Every feed (a market on a channel) with the end of its coverage and its newest record's time, "
          + "as a table, or with -o json one Feed object per line.")
  static final class ListFeeds extends ServerCommand {
    @Option(names = "--exchange-id", paramLabel = "N", defaultValue = "0", description = "Only this exchange's feeds.")
    int exchangeId;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        List<Feed> feeds = client.coverage().listFeeds(exchangeId);
        PrintWriter out = out();
        if (output.json()) {
          feeds.forEach(feed -> out.println(Json.of(feed)));
          return ExitCodes.OK;
        }
        out.printf("%-11s %-7s %-10s %-24s %s%n", "exchange_id", "pair_no", "channel", "covered_until", "last_record");
        for (Feed f : feeds) {
          out.printf("%-11d %-7d %-10s %-24s %s%n", f.getExchangeId(), f.getCurrencyPairNo(), ChannelName.of(f.getChannel()),
              time(f.getCoveredUntilMs()), time(f.getLastRecordTimeMs()));
        }
        return ExitCodes.OK;
      }
    }

    private static String time(long ms) {
      return ms == 0 ? "-" : Instant.ofEpochMilli(ms).toString();
    }
  }
}
