package io.tickvault.server.read;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The envelope of the server's resume tokens ({@link PageToken}, the subscriptions' tokens): URL-safe
 * base64 (no padding) of a version byte, the token's fields, and a CRC-32 of both, which catches a
 * token cut or mangled on its way through a shell or a file. Not a signature: anyone can recompute
 * it, so every token checks each field it opens before a query sees it.
 */
public final class TokenEnvelope {
  private TokenEnvelope() {}

  /** The token of {@code body} (the fields, already written), under {@code version}. */
  public static String seal(byte version, byte[] body) {
    ByteBuffer bytes = ByteBuffer.allocate(1 + body.length + 4);
    bytes.put(version).put(body);
    CRC32 crc = new CRC32();
    crc.update(bytes.array(), 0, 1 + body.length);
    bytes.putInt((int) crc.getValue());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /** The fields of a token sealed under {@code version}, or null when it is not one (malformed, cut, mangled). */
  public static byte[] open(String token, byte version) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length < 5 || bytes[0] != version) {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    if (ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt() != (int) crc.getValue()) {
      return null;
    }
    return Arrays.copyOfRange(bytes, 1, bytes.length - 4);
  }

  /** The text of {@code bytes}, which must be UTF-8: a forged id is refused, not read with U+FFFD in it. */
  public static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
