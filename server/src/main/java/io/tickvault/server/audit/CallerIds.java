package io.tickvault.server.audit;

import io.tickvault.server.auth.Caller;

/** The id of the current call's token, as the audit records it. */
final class CallerIds {
  private CallerIds() {}

  /** The caller's token id; "" for code that runs outside a call authentication admitted. */
  static String current() {
    try {
      return Caller.current().tokenId();
    } catch (IllegalStateException outsideACall) {
      return "";
    }
  }
}
