package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers written for the original Metropolis for Python, served unchanged: the README snippet and
 * the example app (worker + settings) from examples/metropolis-python, the original wire form, its
 * string mode, calls through the grants, the bad-input load errors, and a reload. A real host on a
 * real nats-server with real GraalPy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class LegacyWorkerTest {
    static final Path EXAMPLES = Path.of("..", "examples", "metropolis-python").toAbsolutePath().normalize();

    private TestNats server;
    private Host host;
    private Connection nats;
    private Path scripts;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private Handler logCapture;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        scripts = folder;
        Files.copy(EXAMPLES.resolve("readme/worker.py"), folder.resolve("snippet.py"));
        Files.copy(EXAMPLES.resolve("app/worker.py"), folder.resolve("worker.py"));
        Files.copy(EXAMPLES.resolve("app/settings.py"), folder.resolve("settings.py"));
        script("strict.py", """
                from metropolis import TaskError, Worker

                worker = Worker(nats='nats://localhost:4222')


                @worker.task(subject='legacy.add', queue='legacy')
                def add(a, b=0):
                    return a + b


                @worker.task(subject='legacy.fail', queue='legacy')
                def fail(**kwargs):
                    raise ValueError('no luck for ' + kwargs.get('who', 'anyone'))


                @worker.task(subject='legacy.refuse', queue='legacy')
                def refuse(data):
                    raise TaskError('no ' + data, code=404)


                worker.run()
                """);
        script("plain_settings.py", """
                SERIALIZER_CLASS = 'metropolis.core.serializer.DefaultMessageSerializer'
                """);
        script("shout.py", """
                from metropolis import Worker
                import plain_settings

                worker = Worker('shout', plain_settings)


                @worker.task('legacy.shout', 'legacy')
                def shout(text):
                    return text.upper()
                """);
        script("caller.py", """
                # /// metropolis
                # subject = "legacy.ignored"
                # timeout = "3s"
                # concurrency = 1
                # [allow]
                # subjects = ["legacy.add", "legacy.events"]
                # ///
                import json
                from metropolis import Worker

                worker = Worker(nats='nats://nats:4222')


                @worker.task(subject='legacy.call', queue='legacy')
                def call(a, b):
                    reply = worker.request('legacy.add', json.dumps({'a': a, 'b': b}).encode())
                    worker.publish('legacy.events', b'called')
                    return json.loads(reply.data)
                """);
        script("nested.py", """
                from metropolis import Worker

                worker = Worker(nats='nats://localhost:4222')


                def later():
                    @worker.task(subject='legacy.nested', queue='legacy')
                    def nested(data):
                        return data
                """);
        script("uncallable.py", """
                from metropolis import Worker

                worker = Worker(nats='nats://localhost:4222')
                answer = 42
                worker.task(subject='legacy.uncallable', queue='legacy')(answer)
                """);
        script("edited.py", legacyEcho("v1"));
        server = TestNats.start();
        logCapture = new StreamHandler(new PrintStream(logs, true, StandardCharsets.UTF_8), new SimpleFormatter());
        logCapture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(logCapture);
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(2), true), TestSupport.ENGINES)
                .start();
        nats = server.connect();
    }

    private static String legacyEcho(String version) {
        return """
                from metropolis import Worker

                worker = Worker(nats='nats://localhost:4222')


                @worker.task(subject='legacy.edited', queue='legacy')
                def edited(data):
                    return '%s ' + data
                """.formatted(version);
    }

    private void script(String name, String source) throws Exception {
        Files.writeString(scripts.resolve(name), source);
    }

    @AfterAll
    void stop() throws Exception {
        Logger.getLogger("").removeHandler(logCapture);
        Closing.closeAll(nats, host, server);
    }

    @Test
    void theReadmeSnippetAnswersInTheOriginalEnvelope() throws Exception {
        Message reply = request(nats, "foo.bar", "{\"data\": [\"abc\"]}");

        assertThat(errorCode(reply)).isZero();
        assertThat(text(reply)).isEqualTo("{\"code\": 200, \"data\": \"cba\"}");
    }

    @Test
    void theExampleAppReadsItsSettingsModuleAndIsAnnouncedAsEnvelope() throws Exception {
        assertThat(text(request(nats, "foo.get", "{\"data\": [\"hello\"]}"))).isEqualTo("{\"code\": 200, \"data\": \"olleh\"}");

        ServiceDiscovery.ServiceInfo worker = Await.value(Duration.ofSeconds(10), "worker in $SRV.INFO",
                () -> ServiceDiscovery.info(nats, Duration.ofMillis(500), 100).services().stream()
                        .filter(service -> service.name().equals("worker")).findFirst().orElse(null), service -> true);
        assertThat(worker.metadata()).containsEntry("metropolis.wire", "envelope")
                .containsEntry("metropolis.subjects", "foo.get").containsEntry("metropolis.queue", "worker");
        assertThat(worker.endpoints()).singleElement().satisfies(endpoint -> assertThat(endpoint.queueGroup()).isEqualTo("worker"));
    }

    @Test
    void theSettingsModulesBesideTheWorkersAreImportedNotServed() {
        assertThat(host.served()).allMatch(script -> script.isWorker()); // every task file here is a worker
        assertThat(host.served()).extracting(script -> script.file().getFileName().toString())
                .contains("snippet.py", "worker.py", "strict.py", "shout.py", "caller.py")
                .doesNotContain("settings.py", "plain_settings.py");
    }

    @Test
    void keysTheFunctionDoesNotTakeAreA400NamingThem() throws Exception {
        Message reply = request(nats, "legacy.add", "{\"a\": 1, \"c\": 3, \"d\": 4}");

        assertThat(errorCode(reply)).isEqualTo(400);
        assertThat(text(reply)).contains("add() got unexpected keys 'c', 'd'; it takes a, b").doesNotContain("Traceback");
        assertThat(text(request(nats, "legacy.add", "{\"a\": 40, \"b\": 2}"))).isEqualTo("{\"code\": 200, \"data\": 42}");
        assertThat(text(request(nats, "legacy.add", "{\"b\": 2}"))).contains("add() needs the keys 'a'");
    }

    @Test
    void aPayloadThatIsNotAJsonObjectIsA400() throws Exception {
        Message list = request(nats, "legacy.add", "[1, 2]");
        Message notJson = request(nats, "legacy.add", "a, b");

        assertThat(errorCode(list)).isEqualTo(400);
        assertThat(text(list)).contains("add() takes a JSON object whose keys are its keyword arguments").contains("got a list");
        assertThat(errorCode(notJson)).isEqualTo(400);
        assertThat(text(notJson)).contains("the payload is not JSON");
    }

    @Test
    void anExceptionIsTheOriginals500EnvelopeAndIsLoggedWithItsLine() throws Exception {
        Message reply = request(nats, "legacy.fail", "{\"who\": \"ada\"}");

        assertThat(errorCode(reply)).isZero();
        assertThat(text(reply)).isEqualTo("{\"code\": 500, \"data\": \"no luck for ada\"}");
        Await.until(Duration.ofSeconds(5), "the exception in the log", () -> {
            logCapture.flush();
            return logs.toString(StandardCharsets.UTF_8).contains("fail() on legacy.fail raised ValueError: no luck for ada (line 13); answered code 500");
        });
    }

    @Test
    void anExceptionAnsweredInTheEnvelopeCountsAsAnErrorInStats() throws Exception {
        assertThat(text(request(nats, "legacy.fail", "{\"who\": \"grace\"}"))).contains("no luck for grace");

        // Counted before the reply went out: the first STATS round that hears the service has it.
        ServiceDiscovery.EndpointStats endpoint = Await.value(Duration.ofSeconds(10), "legacy.fail in $SRV.STATS",
                () -> ServiceDiscovery.stats(nats, Duration.ofMillis(500), 100).services().stream()
                        .flatMap(service -> service.endpoints().stream())
                        .filter(stats -> "legacy.fail".equals(stats.subject())).findFirst().orElse(null), stats -> true);
        assertThat(endpoint.errors()).isPositive();
        assertThat(endpoint.lastError()).startsWith("500 ").contains("no luck for");
        assertThat(text(request(nats, "legacy.add", "{\"a\": 1, \"b\": 2}"))).isEqualTo("{\"code\": 200, \"data\": 3}");
    }

    @Test
    void aTaskErrorChoosesTheEnvelopesCode() throws Exception {
        assertThat(text(request(nats, "legacy.refuse", "{\"data\": \"cart\"}"))).isEqualTo("{\"code\": 404, \"data\": \"no cart\"}");
    }

    @Test
    void theDefaultSerializerPassesTheTextAsItIs() throws Exception {
        assertThat(text(request(nats, "legacy.shout", "hello there"))).isEqualTo("{\"code\": 200, \"data\": \"HELLO THERE\"}");
    }

    @Test
    void workerRequestAndPublishGoThroughTheGrantsAndTheDecoratorsWinOverTheHeader() throws Exception {
        var events = nats.subscribe("legacy.events");
        nats.flush(Duration.ofSeconds(5));

        assertThat(text(request(nats, "legacy.call", "{\"a\": 2, \"b\": 3}")))
                .isEqualTo("{\"code\": 200, \"data\": {\"code\": 200, \"data\": 5}}");
        assertThat(text(events.nextMessage(Duration.ofSeconds(5)))).isEqualTo("called");
        assertThat(host.served()).filteredOn(script -> script.name().equals("caller")).singleElement()
                .satisfies(script -> {
                    assertThat(script.header().subjects()).containsExactly("legacy.call");
                    assertThat(script.header().timeout()).isEqualTo(Duration.ofSeconds(3));
                });
        logCapture.flush();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("caller.py: the header's subject legacy.ignored is"
                + " ignored: the @worker.task decorators name the subjects (legacy.call)");
    }

    @Test
    void aDecoratorInAFunctionNeverCalledAndAnUncallableAreLoadErrorsWithTheirLines() {
        assertThat(problem("nested.py").line()).isEqualTo(7);
        assertThat(problem("nested.py").getMessage()).contains("@worker.task(subject='legacy.nested') registered nothing"
                + " when the file loaded: it is inside a function that is never called");
        assertThat(problem("uncallable.py").line()).isEqualTo(5);
        assertThat(problem("uncallable.py").getMessage())
                .contains("@worker.task(subject='legacy.uncallable') decorates a int, which cannot be called");
    }

    @Test
    void anEditedWorkerFileIsReloaded() throws Exception {
        assertThat(text(request(nats, "legacy.edited", "{\"data\": \"x\"}"))).isEqualTo("{\"code\": 200, \"data\": \"v1 x\"}");

        Files.writeString(scripts.resolve("edited.py.tmp"), legacyEcho("v2"));
        Files.move(scripts.resolve("edited.py.tmp"), scripts.resolve("edited.py"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);

        Await.until(Duration.ofSeconds(60), "the new version to answer", () -> {
            Message reply = request(nats, "legacy.edited", "{\"data\": \"x\"}");
            return text(reply).equals("{\"code\": 200, \"data\": \"v2 x\"}");
        });
    }

    private ScriptProblem problem(String file) {
        return host.problems().stream().filter(p -> p.file().getFileName().toString().equals(file)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for " + file + " in " + host.problems()));
    }
}
