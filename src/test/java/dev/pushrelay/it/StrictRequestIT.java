package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests read as strictly as nginx 1.22 reads them (protocol.md §9): every malformed head
 * or chunked body gets nginx's status and error page, byte for byte (the Date aside), the
 * connection is closed, and nothing is published, created or left waiting. Each expected
 * answer was taken from Debian's nginx on loopback; {@code clients/NginxDifferentialIT}
 * keeps comparing the two.
 */
class StrictRequestIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    static TestServer server;
    static final AtomicInteger ids = new AtomicInteger();
    String ch;

    @BeforeAll
    static void start() {
        server = TestServer.start(CONF);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void freshChannel() {
        ch = "w" + ids.incrementAndGet();
    }

    /** nginx 1.22.1's page for {@code title}, signature line included, as every error page (§9). */
    static String page(String title) {
        String heading = title.equals("400 Request Header Or Cookie Too Large") // nginx's 494 page
                ? "<center><h1>400 Bad Request</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n"
                : "<center><h1>" + title + "</h1></center>\r\n";
        return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n" + heading
                + "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
    }

    /** The whole answer to a refused request: status line, headers, page; the connection then closed. */
    static String refusal(String statusLine, String title) {
        String page = page(title);
        return statusLine + "\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: " + page.length()
                + "\r\n\r\n" + page;
    }

    static final String BAD_REQUEST = refusal("HTTP/1.1 400 Bad Request", "400 Bad Request");

    /** Sends {@code request}, reads to the close, and returns the answers without their Date lines. */
    static String answer(String request) throws IOException {
        RawSocket.Result r = RawSocket.sendAndRead(server.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(r.closed(), "connection closed after: " + r.text());
        return r.text().replaceAll("Date: [^\r]*\r\n", "");
    }

    String chunked(String body) {
        return "POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    }

    void assertNothingPublished() throws IOException {
        assertEquals(404, server.send(RawHttp.get("/pub?id=" + ch)).status(), "channel " + ch + " never created");
    }

    // ---- chunked bodies -----------------------------------------------------------------------

    @Test
    void s9_a_chunk_size_that_overflows_is_400_and_never_stores_the_framing() throws IOException {
        assertEquals(BAD_REQUEST, answer(chunked("7fffffffffffffff\r\nhello\r\n0\r\n\r\n")));
        assertNothingPublished();
    }

    @Test
    void s9_a_chunked_body_of_only_an_empty_line_is_400() throws IOException {
        // the issue saw no answer from nginx+nchan; Debian's nginx 1.22 answers 400 whether it reads or discards the body
        assertEquals(BAD_REQUEST, answer(chunked("\r\n\r\n")));
        assertNothingPublished();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "-5", "0x5", " 5", "fffffffffffffffffffffffff",
            "5555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555",
            "5\r\nhelloXX0", "5\r\nhello\r\n0\r\n\rX"})
    void s9_a_malformed_chunk_size_or_framing_is_400(String framing) throws IOException {
        assertEquals(BAD_REQUEST, answer(chunked(framing + "\r\nhello\r\n0\r\n\r\n")));
        assertNothingPublished();
    }

    static Stream<Arguments> chunkedFormsNginxAccepts() {
        return Stream.of(
                Arguments.of("5 \r\nhello\r\n0\r\n\r\n"),
                Arguments.of("5;name=value\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("5\nhello\n0\n\n"),
                Arguments.of("0000000000000000005\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("2\r\nhe\r\n3\r\nllo\r\n0;last\r\nX-Trailer: t\r\n\r\n"));
    }

    @ParameterizedTest
    @MethodSource("chunkedFormsNginxAccepts")
    void s9_chunked_forms_nginx_accepts_publish_exactly_the_decoded_bytes(String body) throws IOException {
        RawResponse r = RawHttp.exchange(server.port(), chunked(body));
        assertEquals(202, r.status(), r.toString());
        RawResponse m = server.send(RawHttp.get("/sub?id=" + ch));
        assertEquals("hello", m.text());
    }

    // ---- request line and headers -------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "get /sub?id=%s HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: x\r\n: novalue\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\n Host: x\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\rHost: x\r\r",
            "GET /sub?id=%s HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /sub?id=%s HTTP/1.1\r\nHost: a/b\r\n\r\n",
            "G3T /sub?id=%s HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET\t/sub?id=%s HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET sub?id=%s HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=%s HTTP/0.9\r\nHost: x\r\n\r\n",
    })
    void s9_a_head_nginx_refuses_is_400_with_its_page_and_nothing_waits(String request) throws IOException {
        assertEquals(BAD_REQUEST, answer(String.format(request, ch)));
        assertEquals(0, server.server().store().stats().subscribers(), "no subscriber counted");
    }

    @ParameterizedTest
    @ValueSource(ints = {33 * 1024, 64 * 1024})
    void s9_a_long_request_line_is_414(int length) throws IOException {
        String target = "/sub?id=" + ch + "&pad=" + "a".repeat(length);
        assertEquals(refusal("HTTP/1.1 414 Request-URI Too Large", "414 Request-URI Too Large"),
                answer("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void s9_a_long_header_line_is_400_request_header_or_cookie_too_large() throws IOException {
        assertEquals(refusal("HTTP/1.1 400 Bad Request", "400 Request Header Or Cookie Too Large"),
                answer("GET /sub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nX-A: " + "b".repeat(9000) + "\r\n\r\n"));
    }

    @Test
    void s9_a_refused_head_request_gets_the_page_headers_without_the_page() throws IOException {
        // as nginx: Content-Length is the page's, the page is not sent
        assertEquals(BAD_REQUEST.substring(0, BAD_REQUEST.indexOf("\r\n\r\n") + 4),
                answer("HEAD /sub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n"));
    }

    // ---- framing and smuggling ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "Content-Length: +5\r\n\r\nhello",
            "Content-Length: 5 5\r\n\r\nhello",
    })
    void s9_ambiguous_framing_is_400_and_publishes_nothing(String headers) throws IOException {
        assertEquals(BAD_REQUEST, answer("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\n" + headers));
        assertNothingPublished();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip, chunked", "chunked, gzip", "identity"})
    void s9_a_transfer_encoding_other_than_chunked_is_501(String coding) throws IOException {
        assertEquals(refusal("HTTP/1.1 501 Not Implemented", "501 Not Implemented"),
                answer(chunked("").replace("chunked\r\n", coding + "\r\n") + "5\r\nhello\r\n0\r\n\r\n"));
        assertNothingPublished();
    }

    @Test
    void s9_transfer_encoding_on_http_1_0_is_400() throws IOException {
        assertEquals(BAD_REQUEST, answer("POST /pub?id=" + ch + " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        assertNothingPublished();
    }

    @Test
    void s9_http_2_is_505() throws IOException {
        assertEquals(refusal("HTTP/1.1 505 HTTP Version Not Supported", "505 HTTP Version Not Supported"),
                answer("GET /sub?id=" + ch + " HTTP/2.0\r\nHost: x\r\n\r\n"));
    }

    @Test
    void s9_a_valid_request_pipelined_before_a_refused_one_is_answered_first() throws IOException {
        String request = "POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
                + "GET /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n";
        String got = answer(request);
        assertTrue(got.startsWith("HTTP/1.1 202 Accepted\r\n"), got);
        assertTrue(got.endsWith("active subscribers: 0" + BAD_REQUEST), got);
        assertEquals("ok", server.send(RawHttp.get("/sub?id=" + ch)).text());
    }

    @Test
    void s9_a_head_that_arrives_byte_by_byte_is_served() throws IOException {
        String request = "POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
        try (RawSocket s = new RawSocket(server.port())) {
            for (byte b : request.getBytes(StandardCharsets.ISO_8859_1)) s.send(new byte[] {b});
            s.halfClose();
            String got = s.readToClose(10_000).text();
            assertTrue(got.startsWith("HTTP/1.1 202 Accepted\r\n"), got);
        }
        assertEquals("hello", server.send(RawHttp.get("/sub?id=" + ch)).text());
    }

    // ---- what nginx's core answers before the module runs (issue 14) ----------------------

    @Test
    void s9_trace_is_405_without_allow() throws IOException {
        assertEquals(refusal("HTTP/1.1 405 Not Allowed", "405 Not Allowed"),
                answer("TRACE /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void s9_http_1_1_without_host_is_400_with_the_page() throws IOException {
        assertEquals(BAD_REQUEST, answer("GET /pub?id=" + ch + " HTTP/1.1\r\n\r\n"));
    }
}
