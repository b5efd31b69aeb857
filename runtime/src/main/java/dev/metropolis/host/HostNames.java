package dev.metropolis.host;

import dev.metropolis.task.HostEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The name a host announces (metadata {@code metropolis.host}, events subject): the machine's name and the process id. */
final class HostNames {
    private static final Logger LOG = Logger.getLogger(HostNames.class.getName());

    private HostNames() {}

    /** E.g. "web-1-4242": two hosts on one machine (or pod) stay apart by their process ids. */
    static String local() {
        String machine;
        try {
            machine = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.log(Level.FINE, "the machine has no name that resolves; announcing \"host\": {0}", e.getMessage());
            machine = "host";
        }
        return of(machine, ProcessHandle.current().pid());
    }

    /** {@code machine-pid}, as one subject token. */
    static String of(String machine, long pid) {
        return HostEvent.hostName(machine + "-" + pid);
    }
}
