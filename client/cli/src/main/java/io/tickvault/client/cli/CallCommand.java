package io.tickvault.client.cli;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.tickvault.client.TickvaultClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tickvault call SERVICE/METHOD 'JSON'}: any RPC compiled into this tool, with requests and
 * responses in protobuf's JSON mapping, like grpcurl but with nothing else to install and the
 * connection settings of every other command (token, TLS, profile).
 */
@Command(name = "call", mixinStandardHelpOptions = true,
    description = "Calls any RPC (tickvault describe lists them) with requests in JSON and prints each "
        + "response as one line of JSON. Unary and server-streaming calls take one request; "
        + "client-streaming and bidirectional ones take a sequence of JSON objects (JSON Lines) and "
        + "send them in order. Field names as in the .proto or in lowerCamelCase.",
    footer = {"", "Examples:",
        "  tickvault call tickvault.v1.MarketService/ListCurrencyPairs '{}'",
        "  tickvault call MarketService/PutExchange '{\"exchange_id\":1,\"code\":\"binance\"}'",
        "  echo '{\"trades\":[...]}' | tickvault call IngestService/StreamTrades -"})
final class CallCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "SERVICE/METHOD",
      description = "tickvault.v1.MarketService/ListCurrencyPairs; the package may be left out when the name is unique.")
  String methodName;

  @Parameters(index = "1", paramLabel = "JSON", defaultValue = "{}",
      description = "The request (default {}), or - to read the requests from standard input.")
  String json;

  private final CliContext context;

  CallCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    ApiDescriptors api = ApiDescriptors.load();
    MethodDescriptor method = api.method(methodName);
    List<DynamicMessage> requests = parseRequests(api, method);
    MethodType type = typeOf(method);
    if ((type == MethodType.UNARY || type == MethodType.SERVER_STREAMING) && requests.size() != 1) {
      throw new IllegalArgumentException(method.getName() + " takes one request, got " + requests.size());
    }
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(api.typeRegistry())
        .omittingInsignificantWhitespace().preservingProtoFieldNames();
    PrintWriter out = spec.commandLine().getOut();
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod = grpcMethod(method, type);
    try (TickvaultClient client = connection.connect()) {
      Channel channel = client.channel();
      switch (type) {
        case UNARY -> {
          CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(
              Math.round(connection.deadlineSeconds * 1000), TimeUnit.MILLISECONDS);
          out.println(printer.print(ClientCalls.blockingUnaryCall(channel, grpcMethod, options, requests.get(0))));
        }
        case SERVER_STREAMING -> {
          Iterator<DynamicMessage> responses = ClientCalls.blockingServerStreamingCall(
              channel, grpcMethod, CallOptions.DEFAULT, requests.get(0));
          while (responses.hasNext()) {
            out.println(printer.print(responses.next()));
            out.flush();
          }
        }
        default -> {
          for (DynamicMessage response : streamRequests(channel, grpcMethod, type, requests)) {
            out.println(printer.print(response));
          }
        }
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private List<DynamicMessage> parseRequests(ApiDescriptors api, MethodDescriptor method) {
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(api.typeRegistry());
    String text;
    try {
      text = "-".equals(json) ? new String(context.stdin().readAllBytes(), StandardCharsets.UTF_8) : json;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
    }
    List<DynamicMessage> requests = new ArrayList<>();
    for (String object : objects(text)) {
      DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
      try {
        parser.merge(object, request);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("request " + (requests.size() + 1) + " is not a JSON "
            + method.getInputType().getFullName() + ": " + e.getMessage(), e);
      }
      requests.add(request.build());
    }
    return requests;
  }

  /**
   * The top-level JSON values of a text, one after the other (JSON Lines or one value over many
   * lines): split where the braces and brackets outside strings balance.
   */
  static List<String> objects(String text) {
    List<String> values = new ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (Character.isWhitespace(c) && depth == 0) {
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
      if (depth == 0 && (c == '}' || c == ']' || i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        values.add(text.substring(start, i + 1));
        start = -1;
      }
    }
    if (start >= 0) {
      values.add(text.substring(start)); // unbalanced: the parser says what is wrong with it
    }
    return values;
  }

  /** Sends every request in order, half-closes, and gathers the responses until the call ends. */
  private static List<DynamicMessage> streamRequests(Channel channel,
      io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod, MethodType type, List<DynamicMessage> requests)
      throws InterruptedException {
    List<DynamicMessage> responses = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<DynamicMessage> observer = new StreamObserver<>() {
      @Override
      public void onNext(DynamicMessage value) {
        synchronized (responses) {
          responses.add(value);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    };
    StreamObserver<DynamicMessage> sender = type == MethodType.CLIENT_STREAMING
        ? ClientCalls.asyncClientStreamingCall(channel.newCall(grpcMethod, CallOptions.DEFAULT), observer)
        : ClientCalls.asyncBidiStreamingCall(channel.newCall(grpcMethod, CallOptions.DEFAULT), observer);
    requests.forEach(sender::onNext);
    sender.onCompleted();
    try {
      done.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    synchronized (responses) {
      return List.copyOf(responses);
    }
  }

  static MethodType typeOf(MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
    }
    return method.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
  }

  private static io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(MethodDescriptor method, MethodType type) {
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(type)
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
  }
}
