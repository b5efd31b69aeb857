package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkFormatTest {
    private static String chunk(ChunkFormat format, String contentType, String body) {
        return new String(format.chunk(7, contentType, body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void theAcceptHeaderChoosesServerSentEvents() {
        assertThat(ChunkFormat.forAccept("text/event-stream")).isEqualTo(ChunkFormat.SSE);
        assertThat(ChunkFormat.forAccept("application/json, Text/Event-Stream;q=0.5")).isEqualTo(ChunkFormat.SSE);
        assertThat(ChunkFormat.forAccept("*/*")).isEqualTo(ChunkFormat.NDJSON);
        assertThat(ChunkFormat.forAccept(null)).isEqualTo(ChunkFormat.NDJSON);
    }

    @Test
    void anEventPerChunkWithEveryLineOfItsData() {
        assertThat(chunk(ChunkFormat.SSE, "text/plain; charset=utf-8", "one\ntwo\r\nthree"))
                .isEqualTo("id: 7\ndata: one\ndata: two\ndata: three\n\n");
        assertThat(chunk(ChunkFormat.SSE, "application/json", "{\"a\":1}")).isEqualTo("id: 7\ndata: {\"a\":1}\n\n");
        assertThat(new String(ChunkFormat.SSE.chunk(1, "application/octet-stream", new byte[] {0, (byte) 0xff}),
                StandardCharsets.UTF_8)).isEqualTo("event: bytes\nid: 1\ndata: AP8=\n\n");
        assertThat(chunk(ChunkFormat.SSE, null, "")).isEqualTo("id: 7\ndata: \n\n");
    }

    @Test
    void aJsonValuePerLine() {
        assertThat(chunk(ChunkFormat.NDJSON, "application/json", "{\"a\":1}")).isEqualTo("{\"a\":1}\n");
        assertThat(chunk(ChunkFormat.NDJSON, "application/json", "{\n  \"a\": 1\n}")).isEqualTo("{\"a\":1}\n");
        assertThat(chunk(ChunkFormat.NDJSON, "text/plain; charset=utf-8", "say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\n\"\n");
        assertThat(new String(ChunkFormat.NDJSON.chunk(1, "application/octet-stream", new byte[] {0, (byte) 0xff}),
                StandardCharsets.UTF_8)).isEqualTo("\"AP8=\"\n");
        assertThat(chunk(ChunkFormat.NDJSON, null, "")).isEqualTo("null\n");
    }

    @Test
    void theEndAndAFailure() {
        byte[] error = "{\"error\":\"no\",\"code\":500}".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(ChunkFormat.SSE.error(error), StandardCharsets.UTF_8))
                .isEqualTo("event: error\ndata: {\"error\":\"no\",\"code\":500}\n\n");
        assertThat(new String(ChunkFormat.NDJSON.error(error), StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"no\",\"code\":500}\n");
        assertThat(new String(ChunkFormat.SSE.end(4), StandardCharsets.UTF_8)).isEqualTo("event: end\ndata: {\"chunks\":4}\n\n");
        assertThat(ChunkFormat.NDJSON.end(4)).isEmpty();
        assertThat(ChunkFormat.NDJSON.heartbeat()).isEmpty();
    }
}
