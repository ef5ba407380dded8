package io.workdisk.agent.engine.shared;

/** Text from a registry or an image, made safe to put in an error message or a log line. */
public final class Printable {
    private static final int MAX = 200;

    private Printable() {}

    /** Control characters escaped and long text cut, so a hostile value cannot forge or flood a message. */
    public static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX) {
            out.append("…");
        }
        return out.toString();
    }
}
