package dev.pushrelay.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The JVM-property defaults of protocol.md §9 read nginx's sizes and times as the configuration does. */
class ClientLimitsTest {

    @Test
    void s9_properties_take_every_nginx_time_and_size_the_configuration_takes() {
        ClientLimits l = ClientLimits.from(Map.of(
                "pushrelay.client_header_timeout", "1h30m",
                "pushrelay.client_body_timeout", "500ms",
                "pushrelay.large_client_header_buffer", "16k",
                "pushrelay.client_header_max", "1M")::get);
        assertEquals(5_400_000, l.headerTimeoutMs());
        assertEquals(500, l.bodyTimeoutMs());
        assertEquals(16 * 1024, l.lineBytes());
        assertEquals(1024 * 1024, l.headerBytes());
        assertEquals(ClientLimits.NGINX.maxHeaders(), l.maxHeaders());
    }

    @Test
    void s9_an_unset_property_keeps_nginx_s_default_and_a_bad_one_is_refused() {
        assertEquals(ClientLimits.NGINX, ClientLimits.from(k -> null));
        assertThrows(IllegalArgumentException.class,
                () -> ClientLimits.from(Map.of("pushrelay.client_body_timeout", "soon")::get));
    }
}
