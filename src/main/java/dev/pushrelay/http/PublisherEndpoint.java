package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A push_publisher location (protocol.md §3): POST/PUT publish, GET reads the channel
 * info, DELETE removes the channel, OPTIONS answers CORS, anything else is 405. As in the
 * module, the whole body is read first for every method, then the channel id is checked,
 * then the method is dispatched. The body is read without blocking a thread.
 */
final class PublisherEndpoint {

    /** The broker of each location: the in-memory one, or its Redis (protocol.md §13). */
    private final Function<LocationSettings, Broker> brokers;
    private final PushMetrics metrics;

    PublisherEndpoint(Function<LocationSettings, Broker> brokers, PushMetrics metrics) {
        this.brokers = brokers;
        this.metrics = metrics;
    }

    void handle(HttpServerExchange exchange, LocationSettings location, String channelId) {
        int channels = channelId == null ? 1 : dev.pushrelay.config.StreamSettings.ids(channelId).size();
        if (channels > dev.pushrelay.config.StreamSettings.MAX_CHANNELS
                || channels > 1 && WebSocketSubscriber.wants(exchange)) {
            // nchan's limit; a WebSocket publisher to several channels is not built (protocol.md §14.12)
            Responses.headerOnly(exchange, 403, null);
            return;
        }
        // WebSocket publishers (protocol.md §14.9); a transport the location does not take is
        // 403, as nchan answers
        boolean upgrade = WebSocketSubscriber.wants(exchange);
        if (upgrade ? !location.streams().publishWebSocket() : !location.streams().publishHttp()) {
            Responses.headerOnly(exchange, 403, null);
            return;
        }
        if (upgrade) {
            if (channelId == null) {
                Responses.text(exchange, 404, "No channel id provided.");
            } else {
                WebSocketPublisher.start(exchange, location, brokers.apply(location), ChannelKeys.key(location, channelId),
                        metrics);
            }
            return;
        }
        if (!BodyLimit.admit(exchange, location)) return;
        BodyTimeout.arm(exchange, location);
        BodyReader.Done done = (ex, body) -> afterBody(ex, location, channelId, body);
        var method = exchange.getRequestMethod();
        if (channelId != null && (method.equals(Methods.POST) || method.equals(Methods.PUT))) {
            BodyReader.read(exchange, brokers.apply(location).budget(), done, PublisherEndpoint::bodyFailed);
        } else {
            // The module reads every body first (§3.1); only a publish keeps it.
            BodyReader.drain(exchange, done, PublisherEndpoint::bodyFailed);
        }
    }

    private static void bodyFailed(HttpServerExchange ex, IOException error) {
        if (error instanceof RequestTooBigException) {
            BodyLimit.tooLarge(ex);
        } else if (error instanceof BodyReader.TooLargeToKeep over) {
            // What the module answers once shared memory cannot hold the message (500,
            // protocol.md §6.3), said before the body is read (§9). The unread rest makes the
            // connection unusable.
            ex.setPersistent(false);
            if (ex.isResponseStarted()) {
                ex.endExchange();
            } else {
                Responses.text(ex, 500, "message longer than push_max_reserved_memory (" + over.limit
                        + " bytes): nothing was stored\n");
            }
        } else {
            RequestLog.clientGone(ex); // logged 499, as nginx logs a client that left mid-body
            // A body cut short or garbled (protocol.md §9): nothing is published, and a
            // client still listening must not read success.
            ex.setPersistent(false);
            if (!ex.isResponseStarted()) ex.setStatusCode(400);
            ex.endExchange();
        }
    }

    private void afterBody(HttpServerExchange exchange, LocationSettings location, String channelId, byte[] body) {
        if (channelId == null) {
            Responses.text(exchange, 404, "No channel id provided.");
            return;
        }
        List<String> ids = dev.pushrelay.config.StreamSettings.ids(channelId);
        if (ids.size() > 1) { // several channels (protocol.md §14.12)
            List<String> keys = new java.util.ArrayList<>(ids.size());
            for (String id : ids) keys.add(ChannelKeys.key(location, id));
            MultiPublish.handle(exchange, location, brokers.apply(location), keys, body, metrics,
                    (status, info) -> sendInfo(exchange, status, info));
            return;
        }
        String key = ChannelKeys.key(location, channelId);
        var method = exchange.getRequestMethod();
        if (method.equals(Methods.POST) || method.equals(Methods.PUT)) {
            publish(exchange, location, key, body);
        } else if (method.equals(Methods.GET)) {
            sendInfoOr404(exchange, brokers.apply(location).info(key, location.buffer().channelTimeoutSeconds())
                    .toCompletableFuture());
        } else if (method.equals(Methods.DELETE)) {
            sendInfoOr404(exchange, brokers.apply(location).delete(key).toCompletableFuture());
        } else if (method.equals(Methods.OPTIONS)) {
            Cors.publisherOptions(exchange);
        } else {
            Responses.notAllowed(exchange, Cors.PUBLISHER_METHODS);
        }
    }

    /** §3.1/§3.2: 201 when long-poll subscribers were waiting, else 202; 500 when out of memory. */
    private void publish(HttpServerExchange exchange, LocationSettings location, String key, byte[] body) {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type != null && type.isEmpty()) type = null;
        CompletableFuture<PublishResult> f = brokers.apply(location)
                .publish(key, new MessageDraft(body, type, EventSourceFrames.eventName(exchange)), location.buffer()).toCompletableFuture();
        PublishResult result = Pending.ready(f);
        if (result != null) {
            published(exchange, result);
        } else {
            Pending.later(exchange, f, r -> published(exchange, r));
        }
    }

    private void published(HttpServerExchange exchange, PublishResult result) {
        if (result instanceof PublishResult.Published p) {
            metrics.published();
            sendInfo(exchange, p.waiting() > 0 ? 201 : 202, p.info());
        } else if (result instanceof PublishResult.Rejected r) {
            Responses.refusal(exchange, r.why());
        }
    }

    private static void sendInfoOr404(HttpServerExchange exchange, CompletableFuture<Optional<ChannelInfo>> f) {
        Optional<ChannelInfo> info = Pending.ready(f);
        if (info != null) {
            sendInfoOr404(exchange, info);
        } else {
            Pending.later(exchange, f, i -> sendInfoOr404(exchange, i));
        }
    }

    private static void sendInfoOr404(HttpServerExchange exchange, Optional<ChannelInfo> info) {
        if (info.isPresent()) {
            sendInfo(exchange, 200, info.get());
        } else {
            Responses.headerOnly(exchange, 404, "Not Found");
        }
    }

    private static void sendInfo(HttpServerExchange exchange, int status, ChannelInfo info) {
        ChannelInfoFormat.Choice choice = ChannelInfoFormat.negotiate(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
        byte[] bytes = choice.format().render(info).getBytes(StandardCharsets.US_ASCII);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, choice.contentType());
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }
}
