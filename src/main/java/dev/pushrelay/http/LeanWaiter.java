package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.metrics.PushMetrics;

import org.xnio.XnioIoThread;

/**
 * A parked lean long-poll (protocol.md §4.3): the endings {@link ParkedPoll} decides,
 * answered on the connection's IO thread with pre-encoded bytes.
 * It holds only its connection, the service's shared parts and its subscription: no
 * exchange, no header maps.
 */
final class LeanWaiter extends ParkedPoll {

    private final LeanExchange exchange;
    private final LeanService service;

    LeanWaiter(LeanExchange exchange, LeanService service) {
        this.exchange = exchange;
        this.service = service;
    }

    @Override
    PushMetrics metrics() {
        return service.metrics();
    }

    @Override
    GracefulStop drain() {
        return service.drain();
    }

    @Override
    IoMailboxes mailboxes() {
        return service.mailboxes();
    }

    @Override
    XnioIoThread ioThread() {
        return exchange.ioThread();
    }

    @Override
    void watch() {
        exchange.await(this);
    }

    @Override
    void sendMessage(Message m) {
        service.sendMessage(exchange, m);
    }

    @Override
    void sendRefusal(Refusal why) {
        service.headerOnly(exchange, why == Refusal.CONFLICT ? LeanHeads.CONFLICT_409 : LeanHeads.GONE_410,
                exchange.keepAlive());
    }

    @Override
    void sendTimeout() {
        service.headerOnly(exchange, LeanHeads.NOT_MODIFIED_304, exchange.keepAlive());
    }

    /** A graceful stop answers 304 with Connection: close, as {@link WaitingSubscriber} does. */
    @Override
    void sendStop(int status) {
        service.headerOnly(exchange, LeanHeads.NOT_MODIFIED_304, false);
    }

    @Override
    void left() {
        service.finished();
    }
}
