package io.tickvault.client.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.TokenInfo;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code tickvault tokens …} and {@code tickvault whoami}: stored tokens, and what a token may do. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Create, list and revoke stored tokens (a token with PERMISSION_TOKENS_ADMIN).",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
final class TokensCommand {
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Creates a token and prints it, this once: keep it in a secret store. With -o json, the "
          + "token and what was stored as one JSON object.",
          "A token never reaches further than the one that creates it."})
  static final class Create extends ServerCommand {
    @Option(names = "--name", required = true, paramLabel = "TEXT", description = "What it is for, for people.")
    String name;

    @Option(names = "--permission", required = true, paramLabel = "PERMISSION", converter = PermissionConverter.class,
        description = "What it may do, repeated: api_keys_read, api_keys_write, market_data_write, market_data_read, "
            + "markets_write, tokens_admin, audit_read (or the .proto names).")
    List<Permission> permissions;

    @Option(names = "--user-id", paramLabel = "USER", description = "A user it reaches, matched exactly; repeated.")
    List<String> userIds = new ArrayList<>();

    @Option(names = "--user-id-prefix", paramLabel = "PREFIX",
        description = "The users whose id starts with PREFIX, character for character; repeated.")
    List<String> userIdPrefixes = new ArrayList<>();

    @Option(names = "--exchange-id", paramLabel = "N", description = "An exchange it reaches; repeated.")
    List<Integer> exchangeIds = new ArrayList<>();

    @Option(names = "--expires-in", paramLabel = "DURATION", converter = TimeArguments.Millis.class,
        description = "It stops being accepted after this long (30d, 12h...); default: never.")
    Long expiresIn;

    @Override
    public Integer call() {
      TokenScope scope = TokenScope.newBuilder().addAllUserIds(userIds).addAllUserIdPrefixes(userIdPrefixes)
          .addAllExchangeIds(exchangeIds).build();
      long expiresAt = expiresIn == null ? 0 : System.currentTimeMillis() + expiresIn;
      try (TickvaultClient client = connection.connect()) {
        CreateTokenResponse created = client.tokens().create(name, permissions, scope, expiresAt);
        if (output.json()) {
          out().println(Json.of(created));
        } else {
          out().println(created.getToken());
          spec.commandLine().getErr().println("token " + created.getInfo().getTokenId()
              + " created; the line above is shown this once");
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the stored tokens, oldest first, revoked and expired ones included (never the tokens "
          + "themselves); with -o json one JSON object per token.")
  static final class ListTokens extends ServerCommand {
    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        List<TokenInfo> tokens = client.tokens().listAll();
        PrintWriter out = out();
        if (output.json()) {
          tokens.forEach(t -> out.println(Json.of(t)));
          return ExitCodes.OK;
        }
        out.printf("%-16s %-24s %-8s %-24s %-24s %s%n", "token_id", "name", "state", "expires", "last_used", "may");
        long now = System.currentTimeMillis();
        for (TokenInfo t : tokens) {
          String state = t.getRevokedAtMs() != 0 ? "revoked"
              : t.getExpiresAtMs() != 0 && t.getExpiresAtMs() <= now ? "expired" : "active";
          out.printf("%-16s %-24s %-8s %-24s %-24s %s%n", t.getTokenId(), t.getName(), state,
              time(t.getExpiresAtMs(), "never"), time(t.getLastUsedAtMs(), "never"), may(t));
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a token: every server refuses it within a second. Prints 'revoked'.")
  static final class Revoke extends ServerCommand {
    @Parameters(paramLabel = "TOKEN_ID", description = "The token's id (tokens list), not the token.")
    String tokenId;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        TokenInfo revoked = client.tokens().revoke(tokenId);
        return printOutcome("revoked", revoked.getRevokedAtMs() != 0, "not revoked");
      }
    }
  }

  @Command(name = "whoami", mixinStandardHelpOptions = true,
      description = "Prints what the token in use may do: its id, name, permissions and scope.")
  static final class WhoAmI extends ServerCommand {
    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        TokenInfo me = client.tokens().whoAmI();
        PrintWriter out = out();
        if (output.json()) {
          out.println(Json.of(me));
          return ExitCodes.OK;
        }
        out.println("token_id: " + me.getTokenId());
        out.println("name:     " + me.getName());
        out.println("may:      " + may(me));
        if (me.getExpiresAtMs() != 0) {
          out.println("expires:  " + time(me.getExpiresAtMs(), "never"));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** "api_keys_read, market_data_read on users alice, ids starting 'acme-', exchanges 1, 2". */
  static String may(TokenInfo t) {
    String permissions = t.getPermissionsList().stream()
        .map(p -> p.name().substring("PERMISSION_".length()).toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
    TokenScope s = t.getScope();
    List<String> users = new ArrayList<>(s.getUserIdsList());
    // Never "acme-*": a prefix is no glob, and must not read as one.
    s.getUserIdPrefixesList().forEach(p -> users.add("ids starting '" + p + "'"));
    return permissions
        + (users.isEmpty() ? " on every user" : " on users " + String.join(", ", users))
        + (s.getExchangeIdsCount() == 0 ? ", every exchange"
            : ", exchanges " + s.getExchangeIdsList().stream().map(String::valueOf).collect(Collectors.joining(", ")));
  }

  private static String time(long ms, String zero) {
    return ms == 0 ? zero : Instant.ofEpochMilli(ms).toString();
  }

  /** A permission as the .proto names it, or without its prefix, in any case. */
  static final class PermissionConverter implements ITypeConverter<Permission> {
    @Override
    public Permission convert(String value) {
      EnumValueDescriptor found = EnumSpellings.find(Permission.getDescriptor(), value);
      if (found == null || found.getNumber() == 0) {
        throw new TypeConversionException("'" + value + "' is no permission; one of "
            + EnumSpellings.shortNames(Permission.getDescriptor()).toLowerCase(Locale.ROOT));
      }
      return Permission.forNumber(found.getNumber());
    }
  }
}
