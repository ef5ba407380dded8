package io.workdisk.agent.source.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a scheme ({@code basic}, {@code bearer}) and its parameters
 * ({@code realm}, {@code service}, {@code scope}), per RFC 7235's auth-param grammar with quoted strings.
 */
record Challenge(String scheme, Map<String, String> params) {
    /** Every challenge in the headers, in order; what cannot be read is skipped. */
    static List<Challenge> parseAll(List<String> headers) {
        List<Challenge> all = new ArrayList<>();
        for (String header : headers) {
            all.addAll(parse(header));
        }
        return all;
    }

    static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != '=' && header.charAt(i) != ',') {
                i++;
            }
            String token = header.substring(start, i);
            if (token.isEmpty()) {
                break;
            }
            int j = i;
            while (j < n && header.charAt(j) == ' ') {
                j++;
            }
            if (j < n && header.charAt(j) == '=' && scheme != null) {
                i = j + 1;
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && header.charAt(i) != ',') {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(token.toLowerCase(Locale.ROOT), value.toString().trim());
            } else {
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                }
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
        return out;
    }

    String param(String name) {
        return params.get(name);
    }
}
