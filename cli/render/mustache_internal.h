/*
 * mustache_internal: the compiled template's layout, shared by the parser
 * (mustache_parse.c) that builds it and the renderer (mustache.c) that
 * walks it. Nothing outside cli/render/ includes this.
 */
#ifndef RUMOR_MUSTACHE_INTERNAL_H
#define RUMOR_MUSTACHE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct mustache_error;

/** What a node does when rendered. */
enum mustache_node_type {
	MUSTACHE_NODE_TEXT,	/**< template bytes, as they are */
	MUSTACHE_NODE_VAR,	/**< {{name}}: escaped */
	MUSTACHE_NODE_RAW,	/**< {{{name}}}, {{&name}}: not escaped */
	MUSTACHE_NODE_SECTION,	/**< {{#name}} */
	MUSTACHE_NODE_INVERTED,	/**< {{^name}} */
	MUSTACHE_NODE_END,	/**< {{/name}} */
};

/** One step of the flat program a template compiles to. */
struct mustache_node {
	/** enum mustache_node_type. */
	uint8_t type;
	/** Text: its first byte; tags: the opening delimiter (for errors). */
	uint32_t offset;
	/** Text: size in bytes. */
	uint32_t size;
	/** Section/inverted: index of its END; END: index of its opener. */
	uint32_t jump;
	/** Tags with a name: offset of its parts in the arena. */
	uint32_t name;
	/** Number of parts of the name; 0 for "." (the current context). */
	uint32_t part_count;
	/** Openers: the name as written, to match the close tag with. */
	uint32_t name_offset, name_size;
};

struct mustache {
	/** The template's copy, NUL-terminated; text nodes are its ranges. */
	char *text;
	/** Bytes in text, without the NUL. */
	size_t text_size;
	/** The program, in template order. */
	struct mustache_node *nodes;
	/** Nodes used and allocated. */
	size_t node_count, node_cap;
	/** Name parts, each NUL-terminated, a name's parts in a row. */
	char *arena;
	/** Bytes of the arena used and allocated. */
	size_t arena_size, arena_cap;
	/** Distinct first parts of names, sorted; point into the arena. */
	const char **roots;
	/** Entries of roots. */
	size_t root_count;
};

/**
 * Fill err (when not NULL) with the place of byte offset of text (no
 * place when text is NULL: line and column 0) and the formatted message;
 * return rc, so that callers write `return mustache__fail(...)`.
 */
int
mustache__fail(struct mustache_error *err, int rc, const char *text,
	       size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** Where byte offset of text is: 1-based line, and column in UTF-8
 * characters (every byte but continuation bytes counts). */
void
mustache__locate(const char *text, size_t offset, unsigned *line,
		 unsigned *column);

#endif /* RUMOR_MUSTACHE_INTERNAL_H */
