package io.tickvault.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
  private static final byte[] AAD = "user|1|AK".getBytes(StandardCharsets.UTF_8);
  private final byte[] oldKey = randomKey();
  private final byte[] newKey = randomKey();

  @Test
  void encryptThenDecrypt_givesTheSecretBack() {
    SecretCipher cipher = new SecretCipher(MasterKeys.of(oldKey, List.of()));

    SecretCipher.Sealed sealed = cipher.encrypt("s3cr3t-ÄÖ", AAD);

    assertThat(sealed.keyId()).isEqualTo(MasterKeys.keyId(oldKey)).hasSize(8);
    assertThat(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    assertThat(cipher.decrypt(sealed.ciphertext(), sealed.keyId(), AAD)).isEqualTo("s3cr3t-ÄÖ");
  }

  @Test
  void sameSecretTwice_givesDifferentCiphertexts() {
    SecretCipher cipher = new SecretCipher(MasterKeys.of(oldKey, List.of()));

    assertThat(cipher.encrypt("same", AAD).ciphertext()).isNotEqualTo(cipher.encrypt("same", AAD).ciphertext());
  }

  @Test
  void afterRotation_theOldKeyStillDecryptsAndTheNewOneEncrypts() {
    SecretCipher.Sealed underOld = new SecretCipher(MasterKeys.of(oldKey, List.of())).encrypt("secret", AAD);
    SecretCipher rotated = new SecretCipher(MasterKeys.of(newKey, List.of(oldKey)));

    assertThat(rotated.decrypt(underOld.ciphertext(), underOld.keyId(), AAD)).isEqualTo("secret");
    assertThat(rotated.encrypt("secret", AAD).keyId()).isEqualTo(MasterKeys.keyId(newKey)).isNotEqualTo(underOld.keyId());
  }

  @Test
  void withoutTheOldKey_decryptionFailsNamingTheKeyIdOnly() {
    SecretCipher.Sealed underOld = new SecretCipher(MasterKeys.of(oldKey, List.of())).encrypt("secret", AAD);
    SecretCipher newOnly = new SecretCipher(MasterKeys.of(newKey, List.of()));

    assertThatThrownBy(() -> newOnly.decrypt(underOld.ciphertext(), underOld.keyId(), AAD))
        .isInstanceOf(SecretDecryptionException.class)
        .hasMessage("unknown master key id '" + underOld.keyId() + "'");
  }

  @Test
  void anyFlippedBit_isDetected() {
    SecretCipher cipher = new SecretCipher(MasterKeys.of(oldKey, List.of()));
    SecretCipher.Sealed sealed = cipher.encrypt("secret", AAD);

    for (int i = 0; i < sealed.ciphertext().length; i++) {
      byte[] tampered = sealed.ciphertext().clone();
      tampered[i] ^= 0x01;
      assertThatThrownBy(() -> cipher.decrypt(tampered, sealed.keyId(), AAD))
          .isInstanceOf(SecretDecryptionException.class)
          .hasMessageNotContaining("secret ");
    }
  }

  @Test
  void otherAssociatedData_isDetected() {
    SecretCipher cipher = new SecretCipher(MasterKeys.of(oldKey, List.of()));
    SecretCipher.Sealed sealed = cipher.encrypt("secret", AAD);

    assertThatThrownBy(() -> cipher.decrypt(sealed.ciphertext(), sealed.keyId(), "user|2|AK".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SecretDecryptionException.class);
    assertThatThrownBy(() -> cipher.decrypt(new byte[5], sealed.keyId(), AAD))
        .isInstanceOf(SecretDecryptionException.class).hasMessage("ciphertext too short");
  }

  @Test
  void keyId_isAShortFingerprintThatRevealsNoKeyBytes() {
    String id = MasterKeys.keyId(oldKey);

    assertThat(id).matches("[0-9a-f]{8}");
    assertThat(HexFormat.of().formatHex(oldKey)).doesNotContain(id);
    assertThat(Base64.getEncoder().encodeToString(oldKey)).doesNotContain(id);
    assertThat(MasterKeys.keyId(oldKey.clone())).isEqualTo(id);
    assertThatThrownBy(() -> MasterKeys.keyId(new byte[16])).isInstanceOf(IllegalArgumentException.class);
  }

  static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
