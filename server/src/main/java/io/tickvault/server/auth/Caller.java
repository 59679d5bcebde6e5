package io.tickvault.server.auth;

import io.grpc.Context;
import io.grpc.Status;
import io.tickvault.server.grpc.Permission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling: the token's id (never the token), its name, what it may do and which users and
 * exchanges it reaches. {@link AuthInterceptor} puts one in the gRPC context of every call it lets
 * through; code of the call reads it with {@link #current()}, also on the executors the call's
 * events run on (they run in its context).
 *
 * @param tokenId a stable id that is no secret: a stored token's id, {@code env-worker-<8 hex>} for
 *     an environment token, {@link #ANONYMOUS_ID} when no token was checked
 * @param name what the token's creator called it
 */
public record Caller(String tokenId, String name, Set<Permission> permissions, Scope scope) {
  /** The id of a caller no token identifies: authentication is off, or the call needs no token. */
  public static final String ANONYMOUS_ID = "anonymous";

  private static final Context.Key<Caller> KEY = Context.key("tickvault-caller");
  private static final Caller AUTH_OFF = new Caller(ANONYMOUS_ID, "authentication off",
      EnumSet.allOf(Permission.class), Scope.UNRESTRICTED);
  private static final Caller NO_TOKEN = new Caller(ANONYMOUS_ID, "no token", Set.of(), Scope.UNRESTRICTED);

  public Caller {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(name, "name");
    permissions = Permission.setOf(permissions);
    Objects.requireNonNull(scope, "scope");
  }

  /** Every call when no token is configured: it may do everything, everywhere. */
  public static Caller authenticationOff() {
    return AUTH_OFF;
  }

  /** A call that needs no token (health, public reflection) and sent none that was checked: it may do nothing. */
  public static Caller withoutToken() {
    return NO_TOKEN;
  }

  /**
   * The caller of the current call. Fails when the code does not run in a call that
   * {@link AuthInterceptor} let through: a caller is never guessed, least of all as one who may do
   * everything.
   */
  public static Caller current() {
    Caller caller = KEY.get();
    if (caller == null) {
      throw new IllegalStateException("no caller in this context: the code runs outside a call that AuthInterceptor admitted");
    }
    return caller;
  }

  /** The context of a call made by this caller. */
  Context attachTo(Context context) {
    return context.withValue(KEY, this);
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  /**
   * PERMISSION_DENIED unless the user is in this caller's scope. Decided from the scope alone, before
   * anything is looked up, so the answer is the same whether or not the user exists.
   */
  public void requireUser(String userId) {
    if (!scope.allowsUser(userId)) {
      throw Status.PERMISSION_DENIED.withDescription("user_id: this user is outside the scope of token " + tokenId)
          .asRuntimeException();
    }
  }

  /** PERMISSION_DENIED unless the exchange is in this caller's scope, decided from the scope alone. */
  public void requireExchange(int exchangeId) {
    if (!scope.allowsExchange(exchangeId)) {
      throw Status.PERMISSION_DENIED.withDescription("exchange_id: exchange " + exchangeId
          + " is outside the scope of token " + tokenId).asRuntimeException();
    }
  }
}
