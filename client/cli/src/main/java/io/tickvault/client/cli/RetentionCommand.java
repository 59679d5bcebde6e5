package io.tickvault.client.cli;

import io.tickvault.api.v1.GetRetentionRequest;
import io.tickvault.api.v1.GetRetentionResponse;
import io.tickvault.api.v1.TableRetention;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;

/** {@code tickvault retention status}: what each market-data table keeps, over GetRetention. */
@Command(name = "retention", mixinStandardHelpOptions = true,
    description = "What the server's retention keeps of the raw market data (docs/retention.md).",
    subcommands = RetentionCommand.Status.class)
final class RetentionCommand {
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Per table (trades, orderbook_snapshots, orderbook_levels): the window this server keeps, the "
          + "horizon before which rows were removed (and are refused), the rows removed by every server, when a "
          + "server last removed and the oldest row left; with -o json one TableRetention object per line.")
  static final class Status extends ServerCommand {
    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        GetRetentionResponse retention = client.query().getRetention(GetRetentionRequest.getDefaultInstance());
        PrintWriter out = out();
        if (output.json()) {
          retention.getTablesList().forEach(t -> out.println(Json.of(t)));
          return ExitCodes.OK;
        }
        out.printf("%-20s %-8s %-24s %12s %-24s %s%n", "table", "keeps", "removed_before", "rows_removed", "last_run",
            "oldest_kept");
        for (TableRetention t : retention.getTablesList()) {
          out.printf("%-20s %-8s %-24s %12d %-24s %s%n", t.getTable(),
              t.getRetentionDays() == 0 ? "forever" : t.getRetentionDays() + "d", time(t.getHorizonMs()),
              t.getRowsRemoved(), time(t.getLastRunMs()), time(t.getOldestKeptMs()));
        }
        return ExitCodes.OK;
      }
    }

    private static String time(long ms) {
      return ms == 0 ? "-" : Instant.ofEpochMilli(ms).toString();
    }
  }
}
