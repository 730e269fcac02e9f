/**
 * The wire: Undertow handlers that translate HTTP requests into store calls and store
 * outcomes into the push module's statuses, headers and bodies (protocol.md §3, §4).
 * With the server package, the only place that imports Undertow.
 */
package dev.pushrelay.http;
