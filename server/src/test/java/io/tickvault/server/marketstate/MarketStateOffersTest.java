package io.tickvault.server.marketstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MarketStateOffersTest {
  /** The script calls sent, in order, each answered only when the test says so. */
  private final List<List<MarketStateRedis.Offer>> sent = new ArrayList<>();
  private final List<CompletableFuture<Long>> answers = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private final MarketStateOffers offers = new MarketStateOffers(round -> List.of(round), call -> {
    sent.add(call);
    CompletableFuture<Long> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  }, (offer, why) -> failed.add(offer.currencyPairNo() + ": " + why));

  @Test
  void offersWhileARoundIsOut_goTogetherInTheNext_onlyTheNewestPartOfEachMarket() {
    offer(offers, offer(1, trade("005")));
    assertThat(sent).as("nothing out: sent at once").hasSize(1);

    offer(offers, offer(1, trade("007")));
    offer(offers, offer(2, trade("003")));
    offer(offers, offer(1, trade("006"))); // older than 007: never replaces it
    offer(offers, offer(1, book("002")));
    offer(offers, offer(2, trade("004")));
    assertThat(sent).as("one round out at a time").hasSize(1);

    answers.get(0).complete(1L);
    assertThat(sent).hasSize(2);
    assertThat(describe(sent.get(1))).containsExactly("1 trade=007 book=002", "2 trade=004");

    answers.get(1).complete(3L);
    offer(offers, offer(3, trade("001")));
    assertThat(sent).as("none out again: sent at once").hasSize(3);
    assertThat(failed).isEmpty();
  }

  @Test
  void everyMarketOfAFailedCall_isReported_andTheNextRoundStillGoes() {
    offer(offers, offer(1, trade("001")));
    offer(offers, offer(2, trade("001")));
    offer(offers, offer(3, trade("001")));

    answers.get(0).completeExceptionally(new MarketStateRedis.UnavailableException("down", null));
    assertThat(failed).containsExactly("1: down");
    answers.get(1).completeExceptionally(new MarketStateRedis.UnavailableException("down", null));
    assertThat(failed).containsExactly("1: down", "2: down", "3: down");

    offer(offers, offer(4, trade("001")));
    assertThat(sent).hasSize(3);
  }

  @Test
  void callsFailingAtOnce_reportEveryOffer_withoutRoundsPilingUp() {
    MarketStateOffers down = new MarketStateOffers(round -> List.of(round),
        call -> CompletableFuture.failedFuture(new MarketStateRedis.UnavailableException("not connected", null)),
        (offer, why) -> failed.add(offer.currencyPairNo() + ": " + why));
    for (int market = 0; market < 100_000; market++) {
      offer(down, offer(market, trade("001")));
    }
    assertThat(failed).hasSize(100_000).allMatch(f -> f.endsWith(": not connected"));
  }

  @Test
  void beyondMaxWaitingMarkets_anotherMarketsOfferIsDroppedAndReported_aWaitingMarketsStillMerges() {
    offer(offers, offer(-1, trade("001"))); // out, unanswered: the others wait
    for (int market = 0; market < MarketStateOffers.MAX_WAITING; market++) {
      offer(offers, offer(market, trade("001")));
    }
    offer(offers, offer(MarketStateOffers.MAX_WAITING, trade("001")));
    offer(offers, offer(7, trade("002")));
    assertThat(failed).containsExactly(MarketStateOffers.MAX_WAITING + ": more than " + MarketStateOffers.MAX_WAITING
        + " markets waiting for Redis");

    answers.get(0).complete(1L);
    assertThat(sent.get(1)).hasSize(MarketStateOffers.MAX_WAITING);
    assertThat(describe(sent.get(1)).get(7)).isEqualTo("7 trade=002");
  }

  @Test
  void theOffersOfOneCommit_goInOneCall_whenNoneIsOut() {
    offer(offers, offer(1, trade("001")), offer(2, trade("001")), offer(3, book("001")));
    assertThat(sent).hasSize(1);
    assertThat(describe(sent.get(0))).containsExactly("1 trade=001", "2 trade=001", "3 book=001");
  }

  private static void offer(MarketStateOffers target, MarketStateRedis.Offer... commit) {
    target.offer(List.of(commit));
  }

  private static MarketStateRedis.Offer offer(int market, MarketStateRedis.Part part) {
    return new MarketStateRedis.Offer(1, market, List.of(part));
  }

  private static MarketStateRedis.Part trade(String key) {
    return new MarketStateRedis.Part(MarketStateRedis.TRADE, key.getBytes(StandardCharsets.US_ASCII), new byte[0]);
  }

  private static MarketStateRedis.Part book(String key) {
    return new MarketStateRedis.Part(MarketStateRedis.BOOK, key.getBytes(StandardCharsets.US_ASCII), new byte[0]);
  }

  private static List<String> describe(List<MarketStateRedis.Offer> call) {
    return call.stream().map(o -> o.currencyPairNo() + o.parts().stream()
        .map(p -> " " + p.name() + "=" + new String(p.orderKey(), StandardCharsets.US_ASCII))
        .reduce("", String::concat)).toList();
  }
}
