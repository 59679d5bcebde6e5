package io.tickvault.server.auth;

import io.tickvault.server.grpc.RpcRule;

/**
 * Who may call what (docs/security.md), by the access each RPC declares. Health is open to anyone
 * (probes carry no token); reflection needs a token unless {@code TICKVAULT_REFLECTION=public},
 * because it tells a caller every method the server has; every other RPC needs a token that
 * carries the permission it declares.
 */
final class AccessPolicy {
  private AccessPolicy() {}

  /** True for what needs no token: health, and reflection when it is configured public. */
  static boolean needsNoToken(RpcRule rule, boolean reflectionPublic) {
    return rule.access() == RpcRule.Access.OPEN
        || rule.access() == RpcRule.Access.REFLECTION && reflectionPublic;
  }

  /** True when the caller carries the permission the RPC needs, or it needs none. */
  static boolean allows(Caller caller, RpcRule rule) {
    return rule.needs().map(caller::may).orElse(true);
  }
}
