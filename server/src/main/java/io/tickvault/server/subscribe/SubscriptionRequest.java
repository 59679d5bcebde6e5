package io.tickvault.server.subscribe;

/** A checked subscription request: its start time, its markets in order, and the token it resumes from (null to start). */
record SubscriptionRequest(long startTimeMs, int[] exchangeIds, int[] pairNos, SubscriptionToken resumeFrom) {}
