package io.tickvault.server.auth;

import io.tickvault.server.redis.ChannelListener;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.util.concurrent.Executor;

/**
 * Tells every server at once that a token was created or revoked, through Redis pub/sub on
 * {@link #CHANNEL}: a revocation applies on arrival (no database needed), and either message makes
 * the server re-read the table off the listener's thread. When Redis is down nothing arrives: the
 * servers' periodic check of the table's fingerprint still finds the change within its interval.
 */
public final class TokenAnnouncements extends ChannelListener {
  static final String CHANNEL = "access_tokens:invalidations";
  private static final String REVOKED = "revoked ";
  private static final String CREATED = "created ";

  private final AccessTokens tokens;
  private final Executor reloads;
  private final LazyRedisConnection<RedisConnection<String, byte[]>> redis;

  /**
   * @param reloads where the table is re-read (never the pub/sub listener's thread)
   * @param redis where announcements are published
   */
  public TokenAnnouncements(AccessTokens tokens, Executor reloads, LazyRedisConnection<RedisConnection<String, byte[]>> redis) {
    super(CHANNEL);
    this.tokens = tokens;
    this.reloads = reloads;
    this.redis = redis;
  }

  void revoked(String tokenId) {
    publish(REVOKED + tokenId);
  }

  void created(String tokenId) {
    publish(CREATED + tokenId);
  }

  // Fire and forget: a message Redis did not take is covered by the periodic check.
  private void publish(String message) {
    publish(redis, message);
  }

  @Override
  public void subscribed(String channel, long count) {
    // What was announced while unsubscribed is lost: look at the table now.
    reloads.execute(tokens::reloadIfChanged);
  }

  @Override
  public void message(String channel, String message) {
    if (message.startsWith(REVOKED)) {
      tokens.refuse(message.substring(REVOKED.length()));
    }
    reloads.execute(tokens::reloadIfChanged);
  }
}
