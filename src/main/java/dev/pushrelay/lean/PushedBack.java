package dev.pushrelay.lean;

import org.xnio.Pooled;

import java.nio.ByteBuffer;

/**
 * The bytes a lean connection read before it handed the connection off, as the
 * {@link org.xnio.conduits.PushBackStreamSourceConduit} wants them: a heap copy owned by no
 * pool, so freeing it is a no-op.
 */
final class PushedBack implements Pooled<ByteBuffer> {

    private final ByteBuffer bytes;

    PushedBack(ByteBuffer bytes) {
        this.bytes = bytes;
    }

    @Override
    public void discard() {
    }

    @Override
    public void free() {
    }

    @Override
    public ByteBuffer getResource() {
        return bytes;
    }

    @Override
    public void close() {
    }
}
