package dev.metropolis.script;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP origin a task may reach, as granted in {@code [allow] http}: {@code https://api.example.com},
 * {@code http://127.0.0.1:8081}, or {@code https://*.example.com} for every subdomain (not the domain
 * itself). Without a scheme it means https.
 *
 * @param scheme        "http" or "https"
 * @param host          the host name in lower case, without the "*." of a wildcard
 * @param port          the port (the scheme's default when none is written)
 * @param anySubdomain  true for "*.host": any name ending in ".host"
 */
public record Origin(String scheme, String host, int port, boolean anySubdomain) {
    private static final Pattern FORM = Pattern.compile(
            "(?:(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?<wild>\\*\\.)?(?<host>[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::(?<port>\\d{1,5}))?/?");

    /**
     * Reads a granted origin.
     *
     * @throws IllegalArgumentException saying what an origin looks like
     */
    public static Origin parse(String text) {
        Matcher matcher = FORM.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an origin such as \"https://api.example.com\","
                    + " \"http://127.0.0.1:8081\" or \"https://*.example.com\" (no path, no query)");
        }
        String scheme = matcher.group("scheme") == null ? "https" : matcher.group("scheme").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "': only http and https origins can be granted");
        }
        int port = matcher.group("port") == null ? defaultPort(scheme) : Integer.parseInt(matcher.group("port"));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'" + text + "': the port must be 1-65535");
        }
        return new Origin(scheme, matcher.group("host").toLowerCase(Locale.ROOT), port, matcher.group("wild") != null);
    }

    /** Whether a request to {@code uri} goes to this origin. */
    public boolean matches(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            return false;
        }
        String theirScheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String theirHost = uri.getHost().toLowerCase(Locale.ROOT);
        int theirPort = uri.getPort() < 0 ? defaultPort(theirScheme) : uri.getPort();
        boolean hostMatches = anySubdomain ? theirHost.endsWith("." + host) : theirHost.equals(host);
        return theirScheme.equals(scheme) && theirPort == port && hostMatches;
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** The origin as it is published: "https://api.example.com", "http://127.0.0.1:8081". */
    @Override
    public String toString() {
        String shown = scheme + "://" + (anySubdomain ? "*." : "") + host;
        return port == defaultPort(scheme) ? shown : shown + ":" + port;
    }
}
