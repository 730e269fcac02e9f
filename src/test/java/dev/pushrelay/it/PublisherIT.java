package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §3: the publisher endpoint, every row of the method table (§3.1) over real HTTP. */
class PublisherIT {

    @RegisterExtension
    final ServerExtension server = ServerExtension.perTest(Confs.SEED);

    @Test
    void s3_1_post_without_waiting_subscribers_is_202_with_channel_info() throws IOException {
        RawResponse r = server.send(post("/publish?id=a", "hi"));
        assertEquals("HTTP/1.1 202 Accepted", r.statusLine());
        assertEquals("text/plain", r.header("Content-Type"));
        assertEquals("queued messages: 1\r\nlast requested: 0 sec. ago (-1=never)\r\nactive subscribers: 0", r.text());
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
    }

    @Test
    void s3_1_post_with_a_waiting_subscriber_is_201_and_delivers() throws IOException {
        try (RawHttp sub = server.open(get("/activity?id=a"))) {
            server.awaitSubscribers("/publish?id=a", 1);
            RawResponse p = server.send(post("/publish?id=a", "hello", "Content-Type: text/foo; charset=utf-8"));
            assertEquals("HTTP/1.1 201 Created", p.statusLine());
            assertEquals("queued messages: 1\r\nlast requested: 0 sec. ago (-1=never)\r\nactive subscribers: 0", p.text());
            RawResponse m = sub.read();
            assertEquals(200, m.status());
            assertEquals("hello", m.text());
            assertEquals("text/foo; charset=utf-8", m.header("Content-Type"));
        }
    }

    @Test
    void s3_1_put_publishes_like_post() throws IOException {
        RawResponse r = server.send(request("PUT", "/publish?id=a", "x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(202, r.status());
        assertEquals("x", server.send(get("/activity?id=a")).text());
        assertEquals(202, server.send(request("PUT", "/publish?id=b", null)).status());
    }

    @Test
    void s3_2_empty_post_publishes_an_empty_message() throws IOException {
        assertEquals(202, server.send(request("POST", "/publish?id=a", null)).status());
        RawResponse m = server.send(get("/activity?id=a"));
        assertEquals(200, m.status());
        assertEquals("0", m.header("Content-Length"));
        assertNull(m.header("Content-Type"), "no Content-Type when the publisher sent none");
    }

    @Test
    void s3_1_get_existing_channel_is_200_info_and_missing_is_bare_404() throws IOException {
        RawResponse missing = server.send(get("/publish?id=nope"));
        assertEquals("HTTP/1.1 404 Not Found", missing.statusLine());
        assertEquals("0", missing.header("Content-Length"));
        assertNull(missing.header("Content-Type"));
        server.send(post("/publish?id=a", "1"));
        server.send(post("/publish?id=a", "2"));
        RawResponse info = server.send(get("/publish?id=a", "Accept: text/json"));
        assertEquals(200, info.status());
        assertEquals("text/json", info.header("Content-Type"));
        assertEquals("{\"messages\": 2, \"requested\": 0, \"subscribers\": 0 }", info.text());
    }

    @Test
    void s3_4_channel_info_in_xml_and_yaml_bodies_byte_for_byte() throws IOException {
        server.send(post("/publish?id=a", "1"));
        RawResponse xml = server.send(get("/publish?id=a", "Accept: application/xml"));
        assertEquals("application/xml", xml.header("Content-Type"));
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\r\n<channel>\r\n  <messages>1</messages>\r\n"
                + "  <requested>0</requested>\r\n  <subscribers>0</subscribers>\r\n</channel>", xml.text());
        for (String type : new String[] {"text/yaml", "application/yaml", "application/x-yaml"}) {
            RawResponse yaml = server.send(get("/publish?id=a", "Accept: " + type));
            assertEquals("---\r\nmessages: 1\r\nrequested: 0\r\nsubscribers: 0\r\n\r\n", yaml.text());
            assertEquals(type, yaml.header("Content-Type"));
        }
    }

    @Test
    void s3_4_requested_counts_seconds_since_a_subscriber_asked() throws IOException {
        server.send(post("/publish?id=a", "1"));
        server.send(get("/activity?id=a"));
        server.clock().advanceSeconds(7);
        assertEquals("{\"messages\": 1, \"requested\": 7, \"subscribers\": 0 }",
                server.send(get("/publish?id=a", "Accept: application/json")).text());
    }

    @Test
    void s3_3_delete_answers_info_as_it_was_and_waiting_subscribers_get_410() throws IOException {
        server.send(post("/publish?id=a", "old"));
        RawResponse first = server.send(get("/activity?id=a"));
        try (RawHttp s1 = server.open(get("/activity?id=a", "If-Modified-Since: " + first.header("Last-Modified"),
                "If-None-Match: " + first.header("Etag")));
             RawHttp s2 = server.open(get("/activity?id=a", "If-Modified-Since: " + first.header("Last-Modified"),
                     "If-None-Match: " + first.header("Etag")))) {
            server.awaitSubscribers("/publish?id=a", 2);
            RawResponse d = server.send(request("DELETE", "/publish?id=a", null, "Accept: text/json"));
            assertEquals(200, d.status());
            assertEquals("{\"messages\": 1, \"requested\": 0, \"subscribers\": 2 }", d.text());
            for (RawHttp s : new RawHttp[] {s1, s2}) {
                RawResponse gone = s.read();
                assertEquals("HTTP/1.1 410 Gone", gone.statusLine());
                assertEquals("0", gone.header("Content-Length"));
            }
        }
        assertEquals(404, server.send(get("/publish?id=a")).status());
        RawResponse again = server.send(request("DELETE", "/publish?id=a", null));
        assertEquals("HTTP/1.1 404 Not Found", again.statusLine());
        assertEquals("0", again.header("Content-Length"));
    }

    @Test
    void s3_1_options_is_200_with_cors_headers_and_no_lookup() throws IOException {
        RawResponse r = server.send(request("OPTIONS", "/publish?id=never", null));
        assertEquals("HTTP/1.1 200 OK", r.statusLine());
        assertEquals("*", r.header("Access-Control-Allow-Origin"));
        assertEquals("Content-Type, Origin", r.header("Access-Control-Allow-Headers"));
        assertEquals("GET, POST, PUT, DELETE, OPTIONS", r.header("Access-Control-Allow-Methods"));
        assertEquals("0", r.header("Content-Length"));
        assertEquals(404, server.send(get("/publish?id=never")).status(), "OPTIONS must not create the channel");
    }

    @Test
    void s3_1_other_methods_are_405_with_the_exact_allow_list() throws IOException {
        for (String method : new String[] {"PATCH", "HEAD"}) {
            RawResponse r = server.send(request(method, "/publish?id=a", null));
            assertEquals("HTTP/1.1 405 Not Allowed", r.statusLine(), method);
            assertEquals("GET, POST, PUT, DELETE, OPTIONS", r.header("Allow"), method);
        }
        RawResponse patch = server.send(request("PATCH", "/publish?id=a", null));
        assertEquals("text/html", patch.header("Content-Type"));
        assertEquals(true, patch.text().contains("<h1>405 Not Allowed</h1>"));
        assertEquals(404, server.send(get("/publish?id=a")).status(), "a refused method changes nothing");
    }

    @Test
    void s1_missing_or_empty_channel_id_is_404_with_the_module_text() throws IOException {
        for (String target : new String[] {"/publish", "/publish?id=", "/publish?other=1"}) {
            for (String method : new String[] {"POST", "GET", "DELETE", "OPTIONS", "PATCH"}) {
                RawResponse r = server.send(request(method, target, null));
                assertEquals("HTTP/1.1 404 Not Found", r.statusLine(), method + " " + target);
                assertEquals("text/plain", r.header("Content-Type"));
                assertEquals("23", r.header("Content-Length"));
                assertEquals("No channel id provided.", r.text());
            }
        }
    }

    @Test
    void s3_2_content_type_is_kept_verbatim_and_large_bodies_intact() throws IOException {
        byte[] body = new byte[950 * 1024];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31);
        RawResponse p = server.send(request("POST", "/publish?id=big", body, "Content-Type: application/octet-stream; x=\"1\""));
        assertEquals(202, p.status());
        RawResponse m = server.send(get("/activity?id=big"));
        assertArrayEquals(body, m.body());
        assertEquals("application/octet-stream; x=\"1\"", m.header("Content-Type"));
    }

    @Test
    void s3_1_body_over_client_max_body_size_is_413_and_publishes_nothing() throws IOException {
        // Declared length over the limit: refused before the body is read, so the client
        // need not send it (sending it would race the server's close).
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST /publish?id=a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048577\r\n\r\n");
            RawResponse r = c.read();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", r.statusLine());
            assertTrue(c.closedByServer(5000), "the unread body makes the connection unusable");
        }
        assertEquals(404, server.send(get("/publish?id=a")).status());
        assertEquals(202, server.send(request("POST", "/publish?id=a", new byte[1024 * 1024])).status());
    }

    @Test
    void s1_channel_ids_are_raw_and_long_ids_are_truncated_not_lost() throws IOException {
        String id = "x".repeat(300);
        server.send(post("/publish?id=" + id, "long"));
        assertEquals("long", server.send(get("/activity?id=" + id)).text(), "no key-length-mod-256 bug");
        server.send(post("/publish?id=a%20b", "raw"));
        assertEquals(404, server.send(get("/publish?id=a+b")).status(), "ids are not URL-decoded");
        assertEquals(200, server.send(get("/publish?id=a%20b")).status());
    }
}
