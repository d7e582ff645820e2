/*
 * mustache_parse: compiling a Mustache template (the language is
 * described in mustache.h, which includes this header; include that
 * one). A compiled template is never changed by
 * rendering: render it any number of times.
 */
#ifndef RUMOR_MUSTACHE_PARSE_H
#define RUMOR_MUSTACHE_PARSE_H

#include <stddef.h>
#include <stdint.h>

/** Largest template accepted, in bytes. */
#define MUSTACHE_TEMPLATE_SIZE_MAX (1024 * 1024)
/** Deepest nesting of sections and inverted sections. */
#define MUSTACHE_DEPTH_MAX 32
/** Longest delimiter a {{=a b=}} tag may set, in bytes. */
#define MUSTACHE_DELIMITER_SIZE_MAX 16

/** A compiled template (opaque). */
struct mustache;

/** What went wrong, and where. A caller prints it as
 * "upstream.tmpl:3:14: unclosed section \"web\"", or without the line
 * and column when line is 0. */
struct mustache_error {
	/** 1-based line of the tag at fault, 0 when not about a place. */
	unsigned line;
	/** 1-based column (in characters, UTF-8) of the tag's first byte. */
	unsigned column;
	/** One line, no position, e.g. `unclosed section "web"`. */
	char message[160];
};

/**
 * Compile text[0..size) (need not be NUL-terminated; it is copied) into
 * *out. Returns 0, or a negative RUMOR_E* with err filled in and *out
 * untouched: RUMOR_EMALFORMED for a syntax error (line and column point
 * at the tag), RUMOR_ETOOBIG for a template over
 * MUSTACHE_TEMPLATE_SIZE_MAX, RUMOR_ENOMEM. err may be NULL.
 */
int
mustache_parse(struct mustache **out, const char *text, size_t size,
	       struct mustache_error *err);

/** Free a template from mustache_parse. NULL is a no-op. */
void
mustache_delete(struct mustache *t);

/**
 * How many distinct root names t uses. A root name is the first part of
 * a tag's name ("web" in {{#web}} and in {{web.port}}), at any depth:
 * a name inside a section is looked up in the root too when the inner
 * context lacks it, so a caller watching data for changes watches these.
 */
size_t
mustache_name_count(const struct mustache *t);

/** The i-th root name (i < mustache_name_count), in strcmp order; valid
 * until mustache_delete(t). */
const char *
mustache_name(const struct mustache *t, size_t i);

#endif /* RUMOR_MUSTACHE_PARSE_H */
