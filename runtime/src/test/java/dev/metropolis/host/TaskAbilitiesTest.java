package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.header;
import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * What a task may do beyond answering, through the grants in its header: call other tasks,
 * publish, read granted environment variables and secrets. A real host on a real nats-server,
 * with real GraalPy and GraalJS; every denial path included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class TaskAbilitiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "sk_live_51HyperSecretValue";

    private TestNats server;
    private Host host;
    private Connection nats;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private Handler logCapture;

    @BeforeAll
    void start(@TempDir Path scripts, @TempDir Path secrets) throws Exception {
        Files.writeString(secrets.resolve("payment_key"), SECRET + "\n");
        script(scripts, "callee.js", """
                // /// metropolis
                // subject = "abilities.callee.*"
                // timeout = "10s"
                // ///
                export function handle(body, msg) {
                  if (msg.subject.endsWith('.fail')) throw new metropolis.TaskError('no such order', 422);
                  if (msg.subject.endsWith('.slow')) { while (true) {} }
                  return { got: body, hops: msg.headers['Metropolis-Hops'], requestId: msg.headers['X-Request-Id'] };
                }
                """);
        script(scripts, "caller.py", """
                # /// metropolis
                # subject = "abilities.py.*"
                # timeout = "2s"
                #
                # [allow]
                # subjects = ["abilities.callee.*", "abilities.events.>", "abilities.nobody"]
                # env = ["TAX_RATE", "NOT_SET"]
                # secrets = ["payment_key"]
                # ///
                import os
                import metropolis

                def handle(body, msg):
                    what = msg.subject.split(".")[-1]
                    if what == "call":
                        return metropolis.request("abilities.callee.echo", {"n": body["n"]})
                    if what == "caught":
                        try:
                            metropolis.request("abilities.callee.fail", "x")
                        except metropolis.CallError as e:
                            return {"code": e.code, "kind": e.kind, "message": e.message, "subject": e.subject}
                    if what == "uncaught":
                        return metropolis.request("abilities.callee.fail", "x")
                    if what == "slow":
                        return metropolis.request("abilities.callee.slow", "x", timeout="300ms")
                    if what == "hang":
                        return metropolis.request("abilities.callee.slow", "x")  # no timeout: the caller's 2s deadline
                    if what == "nobody":
                        return metropolis.request("abilities.nobody", "x")
                    if what == "denied":
                        return metropolis.request("payments.charge", {"amount": 5})
                    if what == "publish":
                        metropolis.publish("abilities.events.created", {"id": 7}, headers={"X-Kind": "created"})
                        return "published"
                    if what == "env":
                        return {"env": dict(metropolis.env), "os": dict(os.environ)}
                    if what == "secret":
                        key = metropolis.secret("payment_key")
                        print("using key", key)
                        return len(key)
                    if what == "leak":
                        raise ValueError("bad key " + metropolis.secret("payment_key"))
                    if what == "other-secret":
                        return metropolis.secret("db_password")
                    return "unknown " + what
                """);
        // A loop holds a context per call: with fewer contexts than the hop limit it would wait for one instead.
        script(scripts, "looper.js", """
                // /// metropolis
                // subject = "abilities.loop"
                // concurrency = 10
                // [allow]
                // subjects = ["abilities.loop"]
                // ///
                export async function handle(body) {
                  return await metropolis.request('abilities.loop', body);
                }
                """);
        script(scripts, "caller-js.js", """
                // /// metropolis
                // subject = "abilities.js.*"
                // [allow]
                // subjects = ["abilities.callee.*"]
                // env = ["TAX_RATE"]
                // ///
                export async function handle(body, msg) {
                  const what = msg.subject.split('.').pop();
                  if (what === 'call') return await metropolis.request('abilities.callee.echo', body, { timeout: 5 });
                  if (what === 'caught') {
                    try { await metropolis.request('abilities.callee.fail', 'x'); }
                    catch (e) { return { name: e.name, code: e.code, kind: e.kind, subject: e.subject }; }
                  }
                  if (what === 'denied') {
                    try { metropolis.publish('payments.charge', 'x'); }
                    catch (e) { return { name: e.name, message: e.message }; }
                  }
                  if (what === 'env') return { ...metropolis.env };
                  if (what === 'secret') return metropolis.secret('payment_key');
                  return 'unknown ' + what;
                }
                """);
        server = TestNats.start();
        logCapture = new StreamHandler(new PrintStream(logs, true, StandardCharsets.UTF_8), new SimpleFormatter());
        logCapture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(logCapture);
        host = Host.builder(new HostConfig(scripts, server.settings(), Duration.ofSeconds(2), false,
                dev.metropolis.observe.ObserveAddress.NONE, secrets, HostConfig.DEFAULT_MAX_HTTP_RESPONSE), TestSupport.ENGINES)
                .environment(Map.of("TAX_RATE", "0.2", "HOME", "/root", "PATH", "/usr/bin"))
                .start();
        nats = server.connect();
        assertThat(host.problems()).isEmpty();
    }

    private static void script(Path folder, String name, String source) throws Exception {
        Files.writeString(folder.resolve(name), source);
    }

    @AfterAll
    void stop() throws Exception {
        Logger.getLogger("").removeHandler(logCapture);
        Closing.closeAll(nats, host, server);
    }

    private Message call(String subject, String body) throws Exception {
        return request(nats, subject, body);
    }

    private JsonNode json(Message reply) throws Exception {
        return JSON.readTree(reply.getData());
    }

    @Test
    void aPythonTaskCallsAJavaScriptTaskAndGetsItsDecodedReply() throws Exception {
        Headers headers = new Headers().put("X-Request-Id", "req-42");
        Message reply = request(nats, "abilities.py.call", headers, "{\"n\": 3}".getBytes(StandardCharsets.UTF_8));

        assertThat(errorCode(reply)).isZero();
        JsonNode answer = json(reply);
        assertThat(answer.get("got").get("n").asInt()).isEqualTo(3);
        assertThat(answer.get("hops").asText()).isEqualTo("1");
        assertThat(answer.get("requestId").asText()).isEqualTo("req-42"); // the caller's request id travels on
    }

    @Test
    void aJavaScriptTaskAwaitsACall() throws Exception {
        JsonNode answer = json(call("abilities.js.call", "[1, 2]"));

        assertThat(answer.get("got").toString()).isEqualTo("[1,2]");
    }

    @Test
    void aCalleesRefusalIsACallErrorWithItsCodeAndKind() throws Exception {
        JsonNode python = json(call("abilities.py.caught", "{}"));
        JsonNode js = json(call("abilities.js.caught", "{}"));

        assertThat(python.get("code").asInt()).isEqualTo(422);
        assertThat(python.get("kind").asText()).isEqualTo("rejected");
        assertThat(python.get("message").asText()).isEqualTo("no such order");
        assertThat(python.get("subject").asText()).isEqualTo("abilities.callee.fail");
        assertThat(js.get("name").asText()).isEqualTo("CallError");
        assertThat(js.get("code").asInt()).isEqualTo(422);
        assertThat(js.get("kind").asText()).isEqualTo("rejected");
    }

    @Test
    void anUncaughtCallErrorIsTheCallersReplyWithTheCalleesStatus() throws Exception {
        Message reply = call("abilities.py.uncaught", "{}");

        assertThat(errorCode(reply)).isEqualTo(422);
        assertThat(json(reply).get("error").asText())
                .isEqualTo("the call to 'abilities.callee.fail' failed: no such order");
    }

    @Test
    void aCallThatGetsNoReplyInTimeIsATimeoutNotACrash() throws Exception {
        Message reply = call("abilities.py.slow", "{}");

        assertThat(errorCode(reply)).isEqualTo(504);
        assertThat(json(reply).get("kind").asText()).isEqualTo("timed_out");
        assertThat(json(reply).get("error").asText()).contains("abilities.callee.slow");
    }

    @Test
    void aCallWithoutATimeoutEndsAtTheCallersDeadline() throws Exception {
        Message reply = call("abilities.py.hang", "{}");

        assertThat(errorCode(reply)).isEqualTo(504);
        assertThat(json(reply).get("kind").asText()).isEqualTo("timed_out");
    }

    @Test
    void callingASubjectNobodyServesIsUnavailable() throws Exception {
        Message reply = call("abilities.py.nobody", "{}");

        assertThat(errorCode(reply)).isEqualTo(503);
        assertThat(json(reply).get("error").asText()).contains("no task serves 'abilities.nobody'");
    }

    @Test
    void aSubjectThatIsNotGrantedIsRefusedNamingTheGrantToAdd() throws Exception {
        Message python = call("abilities.py.denied", "{}");
        JsonNode js = json(call("abilities.js.denied", "{}"));

        assertThat(errorCode(python)).isEqualTo(500);
        assertThat(json(python).get("error").asText())
                .startsWith("GrantError: task 'caller' may not send to subject 'payments.charge'; grant it in"
                        + " caller.py's header: [allow] subjects = [\"payments.charge\"]");
        assertThat(js.get("name").asText()).isEqualTo("GrantError");
        assertThat(js.get("message").asText()).contains("[allow] subjects = [\"payments.charge\"]");
    }

    @Test
    void aTaskCallingItselfStopsAtTheHopLimit() throws Exception {
        Message reply = call("abilities.loop", "{}");

        assertThat(errorCode(reply)).isEqualTo(508);
        assertThat(json(reply).get("error").asText()).contains("at most 8 calls may follow each other");
    }

    @Test
    void aPublishReachesItsSubscribersWithItsHeaders() throws Exception {
        Subscription events = nats.subscribe("abilities.events.>");
        nats.flush(Duration.ofSeconds(2));

        assertThat(text(call("abilities.py.publish", "{}"))).isEqualTo("published");
        Message event = events.nextMessage(Duration.ofSeconds(5));
        assertThat(event).isNotNull();
        assertThat(event.getSubject()).isEqualTo("abilities.events.created");
        assertThat(JSON.readTree(event.getData()).get("id").asInt()).isEqualTo(7);
        assertThat(header(event, "X-Kind")).isEqualTo("created");
        assertThat(header(event, "Content-Type")).isEqualTo("application/json");
        assertThat(header(event, "X-Request-Id")).isNotBlank();
        events.unsubscribe();
    }

    @Test
    void onlyGrantedEnvironmentVariablesAreVisible() throws Exception {
        JsonNode python = json(call("abilities.py.env", "{}"));
        JsonNode js = json(call("abilities.js.env", "{}"));

        assertThat(python.get("env").toString()).isEqualTo("{\"TAX_RATE\":\"0.2\"}");
        assertThat(python.get("os").toString()).isEqualTo("{\"TAX_RATE\":\"0.2\"}");
        assertThat(js.toString()).isEqualTo("{\"TAX_RATE\":\"0.2\"}");
    }

    @Test
    void aGrantedSecretIsReadAndNeverLogged() throws Exception {
        assertThat(text(call("abilities.py.secret", "{}"))).isEqualTo(String.valueOf(SECRET.length()));

        Await.until(Duration.ofSeconds(5), "the task's print in the log", () -> {
            logCapture.flush();
            return logs.toString(StandardCharsets.UTF_8).contains("using key");
        });
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("using key ***").doesNotContain(SECRET);
    }

    @Test
    void aSecretInAnErrorReplyIsRedacted() throws Exception {
        Message reply = call("abilities.py.leak", "{}");

        assertThat(errorCode(reply)).isEqualTo(500);
        assertThat(text(reply)).contains("bad key ***").doesNotContain(SECRET);
        assertThat(header(reply, "Nats-Service-Error")).doesNotContain(SECRET);
    }

    @Test
    void aSecretThatIsNotGrantedIsRefused() throws Exception {
        Message python = call("abilities.py.other-secret", "{}");
        Message js = call("abilities.js.secret", "{}");

        assertThat(json(python).get("error").asText()).contains("may not read secret 'db_password'")
                .contains("[allow] secrets = [\"db_password\"]");
        assertThat(json(js).get("error").asText()).contains("may not read secret 'payment_key'");
    }

    @Test
    void grantsAreVisibleInDiscoveryAndSecretValuesAreNot() throws Exception {
        ServiceDiscovery.ServiceInfo caller = Await.value(Duration.ofSeconds(10), "caller in $SRV.INFO",
                () -> ServiceDiscovery.info(nats, Duration.ofMillis(500), 100).services().stream()
                        .filter(service -> service.name().equals("caller")).findFirst().orElse(null), service -> true);

        assertThat(caller.metadata())
                .containsEntry("metropolis.allow.subjects", "abilities.callee.*,abilities.events.>,abilities.nobody")
                .containsEntry("metropolis.allow.env", "TAX_RATE,NOT_SET")
                .containsEntry("metropolis.allow.secrets", "payment_key");
        assertThat(caller.metadata().values()).noneMatch(value -> value.contains(SECRET));
    }
}
