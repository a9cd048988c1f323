package dev.fmnist.tools.load;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.fmnist.common.data.LabelledImages;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Open Inference Protocol v2 over gRPC: single-image {@code ModelInfer} calls ({@code image}, UINT8 {@code [1,784]}
 * in {@code raw_input_contents}, what Triton's client sends) from one client in a closed loop, each call timed.
 *
 * <p>The messages are written and read with protobuf's wire encoding, field numbers of {@code grpc_predict_v2.proto}
 * ({@code inference-service/src/main/proto}), so that this module needs no generated code; the transport is
 * grpc-java's, as a generated stub would use it.
 */
public final class OipGrpcRun implements AutoCloseable {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> MODEL_INFER = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("inference.GRPCInferenceService", "ModelInfer"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private final ManagedChannel channel;
    private final String target;

    /** @param target host:port of the gRPC server */
    public OipGrpcRun(String target) {
        this.target = target;
        this.channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }

    /** ModelInferRequest{model_name, id, inputs[{name image, datatype UINT8, shape [1,784]}], raw_input_contents[pixels]}. */
    static byte[] request(String model, String id, byte[] pixels) throws IOException {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        CodedOutputStream t = CodedOutputStream.newInstance(tensor);
        t.writeString(1, "image");
        t.writeString(2, "UINT8");
        t.writeInt64(3, 1);
        t.writeInt64(3, pixels.length);
        t.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream(pixels.length + 64);
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        o.writeString(1, model);
        o.writeString(3, id);
        o.writeByteArray(5, tensor.toByteArray());
        o.writeByteArray(7, pixels);
        o.flush();
        return out.toByteArray();
    }

    /** The entries of ModelInferResponse.raw_output_contents (field 6) in a response. */
    static int rawOutputs(byte[] response) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(response);
        int count = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 6) {
                in.readBytes();
                count++;
            } else {
                in.skipField(tag);
            }
        }
        return count;
    }

    /** The requests: one test image each. */
    public static byte[][] requests(LabelledImages images, String model, int count) throws IOException {
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            out[i] = request(model, "grpc-" + i, images.image(i % images.size()));
        }
        return out;
    }

    /** One client, the calls one after the other; a call fails when it has no status OK or not both outputs. */
    public OipHttpRun.Result run(String phase, byte[][] requests) throws IOException {
        long[] latencies = new long[requests.length];
        CallFailures failures = new CallFailures();
        long start = System.nanoTime();
        for (int i = 0; i < requests.length; i++) {
            long t0 = System.nanoTime();
            try {
                byte[] response = ClientCalls.blockingUnaryCall(channel, MODEL_INFER,
                        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), requests[i]);
                if (rawOutputs(response) != 2) {
                    failures.add("an answer without the two raw outputs");
                }
            } catch (StatusRuntimeException e) {
                failures.add("gRPC " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            }
            latencies[i] = System.nanoTime() - t0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new OipHttpRun.Result(phase, 1, requests.length, failures.total(), seconds, requests.length / seconds,
                LatencyStats.ofNanos(latencies, latencies.length), failures.counts());
    }

    /** Fails with a clear message when the service does not answer one request. */
    public void probe(byte[] request) throws IOException {
        try {
            byte[] response = ClientCalls.blockingUnaryCall(channel, MODEL_INFER,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
            if (rawOutputs(response) != 2) {
                throw new IllegalStateException("inference-service at " + target + " (gRPC) answered without the two raw outputs");
            }
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("inference-service does not answer ModelInfer over gRPC at " + target + ": "
                    + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
