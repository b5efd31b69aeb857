package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON the decoder cannot take (too deep, malformed) is a 400 bad_payload in both languages, never a crash. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PayloadErrorsTest {
    private static final String DEEP_UNTERMINATED = "[".repeat(200_000);
    private static final String DEEP_VALID = "[".repeat(100_000) + "]".repeat(100_000);
    private static Engines engines;
    private static GuestContexts contexts;

    @TempDir
    static Path folder;

    @BeforeAll
    static void engines() {
        engines = new Engines();
        contexts = new GuestContexts(engines);
    }

    @AfterAll
    static void close() {
        engines.close();
    }

    @ParameterizedTest(name = "{0}, {1}, content type {2}")
    @CsvSource({
        "py, deep-unterminated, application/json", "py, deep-valid, application/json", "py, deep-valid, ''",
        "py, malformed, application/json",
        "js, deep-unterminated, application/json", "js, deep-valid, application/json", "js, deep-valid, ''",
        "js, malformed, application/json"})
    void isABadPayloadAndTheContextStaysUsable(String language, String body, String contentType) throws Exception {
        String data = switch (body) {
            case "deep-unterminated" -> DEEP_UNTERMINATED;
            case "deep-valid" -> DEEP_VALID;
            default -> "{\"a\": ";
        };
        try (GuestContext context = contexts.factory(script(language)).call()) {
            TaskError error = catchThrowableOfType(TaskError.class, () -> call(context, contentType, data));

            assertThat(error.kind()).isEqualTo(ErrorKind.BAD_PAYLOAD);
            assertThat(error.code()).isEqualTo(400);
            assertThat(error.getMessage()).contains("JSON").doesNotContain("RecursionError");
            assertThat(call(context, "application/json", "{\"a\": 1}")).isEqualTo("fine");
        }
    }

    private static String call(GuestContext context, String contentType, String body) {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        return new String(context.invoke(new TaskRequest("pay.x", null, Map.of(), data),
                Payload.classify(contentType.isEmpty() ? null : contentType, data), Duration.ofSeconds(20)).body(),
                StandardCharsets.UTF_8);
    }

    private static TaskScript script(String language) throws Exception {
        Path file = folder.resolve("payload." + language);
        if (!Files.exists(file)) {
            Files.writeString(file, language.equals("py") ? """
                    # /// metropolis
                    # subject = "pay.py"
                    # ///
                    def handle(body, msg):
                        return "fine"
                    """ : """
                    // /// metropolis
                    // subject = "pay.js"
                    // ///
                    export function handle(body) { return "fine"; }
                    """);
        }
        return TaskScript.load(file).orElseThrow();
    }
}
