package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.header;
import static dev.metropolis.host.TestSupport.request;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.testkit.Await;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import io.nats.client.Connection;
import dev.metropolis.nats.ReplyStream;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.Discovery;
import io.nats.service.EndpointStats;
import io.nats.service.Endpoint;
import io.nats.service.InfoResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One real host on a real nats-server, serving the example scripts and the test probes
 * (src/test/resources/scripts) with real GraalPy and GraalJS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningHost running;
    private Host host;
    private Connection nats;

    @BeforeAll
    void start(@TempDir Path scripts) throws Exception {
        TestSupport.withExamples(scripts);
        TestSupport.withTestScripts(scripts, "probe.py", "slow.py", "probe.js", "cjs.js", "counter.js", "spin.js",
                "bad-header.py", "syntax.js", "import-error.py", "missing-function.js", "no-header.js");
        running = RunningHost.start(scripts, false);
        host = running.host;
        nats = running.nats;
    }

    @AfterAll
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private JsonNode json(Message reply) throws Exception {
        return JSON.readTree(reply.getData());
    }

    private Message call(String subject, String body) throws Exception {
        return request(nats, subject, body);
    }

    private Message call(String subject, String contentType, byte[] body) throws Exception {
        Headers headers = new Headers();
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return request(nats, subject, headers, body);
    }

    @Nested
    class ExampleScripts {
        @Test
        void reverseReversesText() throws Exception {
            Message reply = call("text.reverse", "hello, metropolis");
            assertThat(text(reply)).isEqualTo("siloportem ,olleh");
            assertThat(header(reply, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
        }

        @Test
        void addAddsJsonNumbersAndRejectsOtherBodies() throws Exception {
            Message sum = call("math.add", "{\"a\": 40, \"b\": 2}");
            assertThat(text(sum)).isEqualTo("42");
            assertThat(header(sum, "Content-Type")).isEqualTo("application/json");

            Message refused = call("math.add", "{\"a\": 1}"); // refused by its input schema, before it runs
            assertThat(errorCode(refused)).isEqualTo(422);
            assertThat(json(refused).get("error").asText()).isEqualTo("the input does not match the input schema of task"
                    + " 'add': (root): required: required property 'b' not found");
            assertThat(json(refused).get("violations").get(0).get("rule").asText()).isEqualTo("required");
            Message notNumbers = call("math.add", "{\"a\": \"1\", \"b\": 2}");
            assertThat(json(notNumbers).get("violations").get(0).get("pointer").asText()).isEqualTo("/a");
        }

        @Test
        void wordcountCountsWords() throws Exception {
            JsonNode counted = json(call("text.wordcount", "the cat and the hat and the bat"));
            assertThat(counted.get("words").asInt()).isEqualTo(8);
            assertThat(counted.get("top").get(0).get(0).asText()).isEqualTo("the");
            assertThat(counted.get("top").get(0).get(1).asInt()).isEqualTo(3);
        }

        @Test
        void wordsStreamsTheTextWordByWord() throws Exception {
            List<String> chunks = new java.util.ArrayList<>();
            try (ReplyStream stream = ReplyStream.open(nats, "text.words", null, "the quick  brown fox".getBytes(StandardCharsets.UTF_8))) {
                for (Message message = stream.next(Duration.ofSeconds(10)); ; message = stream.next(Duration.ofSeconds(10))) {
                    if (ReplyStream.kind(message) != ReplyStream.Kind.CHUNK) {
                        assertThat(ReplyStream.kind(message)).isEqualTo(ReplyStream.Kind.END);
                        break;
                    }
                    chunks.add(text(message));
                }
            }
            assertThat(chunks).containsExactly("the", "quick", "brown", "fox");
            Message refused = call("text.words", "  ");
            assertThat(errorCode(refused)).isEqualTo(400);
            assertThat(json(refused).get("error").asText()).contains("send some text");
        }

        @Test
        void progressReportsEachStep() throws Exception {
            List<String> chunks = new java.util.ArrayList<>();
            try (ReplyStream stream = ReplyStream.open(nats, "report.progress", null, "{\"steps\": 4}".getBytes(StandardCharsets.UTF_8))) {
                for (Message message = stream.next(Duration.ofSeconds(10)); ReplyStream.kind(message) == ReplyStream.Kind.CHUNK;
                        message = stream.next(Duration.ofSeconds(10))) {
                    chunks.add(text(message));
                }
            }
            assertThat(chunks).containsExactly("{\"step\":1,\"of\":4,\"percent\":25}", "{\"step\":2,\"of\":4,\"percent\":50}",
                    "{\"step\":3,\"of\":4,\"percent\":75}", "{\"step\":4,\"of\":4,\"percent\":100}");
            assertThat(errorCode(call("report.progress", "{\"steps\": 0}"))).isEqualTo(400);
        }

        @Test
        void digestHashesRawBytesWithTheAlgorithmOfTheSubject() throws Exception {
            byte[] payload = {0, (byte) 0xff, (byte) 0x80, 1, 2, 3};
            for (String algorithm : List.of("sha256", "md5")) {
                Message reply = call("bytes." + algorithm, "application/octet-stream", payload);
                String expected = HexFormat.of().formatHex(
                        MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "MD5").digest(payload));
                assertThat(text(reply)).isEqualTo(expected);
            }
        }

        @Test
        void checkoutPricesACartKeptInKeyValueAndAnnouncesTheOrder() throws Exception {
            io.nats.client.Subscription orders = nats.subscribe("orders.placed");
            nats.flush(Duration.ofSeconds(2));
            assertThat(errorCode(call("cart.add", "{\"cart\": \"c-test\", \"item\": \"tea\", \"qty\": 2}"))).isZero();
            JsonNode cart = json(call("cart.add", "{\"cart\": \"c-test\", \"item\": \"scone\"}"));
            assertThat(cart.get("items").toString()).isEqualTo("{\"tea\":2,\"scone\":1}");

            JsonNode order = json(call("shop.checkout", "{\"cart\": \"c-test\"}"));

            assertThat(order.toString()).isEqualTo(
                    "{\"cart\":\"c-test\",\"net\":\"9.75\",\"tax\":\"1.95\",\"total\":\"11.70\"}");
            Message placed = orders.nextMessage(Duration.ofSeconds(5));
            assertThat(placed).isNotNull();
            assertThat(json(placed)).isEqualTo(order);
            orders.unsubscribe();
            Message missing = call("shop.checkout", "{\"cart\": \"nobody\"}");
            assertThat(errorCode(missing)).isEqualTo(404);
            assertThat(json(missing).get("error").asText()).isEqualTo("the call to 'cart.show' failed: no cart 'nobody'");
        }

        @Test
        void statsIsAnAsyncModuleTask() throws Exception {
            JsonNode stats = json(call("math.stats", "[5, 1, 3, 2]"));
            assertThat(stats.get("count").asInt()).isEqualTo(4);
            assertThat(stats.get("mean").asDouble()).isEqualTo(2.75);
            assertThat(stats.get("median").asDouble()).isEqualTo(2.5);
            assertThat(errorCode(call("math.stats", "[]"))).isEqualTo(422);
        }
    }

    @Nested
    class Payloads {
        @ParameterizedTest
        @ValueSource(strings = {"py", "js"})
        void jsonTextAndBytesArriveDecoded(String lang) throws Exception {
            assertThat(json(call(lang + ".echo", "{\"k\": [1, 2]}")).get("body").get("k").get(1).asInt()).isEqualTo(2);
            assertThat(json(call(lang + ".echo", "[1, 2, 3]")).get("body").size()).isEqualTo(3);
            assertThat(json(call(lang + ".echo", "12.5")).get("body").asDouble()).isEqualTo(12.5);
            assertThat(json(call(lang + ".echo", "just text")).get("body").asText()).isEqualTo("just text");
            assertThat(json(call(lang + ".echo", "")).get("body").asText()).isEqualTo("");
            assertThat(json(call(lang + ".echo", "ünïcödé ✓")).get("body").asText()).isEqualTo("ünïcödé ✓");

            JsonNode bytes = json(call(lang + ".echo", null, new byte[] {(byte) 0xff, 0, 65}));
            assertThat(bytes.get("type").asText()).isEqualTo("bytes");
            assertThat(bytes.get("body").toString()).isEqualTo("[255,0,65]");
        }

        @ParameterizedTest
        @ValueSource(strings = {"py", "js"})
        void contentTypeDecidesTheForm(String lang) throws Exception {
            JsonNode text = json(call(lang + ".echo", "text/plain", "42".getBytes(StandardCharsets.UTF_8)));
            assertThat(text.get("body").asText()).isEqualTo("42");
            assertThat(text.get("body").isTextual()).isTrue();

            JsonNode bytes = json(call(lang + ".echo", "application/octet-stream", "hi".getBytes(StandardCharsets.UTF_8)));
            assertThat(bytes.get("type").asText()).isEqualTo("bytes");

            Message bad = call(lang + ".echo", "application/json", "{not json".getBytes(StandardCharsets.UTF_8));
            assertThat(errorCode(bad)).isEqualTo(400);
            assertThat(json(bad).get("error").asText()).contains("not valid JSON");
        }

        @ParameterizedTest
        @ValueSource(strings = {"py", "js"})
        void rawBytesAndMetadataReachTheTask(String lang) throws Exception {
            byte[] payload = {1, (byte) 0xfe, 0, 127};
            Message raw = call(lang + ".raw", "application/octet-stream", payload);
            assertThat(raw.getData()).containsExactly(payload);
            assertThat(header(raw, "Content-Type")).isEqualTo("application/octet-stream");

            Headers headers = new Headers().put("X-Request-Id", "r-1").put("traceparent", "00-abc-def-01");
            JsonNode meta = json(request(nats, lang + ".meta", headers, new byte[0]));
            assertThat(meta.get("subject").asText()).isEqualTo(lang + ".meta");
            assertThat(meta.get("headers").get("X-Request-Id").asText()).isEqualTo("r-1");
            assertThat(meta.get("headers").get("traceparent").asText()).isEqualTo("00-abc-def-01");
            assertThat(meta.get("has_reply").asBoolean()).isTrue();
        }
    }

    @Nested
    class Results {
        @Test
        void pythonReturnValuesBecomeReplies() throws Exception {
            assertReply("py.return.none", "", null);
            assertReply("py.return.str", "héllo", "text/plain; charset=utf-8");
            assertReply("py.return.list", "[1,\"a\",null,true]", "application/json");
            assertReply("py.return.tuple", "[1,2]", "application/json");
            assertReply("py.return.float", "1.5", "application/json");
            assertReply("py.return.bool", "false", "application/json");
            Message bytes = call("py.return.bytes", "");
            assertThat(bytes.getData()).containsExactly(0, 0xff, 0x10);
            assertThat(header(bytes, "Content-Type")).isEqualTo("application/octet-stream");
        }

        @Test
        void javascriptReturnValuesBecomeReplies() throws Exception {
            assertReply("js.return.undefined", "", null);
            assertReply("js.return.null", "", null);
            assertReply("js.return.str", "héllo", "text/plain; charset=utf-8");
            assertReply("js.return.list", "[1,\"a\",null,true]", "application/json");
            assertReply("js.return.float", "1.5", "application/json");
            assertReply("js.return.bool", "false", "application/json");
            assertThat(call("js.return.bytes", "").getData()).containsExactly(0, 0xff, 0x10);
            assertThat(call("js.return.typed", "").getData()).containsExactly(8, 9);
            assertReply("js.async", "42", "application/json");
        }

        @Test
        void unsendableResultsAreCrashReplies() throws Exception {
            for (String subject : List.of("py.return.set", "js.return.symbol", "js.return.nan")) {
                Message reply = call(subject, "");
                assertThat(errorCode(reply)).as(subject).isEqualTo(500);
            }
            assertThat(json(call("py.return.set", "")).get("error").asText()).contains("returned a set, which cannot be sent");
            assertThat(json(call("js.return.symbol", "")).get("error").asText()).contains("cannot be sent");
        }

        @Test
        void cjsAndClassicScriptsWork() throws Exception {
            Message greeting = call("cjs.greet", "world");
            assertThat(text(greeting)).isEqualTo("hello, world");
            assertThat(json(call("js.echo", "1")).get("type").asText()).isEqualTo("number");
        }

        private void assertReply(String subject, String body, String contentType) throws Exception {
            Message reply = call(subject, "");
            assertThat(errorCode(reply)).as(subject).isZero();
            assertThat(text(reply)).as(subject).isEqualTo(body);
            assertThat(header(reply, "Content-Type")).as(subject).isEqualTo(contentType);
        }
    }

    @Nested
    class Errors {
        @Test
        void pythonExceptionIsA500NamingTheLine() throws Exception {
            Message reply = call("py.raise", "");
            assertThat(errorCode(reply)).isEqualTo(500);
            JsonNode body = json(reply);
            assertThat(body.get("error").asText()).isEqualTo("KeyError: 'missing' (line 29)");
            assertThat(body.get("task").asText()).isEqualTo("probe");
            assertThat(body.get("subject").asText()).isEqualTo("py.raise");
            assertThat(header(reply, "Nats-Service-Error")).isEqualTo("KeyError: 'missing' (line 29)");
        }

        @Test
        void javascriptExceptionIsA500NamingTheLine() throws Exception {
            Message reply = call("js.throw", "");
            assertThat(errorCode(reply)).isEqualTo(500);
            assertThat(json(reply).get("error").asText()).isEqualTo("RangeError: out of range (line 36)");
        }

        @Test
        void tasksChooseTheirErrorCode() throws Exception {
            Message py = call("py.reject", "");
            assertThat(errorCode(py)).isEqualTo(404);
            assertThat(json(py).get("error").asText()).isEqualTo("no such order");
            assertThat(json(py).get("kind").asText()).isEqualTo("rejected");

            assertThat(errorCode(call("js.reject", ""))).isEqualTo(409);
            Message async = call("js.async.reject", "");
            assertThat(errorCode(async)).isEqualTo(418);
            assertThat(json(async).get("error").asText()).isEqualTo("async refusal");
        }

        @Test
        void aPromiseThatNeverSettlesIsACrashNotAHang() throws Exception {
            Message reply = call("js.never", "");
            assertThat(errorCode(reply)).isEqualTo(500);
            assertThat(json(reply).get("error").asText()).contains("never settled");
        }

        @Test
        void runawayCodeIsInterruptedAtTheScriptsOwnTimeout() throws Exception {
            // spin.js (timeout 1s) loops forever; slow.py (timeout 5s) sleeps for 30 s.
            assertTimesOut("spin.forever", null, 1_000, "its timeout of 1s");
            assertThat(text(call("spin.forever", "return"))).isEqualTo("returned");
            assertTimesOut("slow.sleep", null, 5_000, "its timeout of 5s");
        }

        @ParameterizedTest
        @ValueSource(strings = {"py.loop", "js.loop", "py.sleep"})
        void runawayCodeIsInterruptedAtTheCallersTimeoutAndTheHostKeepsServing(String subject) throws Exception {
            assertTimesOut(subject, "2000", 2_000, "the caller's timeout of 2s");
            String lang = subject.substring(0, subject.indexOf('.'));
            assertThat(json(call(lang + ".echo", "\"still here\"")).get("body").asText()).isEqualTo("still here");
        }

        private void assertTimesOut(String subject, String callerTimeoutMillis, long timeoutMillis, String reason)
                throws Exception {
            Headers headers = new Headers();
            if (callerTimeoutMillis != null) {
                headers.put("Metropolis-Timeout", callerTimeoutMillis);
            }
            long started = System.nanoTime();
            Message reply = request(nats, subject, headers, "30".getBytes(StandardCharsets.UTF_8));
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(errorCode(reply)).isEqualTo(504);
            assertThat(json(reply).get("error").asText()).contains("did not finish within " + reason);
            // The reply comes at the timeout plus the interrupt, with a margin for a busy machine.
            assertThat(elapsedMillis).isBetween(timeoutMillis - 100, timeoutMillis + 2_000);
        }
    }

    @Nested
    class Pools {
        /** slow.py (concurrency 2): makes both contexts exist, however long creating the second takes. */
        private void warmBothSlowContexts() throws Exception {
            CompletableFuture<Message> first = nats.requestWithTimeout("slow.sleep", "0.5".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(30));
            request(nats, "slow.sleep", "0.5");
            first.get();
            Await.until(Duration.ofSeconds(60), "slow.py's second context", () -> host.liveContexts("slow") == 2);
        }

        @Test
        void callsRunInParallelUpToConcurrencyOnDistinctContexts() throws Exception {
            warmBothSlowContexts();
            List<CompletableFuture<Message>> burst = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                burst.add(nats.requestWithTimeout("slow.sleep", "1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
            }
            List<String> tokens = new ArrayList<>();
            for (CompletableFuture<Message> reply : burst) {
                Message message = reply.get();
                assertThat(errorCode(message)).as(text(message)).isZero();
                tokens.add(text(message));
            }
            // Both calls held a context at the same time, so two different contexts answered.
            assertThat(tokens).doesNotHaveDuplicates();
        }

        @Test
        void beyondTheQueueBoundMessagesGetABusyReply() throws Exception {
            warmBothSlowContexts();
            List<CompletableFuture<Message>> burst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(nats.requestWithTimeout("slow.sleep", "1.5".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
            }
            List<Message> replies = burst.stream().map(CompletableFuture::join).toList();
            Map<Integer, Long> byCode = replies.stream()
                    .collect(Collectors.groupingBy(TestSupport::errorCode, Collectors.counting()));
            // concurrency 2 + max_pending 1: three run, three are told to come back later.
            assertThat(byCode).as(replies.stream().map(TestSupport::text).toList().toString())
                    .containsEntry(0, 3L).containsEntry(429, 3L);
        }

        @Test
        void scriptsAreIsolatedFromEachOther() throws Exception {
            assertThat(text(call("slow.leak", ""))).isEqualTo("false");
            assertThat(text(call("js.leak", ""))).isEqualTo("undefined");
        }

        @Test
        void fireAndForgetMessagesRunTheTask() throws Exception {
            int before = Integer.parseInt(text(call("counter.get", "")));
            for (int i = 0; i < 5; i++) {
                nats.publish("counter.add", new byte[0]);
            }
            nats.flush(Duration.ofSeconds(5));
            Await.until(Duration.ofSeconds(10), "five fire-and-forget messages to run", () -> {
                try {
                    return Integer.parseInt(text(call("counter.get", ""))) == before + 5;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Nested
    class Sandbox {
        @ParameterizedTest
        @ValueSource(strings = {"file", "listdir", "subprocess", "java"})
        void pythonIsDeniedTheOutsideWorld(String what) throws Exception {
            assertThat(text(call("py.sandbox." + what, ""))).startsWith("denied: ");
        }

        @Test
        void pythonSocketsAndThreadsAreRefusedByTheHost() throws Exception {
            // These are refused below Python (no Python exception to catch): the call fails as a crash.
            Message socket = call("py.sandbox.socket", "");
            assertThat(errorCode(socket)).isEqualTo(500);
            assertThat(json(socket).get("error").asText()).contains("getaddrinfo was excluded");
            Message thread = call("py.sandbox.thread", "");
            assertThat(errorCode(thread)).isEqualTo(500);
            assertThat(json(thread).get("error").asText()).contains("Creating threads is not allowed");
            assertThat(json(call("py.echo", "1")).get("body").asInt()).isEqualTo(1);
        }

        @Test
        void pythonSeesNoEnvironment() throws Exception {
            JsonNode environment = json(call("py.sandbox.environ", ""));
            assertThat(environment.fieldNames()).toIterable().doesNotContain("PATH", "HOME", "JAVA_HOME", "USER");
            assertThat(System.getenv()).containsKey("PATH");
        }

        @Test
        void pythonStandardLibraryWorks() throws Exception {
            JsonNode result = json(call("py.stdlib", ""));
            assertThat(result.get("json").asInt()).isEqualTo(2);
            assertThat(result.get("re").toString()).isEqualTo("[\"1\",\"22\",\"333\"]");
            assertThat(result.get("math").asInt()).isEqualTo(1000);
            assertThat(result.get("datetime").asText()).isEqualTo("2026-11-27");
            assertThat(result.get("hashlib").asText()).isEqualTo(HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest("metropolis".getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 12));
            assertThat(result.get("collections").asText()).isEqualTo("a");
            assertThat(result.get("decimal").asText()).isEqualTo("0.3");
            assertThat(result.get("base64").asText()).isEqualTo("aGk=");
            assertThat(result.get("struct").asInt()).isEqualTo(256);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update("metropolis".getBytes(StandardCharsets.UTF_8));
            assertThat(result.get("zlib").asLong()).isEqualTo(crc.getValue());
        }

        @Test
        void javascriptHasNoJavaAccess() throws Exception {
            assertThat(text(call("js.java", ""))).isEqualTo("undefined");
        }
    }

    @Nested
    class Loading {
        @Test
        void brokenScriptsAreReportedWithFileAndLineAndTheOthersServe() {
            Map<String, ScriptProblem> problems = host.problems().stream()
                    .collect(Collectors.toMap(p -> p.file().getFileName().toString(), Function.identity()));
            assertThat(problems).containsOnlyKeys("bad-header.py", "syntax.js", "import-error.py", "missing-function.js");

            assertThat(problems.get("bad-header.py").line()).isEqualTo(3);
            assertThat(problems.get("bad-header.py").getMessage()).contains("unknown key 'timout'").contains("did you mean 'timeout'");
            assertThat(problems.get("syntax.js").line()).isEqualTo(5);
            assertThat(problems.get("syntax.js").getMessage()).contains("syntax error");
            assertThat(problems.get("import-error.py").line()).isEqualTo(4);
            assertThat(problems.get("import-error.py").getMessage()).contains("does_not_exist");
            assertThat(problems.get("missing-function.js").getMessage()).contains("no function 'run'");

            assertThat(host.served()).extracting(TaskScript::name)
                    .containsExactlyInAnyOrder("add", "cart", "checkout", "digest", "reverse", "stats", "wordcount", "words", "progress",
                            "probe", "probe", "slow",
                            "cjs", "counter", "spin");
        }

        @Test
        void unservedSubjectsHaveNoResponders() {
            assertThatThrownBy(() -> call("bad.syntax", "")).hasRootCauseMessage("503 No Responders Available For Request");
        }
    }

    @Nested
    class Discovery_ {
        @Test
        void everyScriptIsListedWithItsMetadata() {
            Discovery discovery = new Discovery(nats, 1000, 50);
            List<InfoResponse> infos = discovery.info();
            Map<String, InfoResponse> byFile = infos.stream()
                    .collect(Collectors.toMap(info -> info.getMetadata().get("metropolis.file"), Function.identity()));
            assertThat(byFile).containsOnlyKeys("add.js", "cart.js", "checkout.py", "digest.py", "reverse.py", "stats.mjs",
                    "wordcount.py", "words.py", "progress.mjs",
                    "probe.py", "probe.js", "slow.py", "cjs.js", "counter.js", "spin.js");

            InfoResponse reverse = byFile.get("reverse.py");
            assertThat(reverse.getName()).isEqualTo("reverse");
            assertThat(reverse.getMetadata()).containsEntry("metropolis.language", "python")
                    .containsEntry("metropolis.queue", "workers");
            Endpoint endpoint = reverse.getEndpoints().getFirst();
            assertThat(endpoint.getSubject()).isEqualTo("text.reverse");
            assertThat(endpoint.getQueueGroup()).isEqualTo("workers");

            InfoResponse wordcount = byFile.get("wordcount.py");
            assertThat(wordcount.getVersion()).isEqualTo("1.0.0");
            assertThat(byFile.get("digest.py").getEndpoints()).extracting(Endpoint::getSubject)
                    .containsExactlyInAnyOrder("bytes.sha256", "bytes.md5");
            assertThat(byFile.get("add.js").getMetadata()).containsEntry("metropolis.language", "js");
            assertThat(byFile.get("words.py").getMetadata()).containsEntry("metropolis.stream_timeout_ms", "60000");
            assertThat(byFile.get("progress.mjs").getMetadata()).containsEntry("metropolis.stream_timeout_ms", "300000");
            assertThat(byFile.get("reverse.py").getMetadata()).doesNotContainKey("metropolis.stream_timeout_ms");
            assertThat(discovery.ping()).hasSize(15);
        }

        @Test
        void statsTimeEachMessageUntilItsReply() throws Exception {
            EndpointStats before = sleepStats();
            request(nats, "slow.sleep", "0.3");
            EndpointStats after = sleepStats();
            assertThat(after.getNumRequests() - before.getNumRequests()).isEqualTo(1);
            assertThat(after.getProcessingTime() - before.getProcessingTime())
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        }

        private EndpointStats sleepStats() {
            return new Discovery(nats, 1000, 10).stats("slow").getFirst().getEndpointStatsList().stream()
                    .filter(endpoint -> endpoint.getSubject().equals("slow.sleep")).findFirst().orElseThrow();
        }
    }
}
