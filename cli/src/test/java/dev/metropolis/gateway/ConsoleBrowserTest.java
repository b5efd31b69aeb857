package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real headless browser (Debian's chromium through chromium-driver), in front of
 * a real host serving the examples on a real nats-server: the list, "try it", a script added while
 * the page is open, events, and script or reply text that tries to be markup.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {
    private static final Path EXAMPLES = Path.of("..", "scripts").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Markup in a description and in a reply: shown as text, it never runs. */
    private static final String XSS_SCRIPT = """
            // /// metropolis
            // subject = "xss.echo"
            // description = "<img src=x onerror=\\"window.__xss='description'\\">"
            // ///
            export function handle(body) {
              return "<script>window.__xss='reply'</script><img src=x onerror=\\"window.__xss='reply'\\">";
            }
            """;
    private static final String LATE_SCRIPT = """
            // /// metropolis
            // subject = "late.hello"
            // description = "added while the page was open"
            // ///
            export function handle(body) { return 'hello, ' + body; }
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private Path scripts;
    private LocalNatsServer server;
    private NatsSettings nats;
    private Engines engines;
    private Host host;
    private Gateway gateway;
    private ChromeDriver browser;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        assertThat(CHROMIUM).as("the browser tests need Debian's chromium: apt-get install -y chromium chromium-driver")
                .isExecutable();
        assertThat(CHROMEDRIVER).as("the browser tests need chromium-driver: apt-get install -y chromium-driver").isExecutable();
        scripts = folder;
        dev.metropolis.testkit.Folders.copy(EXAMPLES, scripts); // with the schema files cart.js reads
        Files.writeString(scripts.resolve("xss.js"), XSS_SCRIPT);
        int natsPort = FreePort.next();
        server = LocalNatsServer.start(natsPort, System.getenv());
        nats = NatsSettings.of("nats://127.0.0.1:" + natsPort);
        engines = new Engines();
        // A busy machine (2 shared cores) can take longer than the default 5 s to load a Python example.
        host = Host.builder(new HostConfig(scripts, nats, Duration.ofSeconds(5), true).withLoadTimeout(Duration.ofSeconds(60)),
                engines).start();
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats, 1 << 20, 256, Duration.ofSeconds(1),
                Duration.ofSeconds(1))).start();
        Await.until(Duration.ofSeconds(20), "the gateway to route to the host's tasks", () -> {
            gateway.refreshRoutes();
            return gateway.routes().routes().stream().anyMatch(route -> route.task().equals("xss"));
        });
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1560");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        browser.get(base() + "/console/");
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(browser == null ? null : browser::quit, gateway, host, engines, server);
    }

    private String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    private WebElement row(String task) {
        return browser.findElement(By.cssSelector("#tasks tr[data-task='" + task + "']"));
    }

    /**
     * The row's text once it holds every one of {@code expected}. The page redraws its list as
     * stats change, so an element found a moment ago may be gone: reading it again is "not yet".
     */
    private String rowText(String task, String... expected) {
        return Await.value(Duration.ofSeconds(20), "the row of " + task + " to show " + java.util.Arrays.toString(expected),
                () -> row(task).getText(), text -> java.util.Arrays.stream(expected).allMatch(text::contains));
    }

    private void clickRow(String task) {
        Await.until(Duration.ofSeconds(10), "a click on the row of " + task, () -> {
            row(task).click();
            return true;
        });
    }

    private boolean shows(String css) {
        return !browser.findElements(By.cssSelector(css)).isEmpty();
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    @Test
    @Order(1)
    void listsEveryTaskWithItsLanguageSubjectsRoutesAndGrants() {
        assertThat(rowText("reverse", "python")).contains("python", "text.reverse", "* /text/reverse", "request");
        assertThat(rowText("cart", "kv")).contains("js", "cart.add, cart.show", "kv: carts");
        assertThat(rowText("checkout", "subjects")).contains("subjects: cart.show, orders.placed");
    }

    @Test
    @Order(2)
    void tryItCallsTheTaskThroughTheGatewayAndShowsStatusHeadersTimeAndReply() {
        clickRow("reverse");
        Await.until(Duration.ofSeconds(5), "the try-it form", () -> shows("#try-send"));
        assertThat(browser.findElement(By.id("try-path")).getDomProperty("value")).isEqualTo("/text/reverse");
        browser.findElement(By.id("try-body")).clear(); // prefilled from reverse.py's input schema: "" (a JSON string)
        browser.findElement(By.id("try-body")).sendKeys("hello, console");
        browser.findElement(By.id("try-send")).click();

        Await.until(Duration.ofSeconds(15), "the reply", () -> shows("#try-status"));
        assertThat(browser.findElement(By.id("try-status")).getText()).isEqualTo("200 OK");
        assertThat(browser.findElement(By.id("try-reply")).getText()).isEqualTo("elosnoc ,olleh");
        assertThat(browser.findElement(By.id("try-headers")).getText()).contains("x-request-id");
        assertThat(browser.findElement(By.id("try-time")).getText()).endsWith(" ms");
    }

    @Test
    @Order(3)
    void aStreamingTasksChunksShowAsTheyArrive() {
        clickRow("words");
        Await.until(Duration.ofSeconds(5), "the words task's form", () -> shows("#try-send")
                && "/text/words".equals(browser.findElement(By.id("try-path")).getDomProperty("value")));
        browser.findElement(By.id("try-body")).clear();
        browser.findElement(By.id("try-body")).sendKeys("{\"text\": \"one two three\", \"delay\": 1}");
        browser.findElement(By.id("try-send")).click();

        // A word a second: the page shows the first chunks while the task is still yielding the rest.
        Await.until(Duration.ofSeconds(15), "the first chunk alone", () -> shows("#try-reply")
                && browser.findElement(By.id("try-reply")).getText().contains("\"one\"")
                && !browser.findElement(By.id("try-reply")).getText().contains("\"three\"")
                && browser.findElement(By.id("try-time")).getText().contains("still receiving"));
        Await.until(Duration.ofSeconds(15), "the whole stream", () -> shows("#try-reply")
                && browser.findElement(By.id("try-reply")).getText().contains("\"three\"")
                && !browser.findElement(By.id("try-time")).getText().contains("still"));
        assertThat(browser.findElement(By.id("try-reply")).getText()).isEqualTo("\"one\"\n\"two\"\n\"three\"");
        assertThat(browser.findElement(By.id("try-status")).getText()).isEqualTo("200 OK");
    }

    @Test
    @Order(4)
    void markupInADescriptionAndInAReplyIsShownAsText() {
        assertThat(rowText("xss", "onerror")).contains("<img src=x onerror=\"window.__xss='description'\">");
        clickRow("xss");
        Await.until(Duration.ofSeconds(5), "the xss task's form", () -> shows("#try-send")
                && "/xss/echo".equals(browser.findElement(By.id("try-path")).getDomProperty("value")));
        browser.findElement(By.id("try-send")).click();
        Await.until(Duration.ofSeconds(15), "the xss reply", () -> shows("#try-reply"));

        assertThat(browser.findElement(By.id("try-reply")).getText()).startsWith("<script>window.__xss='reply'</script><img");
        assertThat(browser.findElements(By.cssSelector("img, #tasks script, #details script"))).isEmpty();
        assertThat(script("return window.__xss === undefined")).isEqualTo(true);
    }

    @Test
    @Order(5)
    void aScriptAddedToTheFolderAppearsWithoutReloadingThePageAndSoDoLoadErrors() throws Exception {
        script("window.__samePage = 'yes'");
        Files.writeString(scripts.resolve("late.js"), LATE_SCRIPT);
        Files.writeString(scripts.resolve("broken.js"), "// /// metropolis\n// subject = \"broken.x\"\n// timeout = \"soon\"\n// ///\n");

        Await.until(Duration.ofSeconds(30), "the new task in the list", () -> shows("#tasks tr[data-task='late']"));
        Await.until(Duration.ofSeconds(10), "the served and load_error events", () ->
                shows("#events li[data-type='served']") && shows("#events li[data-type='load_error']"));

        assertThat(script("return window.__samePage")).isEqualTo("yes");
        assertThat(rowText("late", "late.hello")).contains("added while the page was open", "late.hello");
        assertThat(browser.findElement(By.cssSelector("#events li[data-type='load_error']")).getText())
                .contains("broken.js", "broken.js:3:", "timeout");
    }

    @Test
    @Order(6)
    void showsLiveNumbersAndLastErrorsWithTheirRequestIds() throws Exception {
        for (int i = 0; i < 20; i++) {
            post("/text/reverse", "request " + i, null);
            post("/math/add", "{\"a\": " + i + ", \"b\": 2}", null);
        }
        post("/math/add", "{\"a\": 1}", "console-test-42");
        clickRow("add");

        Await.until(Duration.ofSeconds(20), "the add task's last error", () -> shows("#last-errors")
                && browser.findElement(By.id("last-errors")).getText().contains("console-test-42"));
        assertThat(browser.findElement(By.id("last-errors")).getText())
                .contains("422 the input does not match the input schema of task 'add'");
        rowText("reverse", " ms");
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "console.png"), png);
        assertThat(png).hasSizeGreaterThan(10_000);
    }

    @Test
    @Order(7)
    void behindAuthThePageAsksForACredentialAndShowsTheTasksOnceGivenOne() throws Exception {
        String key = "mtr_console_browser_0123456789abcdef0123";
        Path auth = Files.createTempDirectory("metropolis-auth").resolve("auth.json");
        Files.writeString(auth, "{\"default\": \"required\", \"api_keys\": [{\"name\": \"ops\", \"sha256\": \""
                + java.util.HexFormat.of().formatHex(ApiKeys.sha256(key)) + "\", \"scopes\": []}]}");
        try (Gateway guarded = Gateway.builder(new GatewayConfig("127.0.0.1", 0, nats, 1 << 20, 256,
                Duration.ofSeconds(1), Duration.ofSeconds(1), new EdgeConfig(auth, null, null, null, null))).start()) {
            browser.get("http://127.0.0.1:" + guarded.port() + "/console/");
            Await.until(Duration.ofSeconds(10), "the page to ask for a credential", () ->
                    browser.findElement(By.id("problem")).getText().contains("needs a credential"));
            browser.findElement(By.id("api-key")).sendKeys(key);
            browser.findElement(By.cssSelector("#key-form button")).click();

            assertThat(rowText("reverse", "python")).contains("text.reverse");
            Await.until(Duration.ofSeconds(10), "the event stream with the key", () ->
                    browser.findElement(By.id("connection")).getText().equals("events live"));
            assertThat(browser.findElement(By.id("problem")).isDisplayed()).isFalse();
        }
    }

    private void post(String path, String body, String requestId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
