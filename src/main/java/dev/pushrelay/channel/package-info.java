/**
 * The domain: channels, messages, cursors, policies and outcomes. Knows nothing of HTTP,
 * Undertow or metrics libraries; the http package translates to and from the wire
 * (protocol.md §4, §5).
 */
package dev.pushrelay.channel;
