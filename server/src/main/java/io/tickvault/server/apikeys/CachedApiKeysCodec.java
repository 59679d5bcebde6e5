package io.tickvault.server.apikeys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a Redis value {@code api_keys:<user_id>}: a format version, then each key with its
 * secret still encrypted. A value this code cannot read is treated as a miss, so a format change
 * needs no flush: bump {@link #FORMAT} and old entries are reloaded from PostgreSQL.
 */
final class CachedApiKeysCodec {
  static final byte FORMAT = 1;

  private CachedApiKeysCodec() {}

  static byte[] encode(List<StoredApiKey> keys) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + keys.size() * 160);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeInt(keys.size());
      for (StoredApiKey key : keys) {
        out.writeInt(key.exchangeId());
        writeString(out, key.accessKey());
        out.writeInt(key.secretCiphertext().length);
        out.write(key.secretCiphertext());
        writeString(out, key.masterKeyId());
        writeString(out, key.label());
        out.writeLong(key.updateTimeMs());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The keys of the value; throws IllegalArgumentException when the bytes are not a value of this format. */
  static List<StoredApiKey> decode(String userId, byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("cached value of format " + format + ", expected " + FORMAT);
      }
      int count = in.readInt();
      if (count < 0 || count > value.length) {
        throw new IllegalArgumentException("cached value with a bad key count");
      }
      List<StoredApiKey> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int exchangeId = in.readInt();
        String accessKey = readString(in, value.length);
        byte[] ciphertext = readBytes(in, value.length);
        String keyId = readString(in, value.length);
        String label = readString(in, value.length);
        long updateTimeMs = in.readLong();
        keys.add(new StoredApiKey(userId, exchangeId, accessKey, ciphertext, keyId, label, updateTimeMs));
      }
      if (in.available() != 0) {
        throw new IllegalArgumentException("cached value with trailing bytes");
      }
      return List.copyOf(keys);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated cached value", e);
    }
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readString(DataInputStream in, int max) throws IOException {
    return new String(readBytes(in, max), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("cached value with a bad length");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }
}
