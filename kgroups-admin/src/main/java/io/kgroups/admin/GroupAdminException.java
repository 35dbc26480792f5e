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

    /** The group named is not on the cluster. */
    public static GroupAdminException unknownGroup(String group) {
        return new GroupAdminException("group '" + group + "' does not exist: list the groups with `kgroups groups`");
    }
}
