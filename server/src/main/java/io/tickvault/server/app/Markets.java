package io.tickvault.server.app;

import io.tickvault.server.db.Jdbc;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.service.MarketGrpcService;
import java.time.Clock;

/** Markets, wired: the registry in PostgreSQL and the cache of registered markets that ingestion checks. */
record Markets(MarketRepository repository, KnownMarkets known) {
  static Markets create(Jdbc jdbc, Clock clock) {
    MarketRepository repository = new MarketRepository(jdbc);
    return new Markets(repository, new KnownMarkets(repository, clock));
  }

  MarketGrpcService service() {
    return new MarketGrpcService(repository, known);
  }
}
