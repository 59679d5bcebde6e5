package io.tickvault.server.coverage;

import io.tickvault.api.v1.Channel;

/** One feed: a market on a channel. Stored with the channel's number (1 trades, 2 order books). */
public record FeedKey(int exchangeId, int currencyPairNo, Channel channel) {
  short channelCode() {
    return (short) channel.getNumber();
  }
}
