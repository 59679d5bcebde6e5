package io.tickvault.client.cli;

import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.client.TickvaultClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tickvault keys …}: users' exchange API keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Read a user's exchange API keys; put and delete them (admin token).",
    subcommands = {KeysCommand.Get.class, KeysCommand.Put.class, KeysCommand.Delete.class})
final class KeysCommand {
  /** Shown instead of a secret unless --show-secrets is given. */
  static final String HIDDEN = "(hidden)";

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Prints a user's keys as a table, or with -o json one JSON object per key. Secrets are "
          + "hidden unless --show-secrets is given.")
  static final class Get extends ServerCommand {
    @Option(names = "--user-id", required = true, paramLabel = "USER")
    String userId;

    @Option(names = "--exchange-id", paramLabel = "N", defaultValue = "0", description = "Only this exchange's keys (default: all).")
    int exchangeId;

    // Before -o json said the same; kept for the scripts that use it.
    @Option(names = "--json", hidden = true, description = "As -o json.")
    boolean json;

    @Option(names = "--show-secrets", description = "Print the secret keys in plain text.")
    boolean showSecrets;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        List<ApiKey> keys = client.getApiKeys(userId, exchangeId);
        PrintWriter out = out();
        if (json || output.json()) {
          for (ApiKey key : keys) {
            out.println(Json.of(showSecrets ? key : key.toBuilder().setSecretKey(HIDDEN).build()));
          }
          return ExitCodes.OK;
        }
        out.printf("%-11s %-24s %-24s %-20s %s%n", "exchange_id", "access_key", "secret_key", "label", "updated");
        for (ApiKey key : keys) {
          out.printf("%-11d %-24s %-24s %-20s %s%n", key.getExchangeId(), key.getAccessKey(),
              showSecrets ? key.getSecretKey() : HIDDEN, key.getLabel(),
              Instant.ofEpochMilli(key.getUpdateTimeMs()));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** The options that name one stored key: its user, exchange and access key. */
  static final class KeyIdentity {
    @Option(names = "--user-id", required = true, paramLabel = "USER")
    String userId;

    @Option(names = "--exchange-id", required = true, paramLabel = "N")
    int exchangeId;

    @Option(names = "--access-key", required = true, paramLabel = "KEY")
    String accessKey;
  }

  @Command(name = "put", mixinStandardHelpOptions = true,
      description = "Stores a key, or replaces the secret and label of the same user, exchange and "
          + "access key. Prints 'created' or 'updated'.")
  static final class Put extends ServerCommand {
    @Mixin
    KeyIdentity key;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Secret secret;

    @Option(names = "--label", paramLabel = "TEXT", defaultValue = "")
    String label;

    static final class Secret {
      @Option(names = "--secret-key-file", paramLabel = "FILE",
          description = "Read the secret from this file ('-' for standard input); it stays out of "
              + "the process list and shell history.")
      String file;

      @Option(names = "--secret-key", paramLabel = "SECRET",
          description = "The secret itself (visible to other users in the process list).")
      String value;

      String read() {
        if (value != null) {
          return value;
        }
        try {
          byte[] bytes;
          if (file.equals("-")) {
            InputStream in = System.in;
            bytes = in.readAllBytes();
          } else {
            bytes = Files.readAllBytes(Path.of(file));
          }
          return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new UncheckedIOException("--secret-key-file: cannot read " + file + ": " + e.getMessage(), e);
        }
      }
    }

    @Override
    public Integer call() {
      PutApiKeyRequest request = PutApiKeyRequest.newBuilder()
          .setUserId(key.userId).setExchangeId(key.exchangeId).setAccessKey(key.accessKey)
          .setSecretKey(secret.read()).setLabel(label).build();
      try (TickvaultClient client = connection.connect()) {
        return printOutcome("created", client.putApiKey(request).getCreated(), "updated");
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Deletes one key. Prints 'deleted', or 'not found' when there was no such key (exit 0 either way).")
  static final class Delete extends ServerCommand {
    @Mixin
    KeyIdentity key;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        return printOutcome("deleted", client.deleteApiKey(key.userId, key.exchangeId, key.accessKey), "not found");
      }
    }
  }
}
