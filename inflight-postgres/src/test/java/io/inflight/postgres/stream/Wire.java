package io.inflight.postgres.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Test helper: writes protocol fields big-endian, the way a server would, to build messages by hand. */
final class Wire {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Wire message(char type) {
        return new Wire().byte1(type);
    }

    Wire byte1(int b) {
        out.write(b);
        return this;
    }

    Wire int16(int v) {
        out.writeBytes(ByteBuffer.allocate(2).putShort((short) v).array());
        return this;
    }

    Wire int32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
        return this;
    }

    Wire int64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        return this;
    }

    Wire cstring(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    Wire raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A {@code 't'} column value. */
    Wire text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return byte1('t').int32(b.length).raw(b);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
