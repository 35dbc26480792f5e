package io.kgroups.embedded;

/**
 * The embedded cluster could not do what was asked. The message says what went wrong and what
 * to do about it, in one line, so that the CLI can print it as it is.
 */
public class EmbeddedKafkaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedKafkaException(String message) {
        super(message);
    }

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }
}
