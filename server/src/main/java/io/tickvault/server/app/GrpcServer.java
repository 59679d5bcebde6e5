package io.tickvault.server.app;

import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.server.auth.AccessTokens;
import io.tickvault.server.auth.AuthInterceptor;
import io.tickvault.server.auth.BearerTokens;
import io.tickvault.server.auth.RefusalListener;
import io.tickvault.server.auth.TlsContexts;
import io.tickvault.server.auth.TokenVerifier;
import io.tickvault.server.config.AuthSettings;
import io.tickvault.server.config.ConnectionLimits;
import io.tickvault.server.config.Endpoints;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.config.TlsSettings;
import io.tickvault.server.db.DatabaseHealthMonitor;
import io.tickvault.server.grpc.DatabaseCalls;
import io.tickvault.server.grpc.RequestParsing;
import io.tickvault.server.grpc.RpcRule;
import io.tickvault.server.grpc.RpcRules;
import io.tickvault.server.grpc.ServerVersionInterceptor;
import io.tickvault.server.grpc.StreamResets;
import io.tickvault.server.logging.UncaughtErrors;
import io.tickvault.server.metrics.DependencyMetrics;
import io.tickvault.server.metrics.GrpcMetricsInterceptor;
import io.tickvault.server.metrics.RefusalMetrics;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The last step of start-up: the gRPC server with the tickvault services, health (following the
 * database), reflection for grpcurl, authentication, and call metrics; started, and stopped first
 * at shutdown.
 */
record GrpcServer(TickvaultServer server, DatabaseHealthMonitor healthMonitor) {

  /** A Netty server on the configured address, with TLS (and mTLS) when configured, and the connection limits. */
  static NettyServerBuilder nettyBuilder(ServerConfig config) {
    Endpoints endpoints = config.endpoints();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(endpoints.bindAddress(), endpoints.grpcPort()));
    TlsSettings tls = config.tls();
    tls.cert().ifPresent(cert -> builder.sslContext(TlsContexts.forServer(cert, tls.key().orElseThrow(), tls.clientCa())));
    ConnectionLimits limits = config.connectionLimits();
    builder.maxConcurrentCallsPerConnection(limits.maxConcurrentStreams())
        .permitKeepAliveTime(limits.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(false)
        .handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .maxRstFramesPerWindow(limits.maxResetsPer10Seconds(), 10);
    // Zero turns a limit off, which is grpc-java's default: leave those unset.
    if (!limits.maxConnectionIdle().isZero()) {
      builder.maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (!limits.maxConnectionAge().isZero()) {
      builder.maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (!limits.maxConnectionAgeGrace().isZero()) {
      builder.maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS);
    }
    return builder;
  }

  /**
   * @param rules the declaration of every RPC served, read by authentication, admission and the call
   *     executor
   * @param storedTokens the tokens of {@code access_tokens}, accepted beside the environment's
   * @param endStreams ends the long-lived streams at shutdown, once no new call is taken
   * @param audit records the calls inside authentication, and the refusals of authentication
   */
  static GrpcServer start(ServerConfig config, ServerBuilder<?> builder, List<BindableService> services,
                          RpcRules rules, AccessTokens storedTokens, Runnable endStreams, CallExecutor executors, Infrastructure infra,
                          Audit audit, Resources resources) {
    List<ServerServiceDefinition> definitions = services.stream().map(BindableService::bindService).toList();
    HealthStatusManager health = new HealthStatusManager();
    List<ServerServiceDefinition> grpcOwn = List.of(health.getHealthService().bindService(),
        ProtoReflectionServiceV1.newInstance().bindService(), legacyReflection());
    rules.requireDeclared(definitions);
    rules.requireDeclared(grpcOwn);
    List<String> serviceNames = definitions.stream().map(d -> d.getServiceDescriptor().getName()).toList();
    DatabaseHealthMonitor healthMonitor = infra.databaseHealth();
    Serving serving = new Serving(health, serviceNames);
    healthMonitor.addListener(serving::databaseReachable);
    infra.uncaughtErrors().addListener(serving::jvmHealthy);
    DependencyMetrics.register(infra.metrics().registry(), healthMonitor::reachable, infra.redisMetrics()::up);

    // gRPC looks each call's method up on the Netty event loop that read it (directExecutor).
    // The RPCs declared EVENT_LOOP stay there: a near-cache hit is answered without any hand-off,
    // a miss goes to executors.database() (BlockingCalls). Every other call moves to
    // executors.transport() before any interceptor runs: health, reflection and the callbacks of
    // the other services, whose blocking work goes on to executors.database(), or for the heavy
    // reads to executors.heavyReads() (DatabaseCalls).
    builder.directExecutor();
    builder.callExecutor(new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return rules.of(call.getMethodDescriptor().getFullMethodName()).runs() == RpcRule.Runs.EVENT_LOOP
            ? null // stay on the event loop
            : executors.transport();
      }
    });
    builder.maxInboundMessageSize(RequestParsing.MAX_MESSAGE_BYTES);
    // A read stream whose client stopped taking its pages resets itself (PagedStream).
    builder.addStreamTracerFactory(new StreamResets(rules.costing(RpcRule.Cost.HEAVY)));
    for (ServerServiceDefinition definition : definitions) {
      DatabaseCalls databaseCalls = new DatabaseCalls(executors.database(), executors.heavyReads(),
          CallExecutor.MAX_DATABASE_CALLS, healthMonitor, rules);
      // Unknown fields of a request are never used: dropped as it is read, they cost no memory.
      builder.addService(ServerInterceptors.intercept(RequestParsing.of(definition), databaseCalls));
    }
    grpcOwn.forEach(builder::addService);

    // Interceptors run in reverse order of registration: the metrics one is added last so that it
    // sees every call first, including those that other interceptors refuse; the version one wraps
    // authentication, so that refused calls carry the version too. The audit one runs inside
    // authentication, which tells it of the calls it refuses; inside it, the count of the calls
    // refused for their scope.
    RefusalMetrics refusalMetrics = new RefusalMetrics(infra.metrics().registry());
    builder.intercept(refusalMetrics.admittedCalls());
    builder.intercept(audit.interceptor());
    AuthSettings auth = config.auth();
    RefusalListener auditRefusals = audit.interceptor().refusals();
    builder.intercept(auth.disabled()
        ? AuthInterceptor.authenticationOff()
        : new AuthInterceptor(rules, TokenVerifier.storedThen(storedTokens,
            new BearerTokens(auth.workerTokens(), auth.adminTokens())), auth.reflectionPublic(),
            (call, tokenId, code) -> {
              auditRefusals.refused(call, tokenId, code);
              refusalMetrics.refused(code);
            }, storedTokens.openCalls()));
    builder.intercept(new ServerVersionInterceptor(TickvaultVersion.current()));
    builder.intercept(new GrpcMetricsInterceptor(infra.metrics().registry()));
    TickvaultServer server = new TickvaultServer(builder.build(), config.shutdownGrace(), endStreams);
    server.start();
    resources.own(() -> {
      health.enterTerminalState(); // NOT_SERVING from now on, whatever the database monitor finds
      server.stop();
    });
    return new GrpcServer(server, healthMonitor);
  }

  /**
   * Health as both inputs have it: SERVING while PostgreSQL answers and the JVM has had no error of
   * its own (out of memory) for a minute ({@link UncaughtErrors}), NOT_SERVING otherwise.
   */
  private static final class Serving {
    private final HealthStatusManager health;
    private final List<String> serviceNames;
    private boolean databaseReachable; // guarded by this
    private boolean jvmHealthy = true; // guarded by this

    Serving(HealthStatusManager health, List<String> serviceNames) {
      this.health = health;
      this.serviceNames = serviceNames;
    }

    synchronized void databaseReachable(boolean reachable) {
      databaseReachable = reachable;
      publish();
    }

    synchronized void jvmHealthy(boolean healthy) {
      jvmHealthy = healthy;
      publish();
    }

    private void publish() {
      ServingStatus status = databaseReachable && jvmHealthy ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
      serviceNames.forEach(service -> health.setStatus(service, status));
    }
  }

  @SuppressWarnings("deprecation")
  private static ServerServiceDefinition legacyReflection() {
    // grpcurl and older tools still ask grpc.reflection.v1alpha first.
    return ProtoReflectionService.newInstance().bindService();
  }
}
