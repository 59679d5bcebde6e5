package io.tickvault.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Certificates made for a test: a CA, and server or client certificates it signs, as PEM files. */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A PEM certificate and its PKCS#8 PEM private key. */
  public record Pem(Path certificate, Path privateKey) {}

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final Pem ca;

  private TestCertificates(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    this.caKeys = ecKeys();
    this.caCertificate = sign(new X500Name("CN=" + name + " test CA"), caKeys, null, true, null);
    this.ca = write(name + "-ca", caCertificate, caKeys);
  }

  /** A new CA whose files go to the directory. */
  public static TestCertificates newCa(Path dir, String name) {
    return new TestCertificates(dir, name);
  }

  public Pem ca() {
    return ca;
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  public Pem server() {
    KeyPair keys = ecKeys();
    GeneralNames names = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost")});
    return write(name + "-server", sign(new X500Name("CN=localhost"), keys, caKeys, false, names), keys);
  }

  /** A client certificate for mutual TLS. */
  public Pem client(String commonName) {
    KeyPair keys = ecKeys();
    return write(name + "-client-" + commonName, sign(new X500Name("CN=" + commonName), keys, caKeys, false, null), keys);
  }

  private X509Certificate sign(X500Name subject, KeyPair keys, KeyPair issuerKeys, boolean isCa, GeneralNames altNames) {
    try {
      Instant now = Instant.now();
      X500Name issuer = issuerKeys == null ? subject : new X500Name(caCertificate.getSubjectX500Principal().getName());
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      KeyPair signer = issuerKeys == null ? keys : issuerKeys;
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("could not make a test certificate", e);
    }
  }

  private Pem write(String fileName, X509Certificate certificate, KeyPair keys) {
    Path cert = dir.resolve(fileName + ".crt");
    Path key = dir.resolve(fileName + ".key");
    try {
      try (Writer w = Files.newBufferedWriter(cert); JcaPEMWriter pem = new JcaPEMWriter(w)) {
        pem.writeObject(certificate);
      }
      try (Writer w = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(w)) {
        pem.writeObject(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded())); // PKCS#8
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Pem(cert, key);
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
