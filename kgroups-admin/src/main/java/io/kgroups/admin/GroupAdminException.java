package io.kgroups.admin;

/**
 * A group operation failed, for a reason the user can act on; the message says what and what to
 * do, in one line.
 */
public class GroupAdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GroupAdminException(String message) {
        super(message);
    }

    public GroupAdminException(String message, Throwable cause) {
        super(message, cause);
    }
}
