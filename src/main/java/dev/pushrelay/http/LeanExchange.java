package dev.pushrelay.http;

import dev.pushrelay.config.routing.RequestView;
import org.xnio.XnioIoThread;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * One request on a lean connection (the lean path, protocol.md §12): a complete, plain head
 * that the connection parsed itself, and the ways to answer it. Every method is called on
 * the connection's IO thread.
 */
public interface LeanExchange extends RequestView {

    XnioIoThread ioThread();

    /** The request line said HTTP/1.0. */
    boolean http10();

    /** The client lets the connection stay open after the answer (HTTP/1.1 without close, 1.0 with keep-alive). */
    boolean keepAlive();

    /** The declared Content-Length, -1 when none was sent. */
    long contentLength();

    /**
     * The request's body (Content-Length bytes, all already read), an array read for this
     * request alone and written to by nobody after: a publish stores it as the message's body,
     * with no second copy. Empty when none.
     */
    byte[] body();

    /**
     * Writes a whole answer (head and body), then reads the connection's next request, or
     * closes it when {@code persistent} is false. {@code parts} may be the caller's scratch
     * (LeanAnswers): what is not written at once is copied before this returns.
     */
    void answer(ByteBuffer[] parts, boolean persistent);

    /**
     * The request waits for something to answer it: the socket is watched for the client
     * leaving, and {@code onGone} runs if it does (before any answer); it answers whether it
     * ended the wait.
     */
    void await(BooleanSupplier onGone);
}
