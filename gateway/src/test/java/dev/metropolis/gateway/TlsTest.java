package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * HTTPS on the gateway from PEM files: a self-signed certificate made by the JDK's keytool in the
 * test, written out as the PEM certificate and PKCS#8 key an operator would pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private KeyStore store;
    private EdgeFixture edge;

    @BeforeAll
    void start() throws Exception {
        Path folder = Files.createTempDirectory("metropolis-tls");
        Path p12 = folder.resolve("gateway.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output;
        try (InputStream in = keytool.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        Key key = store.getKey("gateway", PASSWORD);
        Certificate certificate = store.getCertificate("gateway");
        Path cert = folder.resolve("cert.pem");
        Path keyFile = folder.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        edge = EdgeFixture.withTasks(Map.of("plain", "")).start(new EdgeConfig(null, null, null, cert, keyFile), Map.of());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + edge.gateway.port() + path);
    }

    @Test
    void aClientTrustingTheCertificateCallsATaskOverHttps() throws Exception {
        HttpResponse<String> response = trusting(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(
                https("/plain/call")).POST(HttpRequest.BodyPublishers.ofString("hi")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void aClientOfferingHttp2GetsItByAlpnAndTheSameAnswers() throws Exception {
        HttpClient client = trusting(HttpClient.Version.HTTP_2);
        HttpResponse<String> call = client.send(HttpRequest.newBuilder(https("/plain/call"))
                .POST(HttpRequest.BodyPublishers.ofString("hi")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(call.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.body()).isEqualTo("ok");
        assertThat(call.headers().firstValue("x-request-id")).isPresent();
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(https("/no/such/route")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error\"");
    }

    private HttpClient trusting(HttpClient.Version version) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("gateway", store.getCertificate("gateway"));
        TrustManagerFactory trusts = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusts.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trusts.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void aClientThatDoesNotTrustItIsRefusedTheHandshake() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(https("/tasks")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }
}
