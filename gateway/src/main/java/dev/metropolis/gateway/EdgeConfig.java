package dev.metropolis.gateway;

import dev.metropolis.task.Rate;

import java.nio.file.Path;

/**
 * How the gateway guards its edge.
 *
 * @param authFile    the auth file (API keys, JWT), or null with authentication off ({@code --auth off})
 * @param defaultRate the rate limit of routes whose task declares none, or null for none
 * @param cors        cross-origin access; {@link CorsSettings#OFF} for none
 * @param tlsCert     PEM certificate chain, or null for plain HTTP
 * @param tlsKey      PEM PKCS#8 private key; given exactly when {@code tlsCert} is
 */
public record EdgeConfig(Path authFile, Rate defaultRate, CorsSettings cors, Path tlsCert, Path tlsKey) {
    /** No authentication, no limits, no CORS, no TLS: what tests and {@code dev} run with. */
    public static final EdgeConfig OPEN = new EdgeConfig(null, null, CorsSettings.OFF, null, null);

    public EdgeConfig {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both or neither");
        }
        cors = cors == null ? CorsSettings.OFF : cors;
    }
}
