package dev.pushrelay.websocket;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14.10: one compressed payload per message, and the offers taken or declined. */
class PerMessageDeflateTest {

    private static byte[] inflate(ByteBuffer z) throws Exception {
        Inflater inf = new Inflater(true);
        byte[] in = new byte[z.remaining() + 4];
        z.duplicate().get(in, 0, z.remaining());
        in[in.length - 2] = -1;
        in[in.length - 1] = -1;
        inf.setInput(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        while ((n = inf.inflate(b)) > 0) out.write(b, 0, n);
        inf.end();
        return out.toByteArray();
    }

    @Test
    void bodies_of_every_size_come_back_whole() throws Exception {
        Random r = new Random(7);
        for (int n : new int[] {40, 1000, 65_536, 70_000, 300_000}) {
            byte[] body = new byte[n];
            for (int i = 0; i < n; i++) body[i] = (byte) ("abcdefgh ".charAt(r.nextInt(9)));
            ByteBuffer z = PerMessageDeflate.compress(ByteBuffer.wrap(body));
            assertTrue(z != null && z.remaining() < n, "shorter: " + n);
            assertArrayEquals(body, inflate(z), "size " + n);
        }
        byte[] noise = new byte[200];
        r.nextBytes(noise);
        assertNull(PerMessageDeflate.compress(ByteBuffer.wrap(noise)), "not shorter: sent plain");
        assertNull(PerMessageDeflate.compress(ByteBuffer.allocate(0)));
    }

    @Test
    void offers() {
        assertEquals("permessage-deflate; server_no_context_takeover",
                PerMessageDeflate.negotiate(List.of("permessage-deflate; client_max_window_bits")).response());
        assertEquals(1 << 9, PerMessageDeflate.negotiate(List.of("x-webkit-deflate-frame", "permessage-deflate; server_max_window_bits=9")).largest());
        assertNull(PerMessageDeflate.negotiate(List.of("permessage-deflate; server_max_window_bits=09")));
        assertNull(PerMessageDeflate.negotiate(List.of("permessage-deflate; client_max_window_bits=7")));
        assertNull(PerMessageDeflate.negotiate(null));
    }
}
