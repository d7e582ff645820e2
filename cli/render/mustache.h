/*
 * mustache: a small, bounded Mustache template engine over a jansson tree,
 * for `rumor render` (config files rendered from the local catalog).
 *
 * The language is the published, language-neutral Mustache spec
 * (github.com/mustache/spec): interpolation, sections, inverted sections,
 * comments, set delimiters and the standalone-line whitespace rules.
 * Partials ({{> name}}) are refused with an error: there are no partial
 * files. Lambdas do not exist in JSON data.
 *
 *	{{name}}	the value of name, HTML-escaped
 *	{{{name}}}	the value, as is (also {{& name}})
 *	{{a.b.c}}	a dotted name: a through the context stack, then b
 *			in a, then c in that; a missing link gives nothing
 *	{{.}}		the current context itself (the list element)
 *	{{#x}}..{{/x}}	rendered once per element when x is a list, once
 *			with x as the context when x is an object or another
 *			truthy value, not at all when x is falsey
 *	{{^x}}..{{/x}}	rendered once when x is falsey
 *	{{! text }}	a comment
 *	{{=<% %>=}}	new delimiters for the rest of the template
 *
 * Falsey: a missing name, null, false, the empty list and the empty
 * string. Numbers (0 too: a port, a weight) and objects ({} too) are
 * truthy. Values interpolate as: strings as they are, integers in
 * decimal, reals in the shortest form that reads back the same (1.21),
 * true/false as "true"/"false", null, lists and objects as nothing.
 *
 * Escaping: {{name}} replaces & < > " ' with &amp; &lt; &gt; &quot; &#39;
 * as the spec asks of HTML templates. Config files are rarely HTML: write
 * {{{address}}} or {{& address}} for addresses, names, tags and meta
 * values, or an ampersand in a URL in meta becomes "&amp;".
 *
 * Every resource a template controls is bounded: its size
 * (MUSTACHE_TEMPLATE_SIZE_MAX), its section nesting
 * (MUSTACHE_DEPTH_MAX), and per render the output size and the number of
 * steps (struct mustache_limits): nested sections over big lists grow
 * exponentially and fail with an error instead. Neither parse nor render
 * recurses.
 */
#ifndef RUMOR_MUSTACHE_H
#define RUMOR_MUSTACHE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mustache_parse.h"

/** Default output cap of a render (a large nginx upstream file is
 * well under 1 MiB). */
#define MUSTACHE_OUTPUT_SIZE_MAX_DEFAULT (16 * 1024 * 1024)
/** Default cap on steps (one per text run, tag and pass through a
 * section) of a render. Our measurement (gcc -O2): 2 Mi steps take
 * about 0.1 s for a plain template, about 0.7 s for the slowest kind
 * (255-byte names missed through 33 contexts); a template listing 10,000
 * instances with 20 tags each takes some 300 Ki steps. */
#define MUSTACHE_STEP_MAX_DEFAULT (2 * 1024 * 1024)

/** Per-render caps. */
struct mustache_limits {
	/** Largest output, in bytes (without the closing NUL). */
	size_t output_size_max;
	/** Most steps: each text run, tag and pass through a section. */
	uint64_t step_max;
};

/**
 * Render t against data (the root context: any JSON value, usually an
 * object). On success returns 0, *out is a malloc'd NUL-terminated
 * string the caller frees and *size its length. On failure returns
 * RUMOR_ELIMIT (output or step cap reached; line and column point at the
 * tag being rendered) or RUMOR_ENOMEM, with err filled in and *out
 * untouched. limits NULL means the defaults; err may be NULL.
 */
int
mustache_render(char **out, size_t *size, const struct mustache *t,
		const json_t *data, const struct mustache_limits *limits,
		struct mustache_error *err);

#endif /* RUMOR_MUSTACHE_H */
