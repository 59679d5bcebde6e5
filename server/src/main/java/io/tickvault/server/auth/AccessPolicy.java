package io.tickvault.server.auth;

import io.tickvault.server.grpc.RpcRule;

/**
 * Who may call what (docs/security.md), by the access each RPC declares. Health is open to anyone
 * (probes carry no token); reflection needs a token unless {@code TICKVAULT_REFLECTION=public},
 * because it tells a caller every method the server has; an admin may call everything.
 */
final class AccessPolicy {
  private AccessPolicy() {}

  /** True for what needs no token: health, and reflection when it is configured public. */
  static boolean needsNoToken(RpcRule rule, boolean reflectionPublic) {
    return rule.access() == RpcRule.Access.OPEN
        || rule.access() == RpcRule.Access.REFLECTION && reflectionPublic;
  }

  static boolean allows(Caller caller, RpcRule rule) {
    return rule.access() != RpcRule.Access.ADMIN || caller.permissions().containsAll(Role.ADMIN.permissions());
  }
}
