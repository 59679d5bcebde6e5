package io.tickvault.server.apikeys;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.metrics.Meters;

/** The cache's counters, registered on the server's registry. */
final class ApiKeyCacheMetrics {
  final CounterDataPoint hit;
  final CounterDataPoint miss;
  final CounterDataPoint error;
  final CounterDataPoint lookupErrors;
  final CounterDataPoint fillErrors;
  final CounterDataPoint invalidateErrors;
  final CounterDataPoint undecodableEntries;
  final Counter databaseLoads;
  final Counter coalescedLoads;
  final Counter nearHits;
  final Counter invalidationsReceived;

  ApiKeyCacheMetrics(PrometheusRegistry registry) {
    Counter requests = Meters.counter(registry, "tickvault_api_key_cache_requests_total",
        "GetApiKeys lookups by cache result: hit, miss, or error (Redis failed; answered from PostgreSQL)", "result");
    hit = requests.labelValues("hit");
    miss = requests.labelValues("miss");
    error = requests.labelValues("error");
    Counter redisErrors = Meters.counter(registry, "tickvault_redis_errors_total",
        "Redis commands of the API key cache that failed, timed out or were skipped, by operation", "operation");
    lookupErrors = redisErrors.labelValues("lookup");
    fillErrors = redisErrors.labelValues("fill");
    invalidateErrors = redisErrors.labelValues("invalidate");
    undecodableEntries = redisErrors.labelValues("decode");
    databaseLoads = Meters.counter(registry, "tickvault_api_key_database_loads_total",
        "Queries of a user's API keys in PostgreSQL (cache misses after single-flight)");
    coalescedLoads = Meters.counter(registry, "tickvault_api_key_coalesced_loads_total",
        "Calls that waited for another call's PostgreSQL load of the same user instead of querying");
    nearHits = Meters.counter(registry, "tickvault_api_key_near_cache_hits_total",
        "Cache hits answered from the in-process near cache, without asking Redis (also counted as result=hit)");
    invalidationsReceived = Meters.counter(registry, "tickvault_api_key_invalidations_received_total",
        "API key invalidations received over Redis pub/sub (from any server, this one included)");
  }
}
