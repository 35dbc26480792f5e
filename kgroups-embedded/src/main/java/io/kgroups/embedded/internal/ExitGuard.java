package io.kgroups.embedded.internal;

import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an in-process broker from ending the host JVM. Kafka's server code never calls
 * {@code System.exit} directly but goes through {@link Exit}, whose procedures we replace with
 * ones that log and throw: the thread that asked for the exit fails, the host lives on.
 */
public final class ExitGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);
    private static volatile boolean installed;

    private ExitGuard() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        Exit.setExitProcedure((code, message) -> refuse("exit", code, message));
        Exit.setHaltProcedure((code, message) -> refuse("halt", code, message));
        installed = true;
    }

    private static void refuse(String what, int code, String message) {
        String text = "embedded Kafka asked to " + what + " the JVM with status " + code
                + (message == null ? "" : " (" + message + ")") + "; refused, the host process keeps running";
        LOG.error(text);
        throw new IllegalStateException(text);
    }
}
