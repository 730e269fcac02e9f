package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.config.AccessPolicy;
import dev.pushrelay.config.Endpoint;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.PollMode;
import dev.pushrelay.config.StreamSettings;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The requests the lean path answers itself (protocol.md §12, "The lean path"): what
 * {@link PushHandler} and {@link SubscriberEndpoint} do for a plain long-poll on the
 * in-memory store, without an Undertow exchange. {@link #serve} takes a request only when
 * every branch today's handlers would take is the plain one; otherwise it answers false,
 * having changed nothing, and the connection goes to Undertow, whose answer (every refusal
 * and error page among them) stays the one and only source of those bytes.
 */
public final class LeanService {

    private final Supplier<Router> router;
    private final Function<LocationSettings, Broker> brokers;
    private final ChannelStore store;
    private final PushMetrics metrics;
    private final GracefulStop drain;
    private final RequestsInFlight requests;
    private final IoMailboxes mailboxes = new IoMailboxes();
    private final LeanHeads heads;
    private final LeanAnswers answers = new LeanAnswers();

    public LeanService(Supplier<Router> router, Function<LocationSettings, Broker> brokers, ChannelStore store,
                       PushMetrics metrics, GracefulStop drain, RequestsInFlight requests) {
        this.router = router;
        this.brokers = brokers;
        this.store = store;
        this.metrics = metrics;
        this.drain = drain;
        this.requests = requests;
        this.heads = new LeanHeads();
    }

    /**
     * Answers (or parks) {@code request} if it is in the lean subset.
     *
     * @return false when it is not: nothing was changed or sent, Undertow takes the request
     */
    public boolean serve(LeanExchange request) {
        String method = request.method();
        boolean get = "GET".equals(method);
        if (!get && !"POST".equals(method) && !"PUT".equals(method)) return false;
        if (get ? request.contentLength() >= 0 : request.contentLength() < 0) return false;
        if (drain.isDraining()) return false; // a stop's Connection: close answers are Undertow's
        Router routing = router.get();
        // the access log's lines are RequestLog's; a rewrite_log line must not be written twice
        if (routing.accessLogged() || !routing.quiet()) return false;
        if (!plainSubscriberRequest(request)) return false;
        RouteMatch match = routing.route(request);
        LocationSettings location = match.location();
        if (!get) return publish(request, match, location);
        if (location != null && location.endpoint() == Endpoint.PUBLISHER) return channelInfo(request, match, location);
        if (!leanLongPoll(match, location)) return false;
        String channelId = match.channelId();
        if (channelId == null || StreamSettings.ids(channelId).size() != 1) return false;
        String args = request.args();
        // cursor tokens (§14.1) are Undertow's query parsing: not lean
        if (args.contains("last_event_id") || args.contains("cursor")) return false;
        if (!requests.enter()) return false; // stopping: Undertow's 503
        String key = ChannelKeys.key(location, channelId);
        Cursor position = CursorHeaders.cursor(request.header("If-Modified-Since"), request.header("If-None-Match"));
        return longPoll(request, location, key, position);
    }

    /**
     * PublisherEndpoint's POST/PUT of one channel (protocol.md §3.1, §3.2) whose body is all
     * here: 201 when long-poll subscribers were waiting, else 202, with the channel info.
     */
    private boolean publish(LeanExchange request, RouteMatch match, LocationSettings location) {
        long startNanos = System.nanoTime();
        if (location == null || match.response() != null || match.uri() != null
                || location.endpoint() != Endpoint.PUBLISHER || !plainLocation(location)
                || !location.streams().publishHttp()) {
            return false;
        }
        long max = location.clientMaxBodySize();
        if (max > 0 && request.contentLength() > max) return false; // Undertow's 413
        String channelId = match.channelId();
        if (channelId == null || StreamSettings.ids(channelId).size() != 1) return false;
        Broker broker = brokers.apply(location);
        if (request.contentLength() > broker.budget()) return false; // BodyReader's 500
        if (!requests.enter()) return false;
        String type = request.header("Content-Type");
        if (type != null && type.isEmpty()) type = null;
        String event = request.header("X-EventSource-Event");
        event = event == null || event.isBlank() ? null : event.strip();
        byte[] body = request.body();
        CompletableFuture<PublishResult> f = broker.publish(ChannelKeys.key(location, channelId),
                new MessageDraft(body, type, event), location.buffer()).toCompletableFuture();
        PublishResult result = Pending.ready(f);
        if (result instanceof PublishResult.Published p) {
            published(request, ChannelInfoFormat.negotiate(request.header("Accept")), p, startNanos);
            return true;
        }
        if (result == null && location.redis() != null) {
            // Redis answers later, on this IO thread (its own connection) or another: the
            // connection waits without reading; every answer PublisherEndpoint would give
            // then is written here, so the request is never handed to Undertow to run twice
            ChannelInfoFormat.Choice choice = ChannelInfoFormat.negotiate(request.header("Accept"));
            f.whenComplete((r, e) -> mailboxes.run(request.ioThread(), () -> {
                if (e != null) {
                    int status = brokerFailed(request, e);
                    metrics.publishAnswered(status, System.nanoTime() - startNanos);
                } else if (r instanceof PublishResult.Published p) {
                    published(request, choice, p, startNanos);
                } else {
                    metrics.publishAnswered(500, System.nanoTime() - startNanos);
                    refusal(request, ((PublishResult.Rejected) r).why());
                }
            }));
            return true;
        }
        // rejected (nothing stored; Undertow answers it as if it came now), or not ready (not the in-memory store)
        finished();
        if (result == null) throw new IllegalStateException("in-memory publish not ready");
        return false;
    }

    /**
     * PublisherEndpoint's GET of one channel (protocol.md §3.4): 200 with its info, or a
     * header-only 404 when there is no such channel. Monitoring and load generators poll it
     * between publishes; on Undertow's path each poll cost an exchange and its own compiled code.
     */
    private boolean channelInfo(LeanExchange request, RouteMatch match, LocationSettings location) {
        if (match.response() != null || match.uri() != null || !plainLocation(location)
                || !location.streams().publishHttp()) {
            return false;
        }
        String channelId = match.channelId();
        if (channelId == null || StreamSettings.ids(channelId).size() != 1) return false;
        if (!requests.enter()) return false;
        ChannelInfoFormat.Choice choice = ChannelInfoFormat.negotiate(request.header("Accept"));
        CompletableFuture<Optional<ChannelInfo>> f = brokers.apply(location)
                .info(ChannelKeys.key(location, channelId), location.buffer().channelTimeoutSeconds())
                .toCompletableFuture();
        Optional<ChannelInfo> info = Pending.ready(f);
        if (info != null) {
            infoAnswered(request, choice, info);
        } else { // Redis: answered later on this connection's IO thread, as a publish is
            f.whenComplete((r, e) -> mailboxes.run(request.ioThread(), () -> {
                if (e != null) brokerFailed(request, e);
                else infoAnswered(request, choice, r);
            }));
        }
        return true;
    }

    private void infoAnswered(LeanExchange request, ChannelInfoFormat.Choice choice, Optional<ChannelInfo> info) {
        boolean persistent = request.keepAlive();
        if (info.isEmpty()) {
            headerOnly(request, LeanHeads.NOT_FOUND_404, persistent);
            return;
        }
        ByteBuffer[] answer = answers.channelInfo(LeanHeads.OK_200, choice, LeanHeads.connection(request, persistent),
                heads.dateLine(request.ioThread()), info.get());
        finished();
        request.answer(answer, persistent);
    }

    /** §3.1/§3.2: 201 when long-poll subscribers were waiting (on any node), else 202, with the channel info. */
    private void published(LeanExchange request, ChannelInfoFormat.Choice choice, PublishResult.Published p,
                           long startNanos) {
        metrics.published();
        int status = p.waiting() > 0 ? 201 : 202;
        boolean persistent = request.keepAlive();
        ByteBuffer[] answer = answers.channelInfo(status == 201 ? LeanHeads.CREATED_201 : LeanHeads.ACCEPTED_202,
                choice, LeanHeads.connection(request, persistent), heads.dateLine(request.ioThread()), p.info());
        metrics.publishAnswered(status, System.nanoTime() - startNanos);
        finished();
        request.answer(answer, persistent);
    }

    /**
     * Pending.failed's answers to a broker that failed (protocol.md §13): 503 with
     * Retry-After while Redis is away, else nginx's 500 page. Returns the status.
     */
    private int brokerFailed(LeanExchange request, Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof dev.pushrelay.store.BrokerUnavailableException) {
            page(request, 503, Pending.RETRY_AFTER_LINE);
            return 503;
        }
        Pending.logFailure(request.method() + " " + request.requestUri(), cause);
        page(request, 500, null);
        return 500;
    }

    /** Responses.errorPage's answer: nginx's page for {@code status}, {@code extra} (a header line) first. */
    private void page(LeanExchange request, int status, byte[] extra) {
        byte[] page = Responses.page(status);
        text(request, status, extra, "text/html", page);
    }

    /** Responses.text's answer (and the page's): status, Connection, extra, Content-Type, Content-Length, Date, body. */
    private void text(LeanExchange request, int status, byte[] extra, String type, byte[] body) {
        boolean persistent = request.keepAlive();
        ByteBuffer[] parts = new ByteBuffer[] {
                ByteBuffer.wrap(LeanHeads.ascii("HTTP/1.1 " + status + " " + Responses.reason(status) + "\r\n")),
                ByteBuffer.wrap(LeanHeads.connection(request, persistent)),
                ByteBuffer.wrap(extra == null ? new byte[0] : extra),
                ByteBuffer.wrap(LeanHeads.ascii("Content-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n")),
                ByteBuffer.wrap(heads.dateLine(request.ioThread())), ByteBuffer.wrap(body)};
        finished();
        request.answer(answers.gather(parts), persistent);
    }

    /**
     * A location that adds nothing of nginx's to a push answer, served from memory or from
     * Redis (whose answers come later, on the connection's IO thread).
     */
    private static boolean plainLocation(LocationSettings location) {
        return location.accessPolicy() == AccessPolicy.NONE && location.tryFiles() == null
                && !location.gzip() && location.addHeaders().isEmpty() && location.keepaliveTimeoutSeconds() != 0
                && location.accessLogs().isEmpty();
    }

    /** No header that would take SubscriberEndpoint off the plain long-poll (§14.2, §14.6, §14.11). */
    private static boolean plainSubscriberRequest(LeanExchange request) {
        if (request.header("Upgrade") != null || request.header("TE") != null) return false;
        String accept = request.header("Accept");
        if (accept != null) {
            String a = accept.toLowerCase(Locale.ROOT);
            if (a.contains("event-stream") || a.contains("multipart")) return false;
        }
        return true;
    }

    /** The location is a plain in-memory long-poll location that adds nothing of nginx's to the answer. */
    private static boolean leanLongPoll(RouteMatch match, LocationSettings location) {
        return location != null && match.response() == null && match.uri() == null
                && location.endpoint() == Endpoint.SUBSCRIBER && location.pollMode() == PollMode.LONG_POLL
                && plainLocation(location) && location.streams().servesPolls() && !location.streams().gapHeader()
                && (location.redis() == null || !countedFirstMessage(location));
    }

    /**
     * nchan_subscriber_first_message N (neither oldest nor newest): on Redis, a poll without a
     * cursor asks Redis where the Nth message is first (LaterStore.withFacts, §14.7).
     */
    private static boolean countedFirstMessage(LocationSettings location) {
        int nth = location.streams().firstMessage();
        return nth != StreamSettings.OLDEST && nth != StreamSettings.NEWEST;
    }

    /** SubscriberEndpoint.longPoll (§4.3). */
    private boolean longPoll(LeanExchange request, LocationSettings location, String key, Cursor position) {
        boolean ignoreQueue = location.ignoreQueueOnNoCache() && disallowsCaching(request)
                || location.streams().firstNewest() && position.equals(Cursor.OLDEST);
        Cursor after = position;
        if (position.equals(Cursor.OLDEST)) { // nchan_subscriber_first_message N, §14.7
            after = StreamCursor.starts(new StreamCursor.Requested(new Cursor[] {position}, false, null), location,
                    store, List.of(key))[0];
        }
        Broker broker = brokers.apply(location);
        LeanWaiter waiter = new LeanWaiter(request, this);
        CompletableFuture<Fetch> f = broker.subscribe(key, after, location.subscribe(), ignoreQueue, waiter)
                .toCompletableFuture();
        Fetch fetch = Pending.ready(f);
        if (fetch instanceof Fetch.Refused refused && !headerOnlyRefusal(refused)) {
            // nginx's page for it is Undertow's to write: the refusal changed nothing, so
            // Undertow takes the request as if it came now (§4.6)
            finished();
            return false;
        }
        if (fetch != null) {
            longPolled(request, location, waiter, fetch);
        } else {
            f.whenComplete((r, e) -> mailboxes.run(request.ioThread(), () -> {
                if (e != null) brokerFailed(request, e); // Redis (the in-memory store does not fail)
                else longPolled(request, location, waiter, r);
            }));
        }
        return true;
    }

    private static boolean headerOnlyRefusal(Fetch.Refused refused) {
        return switch (refused.why()) {
            case CONFLICT, GONE, TOO_MANY_SUBSCRIBERS -> true;
            default -> false;
        };
    }

    private void longPolled(LeanExchange request, LocationSettings location, LeanWaiter waiter, Fetch fetch) {
        if (fetch instanceof Fetch.Found found) {
            metrics.delivered();
            sendMessage(request, found.message());
        } else if (fetch instanceof Fetch.Waiting waiting) {
            waiter.park(waiting.subscription(), location.subscriberTimeoutSeconds());
        } else if (fetch instanceof Fetch.Refused refused) {
            refusal(request, refused);
        } else {
            throw new IllegalStateException("long-poll got " + fetch);
        }
    }

    /** Responses.refusal's header-only answers; the others are pages the lean path does not write. */
    private void refusal(LeanExchange request, Fetch.Refused refused) {
        switch (refused.why()) {
            case CONFLICT -> headerOnly(request, LeanHeads.CONFLICT_409, request.keepAlive());
            case GONE -> headerOnly(request, LeanHeads.GONE_410, request.keepAlive());
            case TOO_MANY_SUBSCRIBERS -> headerOnly(request, LeanHeads.FORBIDDEN_403, request.keepAlive());
            default -> refusal(request, refused.why()); // Redis's, which come after serve() returned
        }
    }

    /** Responses.refusal's answers with a body (a Redis refusal arrives after the request was taken). */
    private void refusal(LeanExchange request, dev.pushrelay.channel.Refusal why) {
        switch (why) {
            case NO_SUCH_CHANNEL -> page(request, 403, null);
            case OUT_OF_MEMORY -> text(request, 500, null, "text/plain",
                    Responses.OUT_OF_MEMORY_TEXT.getBytes(StandardCharsets.UTF_8));
            case CONFLICT -> headerOnly(request, LeanHeads.CONFLICT_409, request.keepAlive());
            case GONE -> headerOnly(request, LeanHeads.GONE_410, request.keepAlive());
            case TOO_MANY_SUBSCRIBERS -> headerOnly(request, LeanHeads.FORBIDDEN_403, request.keepAlive());
        }
    }

    /** §4.7, as SubscriberEndpoint.disallowsCaching. */
    private static boolean disallowsCaching(LeanExchange request) {
        String v = request.header("Cache-Control");
        if (v == null) v = request.header("Pragma");
        return v != null && v.length() <= 8 && "no-cache".regionMatches(true, 0, v, 0, v.length());
    }

    /**
     * A 200 carrying {@code m} (§4.4): its shared pre-encoded headers, then its body, encoded
     * once per message on each IO thread for all the long-polls it wakes there (LeanAnswers).
     */
    void sendMessage(LeanExchange request, Message m) {
        boolean persistent = request.keepAlive();
        byte[] connection = LeanHeads.connection(request, persistent);
        byte[] headers = MessageResponse.leanHeaders(m);
        byte[] date = heads.dateLine(request.ioThread());
        ByteBuffer[] parts = answers.message(m, headers, connection, date);
        if (parts == null) {
            parts = new ByteBuffer[] {ByteBuffer.wrap(LeanHeads.OK_200), ByteBuffer.wrap(connection),
                    ByteBuffer.wrap(headers), ByteBuffer.wrap(date), m.body()};
        }
        finished();
        request.answer(parts, persistent);
    }

    /** A header-only answer with Content-Length: 0. */
    void headerOnly(LeanExchange request, byte[] status, boolean persistent) {
        ByteBuffer[] parts = answers.gather(heads.headerOnly(status, request, persistent));
        finished();
        request.answer(parts, persistent);
    }

    /** The request is over for the graceful stop's count (answered, or its client left). */
    void finished() {
        requests.leave();
    }

    GracefulStop drain() {
        return drain;
    }

    PushMetrics metrics() {
        return metrics;
    }

    IoMailboxes mailboxes() {
        return mailboxes;
    }
}
