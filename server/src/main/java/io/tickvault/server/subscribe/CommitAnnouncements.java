package io.tickvault.server.subscribe;

import io.tickvault.server.redis.ChannelListener;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells every server of the records of one kind committed through this one, through Redis pub/sub
 * on the kind's channel ({@link #TRADES}, {@link #ORDER_BOOKS}) after each commit, so their
 * subscribers read the log at once. Only for latency: a message lost (Redis down, a server
 * reconnecting) costs its subscribers one poll of the log's counter, never a record
 * ({@link CommitWatch}).
 */
public final class CommitAnnouncements extends ChannelListener implements CommitLog.Listener {
  public static final String TRADES = "trade_commits";
  public static final String ORDER_BOOKS = "orderbook_commits";

  private final CommitWatch watch;
  private final LazyRedisConnection<RedisConnection<String, byte[]>> redis;

  public CommitAnnouncements(String channel, CommitWatch watch, LazyRedisConnection<RedisConnection<String, byte[]>> redis) {
    super(channel);
    this.watch = watch;
    this.redis = redis;
  }

  /** This server's commits: its own subscribers at once, the others' through Redis. */
  @Override
  public void committed(List<CommitLog.Commit> commits) {
    watch.committed(commits);
    StringBuilder message = new StringBuilder();
    for (CommitLog.Commit commit : commits) {
      message.append(commit.exchangeId()).append(' ').append(commit.currencyPairNo()).append(' ')
          .append(commit.seq()).append('\n');
    }
    // Fire and forget: a message Redis did not take is covered by the poll.
    publish(redis, message.toString());
  }

  @Override
  public void message(String from, String message) {
    List<CommitLog.Commit> commits = new ArrayList<>();
    for (String line : message.split("\n")) {
      String[] parts = line.split(" ");
      if (parts.length != 3) {
        continue;
      }
      try {
        commits.add(new CommitLog.Commit(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
            Long.parseLong(parts[2])));
      } catch (NumberFormatException e) {
        // not ours: the channel is open to anyone who can reach Redis
      }
    }
    watch.committed(commits);
  }
}
