package io.kgroups.admin;

import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * A member of a classic group of protocol type {@code connect}, as a Kafka Connect worker is:
 * joined with the group protocol's own requests over a socket (Connect's runtime is not on this
 * module's class path). The broker is the group's coordinator: the embedded cluster has one.
 */
final class ConnectWorkerMember implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final String group;
    private int correlation;
    private String memberId = "";

    private ConnectWorkerMember(String bootstrap, String group) throws IOException {
        String[] hostPort = bootstrap.split(",")[0].split(":");
        this.socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
        socket.setSoTimeout(30_000);
        this.out = new DataOutputStream(socket.getOutputStream());
        this.in = new DataInputStream(socket.getInputStream());
        this.group = group;
    }

    /** Joins {@code group} (creating it) and completes the rebalance as its leader. */
    static ConnectWorkerMember join(String bootstrap, String group) throws IOException {
        ConnectWorkerMember member = new ConnectWorkerMember(bootstrap, group);
        // On a new cluster the coordinator is there once __consumer_offsets is: FindCoordinator creates it.
        await("the coordinator of " + group).atMost(Duration.ofSeconds(60)).pollInSameThread()
                .until(member::findCoordinator, error -> error == Errors.NONE);
        Set<Errors> loading = Set.of(Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE,
                Errors.COORDINATOR_LOAD_IN_PROGRESS);
        JoinGroupResponse joined = await("the coordinator of " + group + " takes a JoinGroup").atMost(Duration.ofSeconds(60))
                .pollInSameThread().until(member::joinOnce, response -> !loading.contains(response.error()));
        if (joined.error() == Errors.MEMBER_ID_REQUIRED) { // the first join only hands out the member id
            member.memberId = joined.data().memberId();
            joined = member.joinOnce();
        }
        if (joined.error() != Errors.NONE) {
            throw new IOException("JoinGroup of " + group + " failed: " + joined.error());
        }
        member.memberId = joined.data().memberId();
        SyncGroupResponse synced = (SyncGroupResponse) member.send(new SyncGroupRequest.Builder(new SyncGroupRequestData()
                .setGroupId(group).setGenerationId(joined.data().generationId()).setMemberId(member.memberId)
                .setProtocolType("connect").setProtocolName("sessioned")
                .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                        .setMemberId(member.memberId).setAssignment(new byte[0])))), ApiKeys.SYNC_GROUP, (short) 5);
        if (synced.error() != Errors.NONE) {
            throw new IOException("SyncGroup of " + group + " failed: " + synced.error());
        }
        return member;
    }

    private Errors findCoordinator() throws IOException {
        FindCoordinatorResponse found = (FindCoordinatorResponse) send(new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData().setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id())
                        .setCoordinatorKeys(List.of(group))), ApiKeys.FIND_COORDINATOR, (short) 4);
        return Errors.forCode(found.data().coordinators().get(0).errorCode());
    }

    private JoinGroupResponse joinOnce() throws IOException {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("sessioned").setMetadata(new byte[0]));
        return (JoinGroupResponse) send(new JoinGroupRequest.Builder(new JoinGroupRequestData().setGroupId(group)
                .setMemberId(memberId).setProtocolType("connect").setSessionTimeoutMs(60_000).setRebalanceTimeoutMs(60_000)
                .setProtocols(protocols)), ApiKeys.JOIN_GROUP, (short) 5);
    }

    private AbstractResponse send(AbstractRequest.Builder<?> builder, ApiKeys api, short version) throws IOException {
        RequestHeader header = new RequestHeader(api, version, "kgroups-test-connect-worker", ++correlation);
        ByteBuffer request = builder.build(version).serializeWithHeader(header);
        out.writeInt(request.remaining());
        out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    @Override
    public void close() throws IOException {
        try {
            send(new LeaveGroupRequest.Builder(group, List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId))),
                    ApiKeys.LEAVE_GROUP, (short) 3);
        } finally {
            socket.close();
        }
    }
}
