package dev.metropolis.testkit;

/** Tear-down for tests that start servers, hosts and clients: close what was started, in order. */
public final class Closing {
    private Closing() {}

    /** Closes each resource in the order given, skipping those never started (null). */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
