package io.tickvault.server.grpc;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The declared rules of every RPC, by full method name; a method without one is never served. */
public final class RpcRules {
  private final Map<String, RpcRule> byMethod = new HashMap<>();

  public RpcRules(List<RpcRule> rules) {
    for (RpcRule rule : rules) {
      if (byMethod.put(rule.fullMethodName(), rule) != null) {
        throw new IllegalArgumentException(rule.fullMethodName() + " is declared twice");
      }
    }
  }

  /** The rule of a served method; every served method has one ({@link #requireDeclared}). */
  public RpcRule of(String fullMethodName) {
    RpcRule rule = byMethod.get(fullMethodName);
    if (rule == null) {
      throw new IllegalStateException(fullMethodName + " is served but has no declared rule");
    }
    return rule;
  }

  /** The full names of the methods declared with this cost. */
  public Set<String> costing(RpcRule.Cost cost) {
    Set<String> names = new HashSet<>();
    byMethod.forEach((name, rule) -> {
      if (rule.cost() == cost) {
        names.add(name);
      }
    });
    return names;
  }

  /**
   * Fails start-up when a method of {@code services} has no rule, so that a new RPC cannot be served
   * with a guessed access or placement.
   */
  public void requireDeclared(List<ServerServiceDefinition> services) {
    List<String> missing = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        String name = method.getMethodDescriptor().getFullMethodName();
        if (!byMethod.containsKey(name)) {
          missing.add(name);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("no rule declared for " + String.join(", ", missing));
    }
  }
}
