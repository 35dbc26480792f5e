package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Finds free TCP ports and checks that fixed ones are free, before a broker tries to bind them. */
public final class PortAllocator {
    private PortAllocator() {
    }

    /** {@code count} distinct ports that were free a moment ago, all held open until chosen. */
    public static List<Integer> freePorts(String host, int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is released either way
                }
            }
        }
    }

    /** Throws a one-line error naming the port when something else listens on it. */
    public static void requireFree(String host, int port, String hint) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new EmbeddedKafkaException("port " + port + " on " + host + " is in use (" + e.getMessage()
                    + "): stop what listens there or " + hint, e);
        }
    }
}
