package io.tickvault.server.trade;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.Responses;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends requests over one StreamTrades call as fast as flow control lets it (only while the call
 * is ready) and collects the acks; the test sees each ack as it arrives and the call's final
 * status. For fault tests: what was acknowledged, and how the call ended. Each request may carry
 * a coverage claim of its own.
 */
final class StreamSender extends Responses<IngestTradesAck>
    implements ClientResponseObserver<StreamTradesRequest, IngestTradesAck> {
  private final List<List<Trade>> requests;
  private final List<CoverageClaim> claims; // one per request, or none at all
  private final Consumer<IngestTradesAck> onAck;
  private ClientCallStreamObserver<StreamTradesRequest> stream;
  private int next; // guarded by this

  private StreamSender(List<List<Trade>> requests, List<CoverageClaim> claims, Consumer<IngestTradesAck> onAck) {
    this.requests = requests;
    this.claims = claims;
    this.onAck = onAck;
  }

  /** Starts the call; it sends every request, half-closes, and ends with the returned status. */
  static StreamSender start(Channel channel, List<List<Trade>> requests, Consumer<IngestTradesAck> onAck) {
    return start(channel, requests, List.of(), onAck);
  }

  /** As {@link #start(Channel, List, Consumer)}, request i carrying {@code claims.get(i)}. */
  static StreamSender start(Channel channel, List<List<Trade>> requests, List<CoverageClaim> claims,
                            Consumer<IngestTradesAck> onAck) {
    StreamSender sender = new StreamSender(requests, claims, onAck);
    IngestServiceGrpc.newStub(channel).streamTrades(sender);
    return sender;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<StreamTradesRequest> requestStream) {
    this.stream = requestStream;
    requestStream.setOnReadyHandler(this::sendWhileReady);
  }

  private synchronized void sendWhileReady() {
    while (stream.isReady() && next < requests.size() && !end().isDone()) {
      StreamTradesRequest.Builder request = StreamTradesRequest.newBuilder().addAllTrades(requests.get(next));
      if (!claims.isEmpty()) {
        request.addCoverage(claims.get(next));
      }
      next++;
      stream.onNext(request.build());
      if (next == requests.size()) {
        stream.onCompleted();
      }
    }
  }

  @Override
  public void onNext(IngestTradesAck ack) {
    super.onNext(ack);
    onAck.accept(ack);
  }

  /** Waits (at most two minutes) for the call to end. */
  Status awaitEnd() {
    try {
      return end().get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the call did not end within two minutes", e);
    }
  }

  long insertedSum() {
    return values().stream().mapToLong(IngestTradesAck::getInserted).sum();
  }

  /** The trade ids of the acknowledged requests. */
  List<String> acknowledgedTradeIds() {
    return values().stream()
        .flatMap(ack -> requests.get((int) ack.getRequestIndex()).stream())
        .map(Trade::getTradeId)
        .toList();
  }

  /** {@code count} requests of {@code size} trades, numbered from trade {@code first} on. */
  static List<List<Trade>> requests(long first, int count, int size) {
    List<List<Trade>> requests = new java.util.ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      List<Trade> request = new java.util.ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        request.add(TradeCalls.trade(first + (long) r * size + i));
      }
      requests.add(request);
    }
    return requests;
  }
}
