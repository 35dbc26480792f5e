package io.kgroups.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What stands at the bootstrap addresses when the Kafka client cannot say: nothing (the
 * connection is refused), a name that does not resolve, or a listener of another security
 * protocol than the config's. The Kafka client retries all of these until {@code --timeout}
 * (or reports "Failed to find brokers"); this says which it is.
 *
 * <p>The probe connects and sends one SaslHandshake request in plain text, which every kind of
 * listener answers in its own way: a PLAINTEXT listener with ILLEGAL_SASL_STATE (it has no SASL),
 * a SASL_PLAINTEXT one with its mechanisms, a TLS one with a TLS alert. It runs only once the
 * client has failed or waited a second: a TLS listener logs the plain request as a failed handshake.
 */
final class ListenerProbe {
    private static final int CONNECT_MS = 1_000;
    private static final int ANSWER_MS = 1_000;
    private static final short SASL_HANDSHAKE = 17;
    private static final short UNSUPPORTED_SASL_MECHANISM = 33;
    private static final short ILLEGAL_SASL_STATE = 34;
    private static final int CORRELATION_ID = 0x6b67; // "kg"
    private static final int TLS_ALERT = 0x15;

    /** What answered at an address. */
    enum Listener { PLAINTEXT, SASL_PLAINTEXT, TLS }

    private ListenerProbe() {
    }

    /**
     * What the probe found wrong, as the one-line error.
     *
     * @param mismatch a listener of another security protocol than the config's (a config that
     *     cannot work), as opposed to nothing listening at any address (a cluster that is down)
     */
    record Finding(String message, boolean mismatch) {
    }

    /**
     * What stands wrong at the bootstrap addresses; null when the probe sees nothing wrong there
     * (a listener that matches the config, or one that does not answer: then the client's own
     * timeout and error stand).
     *
     * @param securityProtocol the config's {@code security.protocol} (null: PLAINTEXT)
     * @param saslMechanism the config's {@code sasl.mechanism} (null: Kafka's default)
     */
    static Finding find(String bootstrapServers, String securityProtocol, String saslMechanism) {
        String protocol = securityProtocol == null ? "PLAINTEXT" : securityProtocol.strip().toUpperCase(java.util.Locale.ROOT);
        List<String> unreachable = new ArrayList<>();
        boolean undecided = false;
        for (String server : bootstrapServers.split(",")) {
            int colon = server.lastIndexOf(':');
            String host = server.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(server.substring(colon + 1));
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                unreachable.add(server + ": unknown host (the name does not resolve)");
                continue;
            }
            String refused = null;
            for (InetAddress address : addresses) {
                Answer answer = ask(new InetSocketAddress(address, port), saslMechanism == null ? "GSSAPI" : saslMechanism);
                if (answer.listener() != null) {
                    String mismatch = mismatch(server, answer, protocol);
                    return mismatch == null ? null : new Finding(mismatch, true);
                }
                if (answer.refusal() == null) {
                    undecided = true; // connected but no answer to read, or no answer to the connect in time
                } else {
                    refused = answer.refusal();
                }
            }
            if (refused != null) {
                unreachable.add(server + ": " + refused);
            }
        }
        if (undecided || unreachable.isEmpty()) {
            return null;
        }
        return new Finding("cannot reach Kafka at " + String.join("; ", unreachable) + ": check --bootstrap-server (or $"
                + ClusterOptions.BOOTSTRAP_ENV + ") and that the cluster is up", false);
    }

    private static String mismatch(String server, Answer answer, String protocol) {
        boolean tls = protocol.endsWith("SSL");
        boolean sasl = protocol.startsWith("SASL_");
        String is;
        switch (answer.listener()) {
            case PLAINTEXT -> {
                if (!tls && !sasl) {
                    return null;
                }
                is = "does not speak " + (tls && sasl ? "TLS nor SASL" : tls ? "TLS" : "SASL") + " (is it PLAINTEXT?)";
            }
            case SASL_PLAINTEXT -> {
                if (!tls && sasl) {
                    return null;
                }
                is = tls ? "does not speak TLS (is it SASL_PLAINTEXT?" + offers(answer) + ")"
                        : "requires SASL (is it SASL_PLAINTEXT?" + offers(answer) + ")";
            }
            default -> {
                if (tls) {
                    return null;
                }
                is = "speaks TLS (is it SSL or SASL_SSL?)";
            }
        }
        return "authentication failed: the broker's listener at " + server + " " + is + ", your config says "
                + protocol + ": check security.protocol in --command-config";
    }

    private static String offers(Answer answer) {
        return answer.mechanisms().isEmpty() ? "" : " it offers " + String.join(", ", answer.mechanisms());
    }

    /** A listener found (with its SASL mechanisms), or why nothing was: a refusal, or null for no answer. */
    private record Answer(Listener listener, List<String> mechanisms, String refusal) {
    }

    private static Answer ask(InetSocketAddress address, String mechanism) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(address, CONNECT_MS);
            } catch (ConnectException e) {
                return new Answer(null, List.of(), "connection refused (nothing listens there)");
            } catch (NoRouteToHostException e) {
                return new Answer(null, List.of(), "no route to host");
            }
            socket.setSoTimeout(ANSWER_MS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(saslHandshake(mechanism));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int first = in.read();
            if (first == TLS_ALERT && in.read() == 3) { // a TLS record (version 3.x) holding an alert
                return new Answer(Listener.TLS, List.of(), null);
            }
            if (first < 0) {
                return new Answer(null, List.of(), null);
            }
            int size = (first << 24) | (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            if (size < 6 || size > 65_536 || in.readInt() != CORRELATION_ID) {
                return new Answer(null, List.of(), null); // not a Kafka answer to this request
            }
            short error = in.readShort();
            if (error == ILLEGAL_SASL_STATE) {
                return new Answer(Listener.PLAINTEXT, List.of(), null);
            }
            if (error != 0 && error != UNSUPPORTED_SASL_MECHANISM) {
                return new Answer(null, List.of(), null);
            }
            List<String> mechanisms = new ArrayList<>();
            for (int i = in.readInt(); i > 0 && mechanisms.size() < 32; i--) {
                byte[] name = new byte[in.readUnsignedShort()];
                in.readFully(name);
                mechanisms.add(new String(name, StandardCharsets.UTF_8));
            }
            return new Answer(Listener.SASL_PLAINTEXT, mechanisms, null);
        } catch (IOException e) {
            return new Answer(null, List.of(), null); // a timeout, a reset, a short answer: nothing to conclude
        }
    }

    /** SaslHandshake v1 (request header v1): api key, version, correlation id, client id, mechanism. */
    private static byte[] saslHandshake(String mechanism) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream request = new DataOutputStream(body);
        request.writeShort(SASL_HANDSHAKE);
        request.writeShort(1);
        request.writeInt(CORRELATION_ID);
        // Kafka strings are a 16-bit length and UTF-8, which writeUTF writes for these ASCII names.
        request.writeUTF("kgroups-probe");
        request.writeUTF(mechanism);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        new DataOutputStream(framed).writeInt(body.size());
        body.writeTo(framed);
        return framed.toByteArray();
    }
}
