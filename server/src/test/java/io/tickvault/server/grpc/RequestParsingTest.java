package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestParsingTest {
  @Test
  void aRequestReachesTheServiceWithoutItsUnknownFields_andTheServiceKeepsItsNames() throws Exception {
    AtomicReference<ListCurrencyPairsRequest> seen = new AtomicReference<>();
    AtomicLong readSize = new AtomicLong();
    MarketServiceGrpc.MarketServiceImplBase service = new MarketServiceGrpc.MarketServiceImplBase() {
      @Override
      public void listCurrencyPairs(ListCurrencyPairsRequest request, StreamObserver<ListCurrencyPairsResponse> observer) {
        seen.set(request);
        readSize.set(RequestParsing.serializedSize(request)); // on the thread that parsed it
        observer.onNext(ListCurrencyPairsResponse.getDefaultInstance());
        observer.onCompleted();
      }
    };
    var lean = RequestParsing.of(service.bindService());
    assertThat(lean.getServiceDescriptor().getName()).isEqualTo(MarketServiceGrpc.SERVICE_NAME);
    assertThat(lean.getServiceDescriptor().getSchemaDescriptor()).isNotNull(); // reflection still describes it

    String name = "lean-" + System.nanoTime();
    Server server = InProcessServerBuilder.forName(name).directExecutor().addService(lean).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      ListCurrencyPairsRequest padded = ListCurrencyPairsRequest.newBuilder()
          .setExchangeId(3)
          .setUnknownFields(UnknownFieldSet.newBuilder()
              .addField(1000, UnknownFieldSet.Field.newBuilder()
                  .addLengthDelimited(ByteString.copyFrom(new byte[1_000_000])).build())
              .build())
          .build();
      MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(padded);

      assertThat(seen.get().getExchangeId()).isEqualTo(3);
      assertThat(seen.get().getUnknownFields().asMap()).isEmpty();
      assertThat(seen.get().getSerializedSize()).isLessThan(10);
      // The bytes read, the dropped field included; asked again, or elsewhere, the message measures itself.
      assertThat(readSize.get()).isEqualTo(padded.getSerializedSize()).isGreaterThan(1_000_000);
      assertThat(RequestParsing.serializedSize(seen.get())).isEqualTo(seen.get().getSerializedSize());
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
