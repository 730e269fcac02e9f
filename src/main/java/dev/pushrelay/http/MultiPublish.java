package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A publisher location whose channel id names several channels (protocol.md §14.12), as
 * nchan's: a POST or PUT publishes the body to each channel, in the order named, each an
 * ordinary publish (§3.2); a DELETE deletes each; a GET is 404 (nchan has no info of
 * several channels). The answer sums the channels as nchan does: the most messages any
 * holds, the most recent request, the subscribers of all; 201 when any had subscribers.
 */
final class MultiPublish {

    private MultiPublish() {
    }

    /** After the body was read; {@code keys} are the channels' store keys, in order. */
    static void handle(HttpServerExchange exchange, LocationSettings location, Broker broker, List<String> keys,
                       byte[] body, PushMetrics metrics, BiConsumer<Integer, ChannelInfo> answer) {
        var method = exchange.getRequestMethod();
        if (method.equals(Methods.POST) || method.equals(Methods.PUT)) {
            String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            if (type != null && type.isEmpty()) type = null;
            MessageDraft draft = new MessageDraft(body, type, EventSourceFrames.eventName(exchange));
            publish(exchange, location, broker, keys, 0, draft, metrics, null, false, answer);
        } else if (method.equals(Methods.DELETE)) {
            delete(exchange, broker, keys, 0, null, answer);
        } else if (method.equals(Methods.GET)) {
            Responses.headerOnly(exchange, 404, null);
        } else if (method.equals(Methods.OPTIONS)) {
            Cors.publisherOptions(exchange);
        } else {
            Responses.notAllowed(exchange, Cors.PUBLISHER_METHODS);
        }
    }

    /** Publishes to channel {@code i} and, once it has answered, to the next: the order named. */
    private static void publish(HttpServerExchange exchange, LocationSettings location, Broker broker,
                                List<String> keys, int i, MessageDraft draft, PushMetrics metrics, ChannelInfo sum,
                                boolean received, BiConsumer<Integer, ChannelInfo> answer) {
        if (i == keys.size()) {
            answer.accept(received ? 201 : 202, sum);
            return;
        }
        CompletableFuture<PublishResult> f = broker.publish(keys.get(i), draft, location.buffer()).toCompletableFuture();
        java.util.function.Consumer<PublishResult> next = r -> {
            if (r instanceof PublishResult.Published p) {
                metrics.published();
                publish(exchange, location, broker, keys, i + 1, draft, metrics, add(sum, p.info()),
                        received || p.waiting() > 0, answer);
            } else {
                // the channels before it have it, as with nchan; the publisher learns it failed
                Responses.refusal(exchange, ((PublishResult.Rejected) r).why());
            }
        };
        PublishResult r = Pending.ready(f);
        if (r != null) {
            next.accept(r);
        } else {
            Pending.later(exchange, f, next);
        }
    }

    private static void delete(HttpServerExchange exchange, Broker broker, List<String> keys, int i, ChannelInfo sum,
                               BiConsumer<Integer, ChannelInfo> answer) {
        if (i == keys.size()) {
            if (sum == null) {
                Responses.headerOnly(exchange, 404, "Not Found");
            } else {
                answer.accept(200, sum);
            }
            return;
        }
        CompletableFuture<Optional<ChannelInfo>> f = broker.delete(keys.get(i)).toCompletableFuture();
        java.util.function.Consumer<Optional<ChannelInfo>> next =
                info -> delete(exchange, broker, keys, i + 1, info.map(x -> add(sum, x)).orElse(sum), answer);
        Optional<ChannelInfo> info = Pending.ready(f);
        if (info != null) {
            next.accept(info);
        } else {
            Pending.later(exchange, f, next);
        }
    }

    /** nchan's sum of channel infos: the most messages, the latest request, all subscribers. */
    static ChannelInfo add(ChannelInfo sum, ChannelInfo c) {
        if (sum == null) return c;
        long a = sum.requestedSecondsAgo();
        long b = c.requestedSecondsAgo(); // -1: never requested
        return new ChannelInfo(Math.max(sum.messages(), c.messages()), a < 0 ? b : b < 0 ? a : Math.min(a, b),
                sum.subscribers() + c.subscribers());
    }
}
