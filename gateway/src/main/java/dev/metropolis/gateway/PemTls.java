package dev.metropolis.gateway;

import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS for the gateway's listener from two PEM files: the certificate chain and an unencrypted
 * PKCS#8 private key ({@code BEGIN PRIVATE KEY}; {@code openssl pkcs8 -topk8 -nocrypt} converts
 * others), RSA or EC. Read with the JDK alone.
 */
final class PemTls {
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {}

    /** Helidon's TLS for the given files; throws naming the file that cannot be used. */
    static Tls tls(Path certificate, Path key) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("gateway", privateKey(key), NO_PASSWORD, chain(certificate));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return Tls.builder().sslContext(context).build();
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS from " + certificate + " and " + key + ": " + e.getMessage(), e);
        }
    }

    private static Certificate[] chain(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
            if (chain.length == 0) {
                throw new IOException("--tls-cert " + file + " holds no certificate");
            }
            return chain;
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException("--tls-key " + file + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // not this algorithm: the next one is tried; the last failure is reported below
            }
        }
        throw new IOException("--tls-key " + file + ": neither an RSA, EC nor Ed25519 key");
    }
}
