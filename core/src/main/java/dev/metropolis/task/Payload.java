package dev.metropolis.task;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How a payload is presented to a task, decided from its content type and bytes.
 *
 * <p>The rule (documented in the README):
 * <ul>
 *   <li>{@code Content-Type} JSON ({@code application/json}, {@code *+json}): parsed as JSON; invalid JSON
 *       is a 400 error reply.</li>
 *   <li>{@code text/*}, {@code application/xml}: text; not UTF-8 is a 400.</li>
 *   <li>{@code application/x-www-form-urlencoded}: as if there were no content type (JSON when it
 *       parses, else text), because it is what {@code curl -d} sends whatever the body is; not
 *       UTF-8 is a 400.</li>
 *   <li>any other content type: bytes.</li>
 *   <li>no content type: empty is the empty string; valid UTF-8 is parsed as JSON when it is a whole
 *       JSON document and otherwise kept as text; anything else is bytes.</li>
 * </ul>
 *
 * @param kind how the guest decodes the body
 * @param text the payload decoded as UTF-8, or null for {@link BodyKind#BYTES}
 */
public record Payload(BodyKind kind, String text) {

    /** The body forms; ordinals are shared with the guest adapters (metropolis.py / metropolis.js). */
    public enum BodyKind {
        /** JSON if the text is a JSON document, otherwise the text itself. */
        AUTO,
        /** Declared JSON: must parse. */
        JSON,
        /** Text, never parsed. */
        TEXT,
        /** Raw bytes. */
        BYTES
    }

    private static final Payload EMPTY_TEXT = new Payload(BodyKind.TEXT, "");
    private static final Payload BYTES = new Payload(BodyKind.BYTES, null);

    /** Classifies a payload; throws a BAD_PAYLOAD {@link TaskError} when it contradicts its content type. */
    public static Payload classify(String contentType, byte[] data) {
        if (contentType == null || contentType.isBlank()) {
            if (data.length == 0) {
                return EMPTY_TEXT;
            }
            String text = utf8(data);
            return text == null ? BYTES : auto(text);
        }
        BodyKind declared = declaredKind(contentType);
        if (declared == BodyKind.BYTES) {
            return BYTES;
        }
        String text = utf8(data);
        if (text == null) {
            throw TaskError.of(ErrorKind.BAD_PAYLOAD,
                    "the payload is declared as '" + contentType + "' but is not valid UTF-8 text;"
                            + " send it as application/octet-stream to receive bytes");
        }
        return declared == BodyKind.AUTO ? auto(text) : new Payload(declared, text);
    }

    /**
     * Text that may be JSON. When its first character rules JSON out, it is plain text without
     * asking the guest to try: a failed parse throws inside the guest, which costs far more than an
     * echo task (a JS echo of plain text measured 250 us of CPU per message, against 10 us).
     */
    private static Payload auto(String text) {
        return mayBeJson(text) ? new Payload(BodyKind.AUTO, text) : new Payload(BodyKind.TEXT, text);
    }

    /** False when {@code text} cannot be a JSON document (RFC 8259), judged by its first non-blank character. */
    static boolean mayBeJson(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return false;
        }
        char first = trimmed.charAt(0);
        return switch (first) {
            case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> true;
            case 't' -> trimmed.equals("true");
            case 'f' -> trimmed.equals("false");
            case 'n' -> trimmed.equals("null");
            default -> false;
        };
    }

    private static BodyKind declaredKind(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (type.equals("application/json") || type.endsWith("+json")) {
            return BodyKind.JSON;
        }
        if (type.equals("application/x-www-form-urlencoded")) {
            return BodyKind.AUTO; // curl -d's default: people send JSON with it all the time
        }
        if (type.startsWith("text/") || type.equals("application/xml")) {
            return BodyKind.TEXT;
        }
        return BodyKind.BYTES;
    }

    /** Strict UTF-8 decoding: null when the bytes are not valid UTF-8. */
    private static String utf8(byte[] data) {
        if (isAscii(data)) {
            return new String(data, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(byte[] data) {
        for (byte b : data) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
