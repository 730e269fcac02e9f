package dev.pushrelay;
public final class Main { public static void main(String[] a) { } }
