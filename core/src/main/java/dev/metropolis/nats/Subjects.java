package dev.metropolis.nats;

/** NATS subject rules: tokens separated by dots, {@code *} matching one token, {@code >} the rest. */
public final class Subjects {
    private Subjects() {}

    /** Whether {@code subject} (concrete: no wildcards) is matched by {@code pattern} (wildcards allowed). */
    public static boolean matches(String pattern, String subject) {
        String[] want = pattern.split("\\.", -1);
        String[] have = subject.split("\\.", -1);
        for (int i = 0; i < want.length; i++) {
            if (want[i].equals(">") && i == want.length - 1) {
                return have.length > i;
            }
            if (i >= have.length || !(want[i].equals("*") || want[i].equals(have[i]))) {
                return false;
            }
        }
        return want.length == have.length;
    }

    /** Whether a subject can be published to: non-empty tokens, no wildcards, no whitespace. */
    public static boolean isConcrete(String subject) {
        if (subject == null || subject.isEmpty()) {
            return false;
        }
        for (String token : subject.split("\\.", -1)) {
            if (token.isEmpty() || token.equals("*") || token.equals(">")) {
                return false;
            }
            for (int i = 0; i < token.length(); i++) {
                if (Character.isWhitespace(token.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }
}
