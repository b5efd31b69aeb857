package dev.metropolis.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's page, style sheet and JS modules, served from the gateway's jar under
 * {@code /console/}. Only these files are routed, so a task's default route under
 * {@code /console/...} is shadowed only where a file has its name. The content security policy
 * lets the page run its own scripts and call its own origin, nothing else: no inline script, so
 * text from a script or a reply that slipped into the page as markup would still not run.
 */
final class ConsoleAssets {
    static final String PREFIX = "/console/";
    private static final String FOLDER = "/dev/metropolis/gateway/console/";
    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = files();

    private ConsoleAssets() {}

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "text/html; charset=utf-8");
        files.put("console.css", "text/css; charset=utf-8");
        for (String module : new String[] {"main.js", "api.js", "dom.js", "tasks.js", "tryit.js", "events.js"}) {
            files.put(module, "text/javascript; charset=utf-8");
        }
        return files;
    }

    /** Routes {@code /console} (redirected), {@code /console/} and each file. */
    static void routing(HttpRouting.Builder routing) {
        routing.get("/console", (request, response) -> response.status(Status.MOVED_PERMANENTLY_301)
                .header(HeaderNames.LOCATION, PREFIX).send());
        Map<String, byte[]> loaded = new LinkedHashMap<>();
        FILES.keySet().forEach(name -> loaded.put(name, read(name)));
        routing.get(PREFIX, (request, response) -> send(response, "index.html", loaded.get("index.html")));
        loaded.forEach((name, bytes) -> routing.get(PREFIX + name, (request, response) -> send(response, name, bytes)));
    }

    private static void send(ServerResponse response, String name, byte[] bytes) {
        response.header(HeaderNames.CONTENT_TYPE, FILES.get(name))
                .header(HeaderNames.CACHE_CONTROL, "no-cache")
                .header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(CSP, POLICY)
                .send(bytes);
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("the console file " + FOLDER + name + " is missing from the gateway's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + name, e);
        }
    }
}
