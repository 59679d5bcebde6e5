package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.server.grpc.Permission;
import io.tickvault.server.testing.Eventually;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenCalls on a real (in-process) gRPC server, with a stream whose code keeps sending from a thread
 * of its own: ending it closes it with the status, its code sees a cancel and a cancelled context,
 * and what it sends meanwhile is dropped without an exception; a call admitted as its token is
 * refused is ended before it runs; the registry holds only the calls open.
 */
class OpenCallsTest {
  private static final Caller CALLER = new Caller("0123456789abcdef", "fleet", Set.of(Permission.MARKET_DATA_READ),
      Scope.UNRESTRICTED);
  private static final Status REVOKED = Status.UNAUTHENTICATED.withDescription("token 0123456789abcdef was revoked");

  private final AtomicReference<Status> refusal = new AtomicReference<>(); // null: the token is accepted
  private final OpenCalls calls = new OpenCalls(tokenId -> Optional.ofNullable(refusal.get()));
  private final List<Status.Code> refusalsTold = new CopyOnWriteArrayList<>();
  private final List<Throwable> sendFailures = new CopyOnWriteArrayList<>();
  private final AtomicInteger started = new AtomicInteger();
  private final CountDownLatch cancelSeen = new CountDownLatch(1);
  private final AtomicBoolean contextCancelled = new AtomicBoolean();
  private final CountDownLatch senderDone = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    // Sends a response every millisecond from a thread of its own until it sees the call cancelled;
    // with "complete" as start time it sends one and completes instead.
    ServerServiceDefinition service = ServerServiceDefinition.builder(QueryServiceGrpc.SERVICE_NAME)
        .addMethod(QueryServiceGrpc.getSubscribeTradesMethod(), ServerCalls.asyncServerStreamingCall(
            (SubscribeTradesRequest request, io.grpc.stub.StreamObserver<SubscribeTradesResponse> responses) -> {
              started.incrementAndGet();
              ServerCallStreamObserver<SubscribeTradesResponse> call = (ServerCallStreamObserver<SubscribeTradesResponse>) responses;
              call.setOnCancelHandler(cancelSeen::countDown);
              if (request.getStartTimeMs() == 1) {
                call.onNext(SubscribeTradesResponse.getDefaultInstance());
                call.onCompleted();
                return;
              }
              Context context = Context.current();
              Thread sender = new Thread(() -> {
                try {
                  while (!call.isCancelled()) {
                    call.onNext(SubscribeTradesResponse.newBuilder().setCaughtUp(true).build());
                    Thread.sleep(1);
                  }
                  contextCancelled.set(context.isCancelled());
                } catch (RuntimeException e) {
                  sendFailures.add(e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  senderDone.countDown();
                }
              });
              sender.start();
            }))
        .build();
    ServerInterceptor admit = new ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers,
                                                                 io.grpc.ServerCallHandler<Q, R> next) {
        return calls.admit(CALLER, call, headers, next, (c, tokenId, code) -> refusalsTold.add(code));
      }
    };
    String name = "open-calls-test-" + UUID.randomUUID();
    server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(service, admit)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void anEndedStream_isClosedWithTheStatus_itsCodeSeesACancel_andWhatItStillSendsIsDropped() throws Exception {
    Iterator<SubscribeTradesResponse> responses = subscribe(0);
    responses.next();
    assertThat(calls.size()).isEqualTo(1);

    assertThat(calls.end(CALLER.tokenId(), REVOKED)).isEqualTo(1);
    assertThatThrownBy(() -> responses.forEachRemaining(r -> { }))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).isEqualTo(REVOKED.getDescription());
        });
    assertThat(cancelSeen.await(5, TimeUnit.SECONDS)).as("the call's code was told it was cancelled").isTrue();
    assertThat(senderDone.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sendFailures).isEmpty();
    assertThat(contextCancelled).isTrue();
    assertThat(refusalsTold).containsExactly(Status.Code.UNAUTHENTICATED);
    Eventually.await("the call left the registry", Duration.ofSeconds(5), () -> calls.size() == 0);
    assertThat(calls.end(CALLER.tokenId(), REVOKED)).isZero();
  }

  @Test
  void aCallAdmittedAsItsTokenIsRefused_isEndedBeforeItRuns() {
    refusal.set(REVOKED);
    assertThatThrownBy(() -> subscribe(0).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).isEqualTo(REVOKED.getDescription()));
    assertThat(started).hasValue(0);
    Eventually.await("the call left the registry", Duration.ofSeconds(5), () -> calls.size() == 0);
  }

  @Test
  void callsThatEndOnTheirOwn_leaveTheRegistry_andAreNotEndedAgain() {
    for (int i = 0; i < 100; i++) {
      subscribe(1).forEachRemaining(r -> { });
    }
    Eventually.await("no call left in the registry", Duration.ofSeconds(5), () -> calls.size() == 0);
    assertThat(calls.end(CALLER.tokenId(), REVOKED)).isZero();
    refusal.set(REVOKED);
    calls.endRefused();
    assertThat(refusalsTold).isEmpty();
    assertThat(started).hasValue(100);
  }

  private Iterator<SubscribeTradesResponse> subscribe(long startTimeMs) {
    return QueryServiceGrpc.newBlockingStub(channel)
        .subscribeTrades(SubscribeTradesRequest.newBuilder().setStartTimeMs(startTimeMs).build());
  }
}
