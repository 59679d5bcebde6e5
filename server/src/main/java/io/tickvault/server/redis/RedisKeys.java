package io.tickvault.server.redis;

/**
 * Names the Redis keys of one entity (a user, a market). On a standalone Redis a key is
 * {@code prefix + id}, as it always was. In a cluster the id becomes a hash tag,
 * {@code prefix + "{" + id + "}"}, so that every key of one id lives in one slot and a command or
 * script that touches several of them (MGET, the cache's Lua scripts) is allowed.
 *
 * <p>Redis hashes the text between the first {@code {} and the first {@code }} after it, so a
 * {@code }} inside the id would cut the tag short (and an id starting with one would leave the
 * key untagged): in cluster mode {@code %} and {@code }} are escaped, which keeps the tag equal
 * to the whole id and different ids apart.
 */
public final class RedisKeys {
  public static final RedisKeys STANDALONE = new RedisKeys(false);
  public static final RedisKeys CLUSTER = new RedisKeys(true);

  private final boolean cluster;

  private RedisKeys(boolean cluster) {
    this.cluster = cluster;
  }

  public String key(String prefix, String id) {
    if (!cluster) {
      return prefix + id;
    }
    return prefix + "{" + id.replace("%", "%25").replace("}", "%7D") + "}";
  }

  public boolean cluster() {
    return cluster;
  }
}
