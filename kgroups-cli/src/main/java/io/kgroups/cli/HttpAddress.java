package io.kgroups.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Where to serve HTTP, as {@code --http HOST:PORT} takes it (port 0: a free one). */
record HttpAddress(String host, int port) {

    /** The URL of a server started at this address that listens on {@code actualPort}. */
    String url(int actualPort) {
        return url("http", actualPort);
    }

    /** As {@link #url(int)}, of a server of {@code scheme} (http, https). */
    String url(String scheme, int actualPort) {
        return scheme + "://" + host + ":" + actualPort;
    }

    /** Reads HOST:PORT for picocli; a bad value is a usage error that shows the form. */
    static final class Converter implements ITypeConverter<HttpAddress> {
        @Override
        public HttpAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            String port = colon < 0 ? "" : value.substring(colon + 1);
            if (colon < 1 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65_535) {
                throw new TypeConversionException("'" + value + "' is not HOST:PORT, e.g. 127.0.0.1:8080 (port 0: a free one)");
            }
            return new HttpAddress(value.substring(0, colon), Integer.parseInt(port));
        }
    }
}
