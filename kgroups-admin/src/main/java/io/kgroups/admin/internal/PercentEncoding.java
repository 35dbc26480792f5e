package io.kgroups.admin.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of arbitrary text into the characters {@code A-Z a-z 0-9 . _ -}: what is
 * safe in a file name, a CSV cell and a line of text, whatever the text holds (commas, newlines,
 * slashes, {@code %}). Every other character is {@code %XX} per byte of its UTF-8 form.
 */
public final class PercentEncoding {
    private PercentEncoding() {
    }

    public static String encode(String text) {
        StringBuilder encoded = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (safe(c)) {
                encoded.append(c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    /** @throws IllegalArgumentException for text {@link #encode} cannot have written */
    public static String decode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
                if (low < 0) {
                    throw new IllegalArgumentException("'%' at " + i + " is not followed by two hex digits");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (safe(c)) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("'" + c + "' at " + i + " should have been percent-encoded");
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean safe(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
    }
}
