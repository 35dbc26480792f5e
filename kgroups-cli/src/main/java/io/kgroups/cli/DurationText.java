package io.kgroups.cli;

/** Seconds as people read them: 45s, 12m, 3h 20m, 6d 4h. */
final class DurationText {
    private DurationText() {
    }

    static String of(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3_600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3_600 + "h " + seconds % 3_600 / 60 + "m";
        }
        return seconds / 86_400 + "d " + seconds % 86_400 / 3_600 + "h";
    }
}
