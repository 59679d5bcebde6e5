package io.tickvault.server.testing;

import io.tickvault.server.config.ServerConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Three in-process servers on one database, authentication on with one admin token: {@link #a()},
 * which creates and drops the database, {@link #b()}, and {@link #withoutRedis()}, whose Redis is
 * unreachable, so that what it learns of the others it learns from the database alone. Use as
 * {@code @RegisterExtension static Replicas replicas = Replicas.withAdminToken(ADMIN);}.
 */
public record Replicas(TestServer a, TestServer b, TestServer withoutRedis) implements BeforeAllCallback, AfterAllCallback {
  public static Replicas withAdminToken(String adminToken) {
    UnaryOperator<ServerConfig.Builder> auth = builder -> builder.authDisabled(false).adminTokens(List.of(adminToken));
    TestServer a = TestServer.inProcess().configure(auth);
    return new Replicas(a, TestServer.inProcessReplicaOf(a).configure(auth),
        TestServer.inProcessReplicaOf(a).redisUrl("redis://127.0.0.1:1").configure(auth));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    a.beforeAll(context); // first: it creates the database the others use
    b.beforeAll(context);
    withoutRedis.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    withoutRedis.afterAll(context);
    b.afterAll(context);
    a.afterAll(context); // last: it drops the database
  }
}
