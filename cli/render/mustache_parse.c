/*
 * mustache_parse: the template compiler (the language: mustache.h).
 *
 * Why its own engine: no C Mustache library is packaged in Debian, and the
 * ones that exist recurse on the template's nesting. This one is small and
 * bounded by construction; mustache.c renders what this file compiles.
 *
 * Parsing turns the template into a flat array of nodes
 * (mustache_internal.h): text runs (byte ranges of a private copy of the
 * template), interpolations, and for each section an opening node and an
 * END node that point at each other. The parser keeps the open sections
 * on a fixed stack of MUSTACHE_DEPTH_MAX entries, so nesting past that
 * depth is refused, never recursed into.
 *
 * Standalone lines (a section, comment, delimiter or partial tag alone on
 * its line but for spaces and tabs) are cut here, as the spec asks: the
 * text run before the tag stops at the line's start and the next one
 * starts after its end of line, so rendering never thinks about
 * whitespace. A tag is alone when the text since the last tag holds a
 * line break or the last tag itself ended a line, and only blanks lie
 * between that line's start and the tag.
 *
 * Names are checked (no blanks, no control bytes, no empty part between
 * dots) and split on '.' once, into NUL-separated parts in an arena, so a
 * lookup at render time is one json_object_get per part. Their length is
 * capped so that a lookup's cost is bounded whatever loops surround it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache_internal.h"
#include "mustache_parse.h"
#include "rumor/error.h"

/* Longest tag name: keeps each lookup's cost bounded whatever the loops
 * around it (a service name is far shorter). */
#define MUSTACHE_NAME_SIZE_MAX 255

void
mustache__locate(const char *text, size_t offset, unsigned *line,
		 unsigned *column)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

int
mustache__fail(struct mustache_error *err, int rc, const char *text,
	       size_t offset, const char *fmt, ...)
{
	if (err == NULL)
		return rc;
	err->line = err->column = 0;
	if (text != NULL)
		mustache__locate(text, offset, &err->line, &err->column);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

/* The parser's state: the cursor, the delimiters, the open sections. */
struct parser {
	/** The template being built. */
	struct mustache *t;
	/** Where to say what failed (may be NULL). */
	struct mustache_error *err;
	/** The template (t->text) and its size. */
	const char *s;
	size_t size;
	/** Start of the text not yet turned into a node. */
	size_t text_start;
	/** Whether text_start is the first byte of a line. */
	bool at_line_start;
	/** Current delimiters. */
	char open[MUSTACHE_DELIMITER_SIZE_MAX + 1];
	char close[MUSTACHE_DELIMITER_SIZE_MAX + 1];
	size_t open_size, close_size;
	/** Open sections: node indexes, innermost last. */
	uint32_t stack[MUSTACHE_DEPTH_MAX];
	/** Entries of stack in use. */
	unsigned depth;
};

/* A tag cut out of the template. */
struct tag {
	/** '#', '^', '/', '!', '=', '>', '&', '{', or 0 for a variable. */
	char sigil;
	/** Offset of the opening delimiter and just past the closing one. */
	size_t start, end;
	/** The content between sigil and closing, spaces trimmed. */
	size_t content, content_size;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* First occurrence of needle in s[from..size), or size. */
static size_t
find(const char *s, size_t size, size_t from, const char *needle,
     size_t needle_size)
{
	while (from < size && size - from >= needle_size) {
		const char *p = memchr(s + from, needle[0], size - from);
		if (p == NULL || (size_t)(s + size - p) < needle_size)
			return size;
		if (memcmp(p, needle, needle_size) == 0)
			return (size_t)(p - s);
		from = (size_t)(p - s) + 1;
	}
	return size;
}

/* A node at the end of the array; NULL when out of memory. */
static struct mustache_node *
node_add(struct mustache *t, enum mustache_node_type type,
	 size_t offset)
{
	if (t->node_count == t->node_cap) {
		size_t cap = t->node_cap ? t->node_cap * 2 : 32;
		struct mustache_node *grown =
			realloc(t->nodes, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		t->nodes = grown;
		t->node_cap = cap;
	}
	struct mustache_node *n = &t->nodes[t->node_count++];
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->offset = (uint32_t)offset;
	return n;
}

static int
parser_nomem(struct parser *p)
{
	return mustache__fail(p->err, RUMOR_ENOMEM, NULL, 0, "out of memory");
}

/* The text s[from..to) as a node (none when empty). */
static int
parser_text(struct parser *p, size_t from, size_t to)
{
	if (from >= to)
		return 0;
	struct mustache_node *n = node_add(p->t, MUSTACHE_NODE_TEXT, from);
	if (n == NULL)
		return parser_nomem(p);
	n->size = (uint32_t)(to - from);
	return 0;
}

/* size bytes at s, made fit for a one-line message into buf: at most
 * QUOTE_SIZE_MAX bytes (not cut inside a UTF-8 character, "..." marks a
 * cut) and control bytes shown as '?'. Returns buf. */
#define QUOTE_SIZE_MAX 48
static const char *
quote(char buf[QUOTE_SIZE_MAX + 4], const char *s, size_t size)
{
	size_t n = size;
	if (n > QUOTE_SIZE_MAX) {
		n = QUOTE_SIZE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c < ' ' || c == 0x7f ? '?' : (char)c;
	}
	strcpy(buf + n, n < size ? "..." : "");
	return buf;
}

/* A syntax error about the tag at offset. */
#define parser_fail(p, offset, ...)                                           \
	mustache__fail((p)->err, RUMOR_EMALFORMED, (p)->s, (offset),          \
		       __VA_ARGS__)

/* Cut the tag whose opening delimiter is at start. */
static int
parser_tag(struct parser *p, size_t start, struct tag *tag)
{
	*tag = (struct tag){.start = start};
	size_t i = start + p->open_size;
	char marker[MUSTACHE_DELIMITER_SIZE_MAX + 2];
	size_t marker_size = 0;
	tag->sigil = i < p->size ? p->s[i] : 0;
	switch (tag->sigil) {
	case '{':
	case '=':
		marker[marker_size++] = tag->sigil == '{' ? '}' : '=';
		/* fallthrough */
	case '#': case '^': case '/': case '!': case '>': case '&':
		i++;
		break;
	default:
		tag->sigil = 0;
	}
	memcpy(marker + marker_size, p->close, p->close_size);
	marker_size += p->close_size;
	size_t e = find(p->s, p->size, i, marker, marker_size);
	if (e == p->size)
		return parser_fail(p, start, "unclosed tag (no \"%.*s\")",
				   (int)marker_size, marker);
	tag->end = e + marker_size;
	while (i < e && is_space(p->s[i]))
		i++;
	while (e > i && is_space(p->s[e - 1]))
		e--;
	tag->content = i;
	tag->content_size = e - i;
	return 0;
}

/* Whether the tag stands alone on its line; if so *line_start and *next
 * are where the line begins and where the next one does. */
static bool
parser_standalone(const struct parser *p, const struct tag *tag,
		  size_t *line_start, size_t *next)
{
	if (strchr("#^/!=>", tag->sigil) == NULL || tag->sigil == 0)
		return false;
	size_t ls = tag->start;
	while (ls > p->text_start && p->s[ls - 1] != '\n')
		ls--;
	if (ls == p->text_start && !p->at_line_start)
		return false;
	for (size_t i = ls; i < tag->start; i++)
		if (!is_blank(p->s[i]))
			return false;
	size_t e = tag->end;
	while (e < p->size && is_blank(p->s[e]))
		e++;
	if (e < p->size && p->s[e] == '\n')
		e++;
	else if (e + 1 < p->size && p->s[e] == '\r' && p->s[e + 1] == '\n')
		e += 2;
	else if (e != p->size)
		return false;
	*line_start = ls;
	*next = e;
	return true;
}

/* Check the tag's name and copy its parts into the arena. */
static int
parser_name(struct parser *p, const struct tag *tag,
	    struct mustache_node *n)
{
	const char *name = p->s + tag->content;
	size_t size = tag->content_size;
	if (size == 0)
		return parser_fail(p, tag->start, "tag without a name");
	if (size > MUSTACHE_NAME_SIZE_MAX)
		return parser_fail(p, tag->start, "name longer than %d bytes",
				   MUSTACHE_NAME_SIZE_MAX);
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)name[i];
		bool empty_part = c == '.' && size > 1 &&
			(i == 0 || i == size - 1 || name[i + 1] == '.');
		char q[QUOTE_SIZE_MAX + 4];
		if (c <= ' ' || c == 0x7f || empty_part)
			return parser_fail(p, tag->start,
					   "invalid name \"%s\"",
					   quote(q, name, size));
	}
	n->name_offset = (uint32_t)tag->content;
	n->name_size = (uint32_t)size;
	if (size == 1 && name[0] == '.')
		return 0; /* the implicit iterator: no parts */
	struct mustache *t = p->t;
	if (t->arena_cap - t->arena_size < size + 1) {
		size_t cap = t->arena_cap ? t->arena_cap : 256;
		while (cap - t->arena_size < size + 1)
			cap *= 2;
		char *grown = realloc(t->arena, cap);
		if (grown == NULL)
			return parser_nomem(p);
		t->arena = grown;
		t->arena_cap = cap;
	}
	n->name = (uint32_t)t->arena_size;
	n->part_count = 1;
	for (size_t i = 0; i < size; i++) {
		char c = name[i] == '.' ? '\0' : name[i];
		n->part_count += c == '\0';
		t->arena[t->arena_size++] = c;
	}
	t->arena[t->arena_size++] = '\0';
	return 0;
}

/* {{=open close=}}: two words of no spaces nor '='. */
static int
parser_delimiters(struct parser *p, const struct tag *tag)
{
	const char *c = p->s + tag->content;
	size_t size = tag->content_size, a = 0, b;
	while (a < size && !is_space(c[a]))
		a++;
	b = a;
	while (b < size && is_space(c[b]))
		b++;
	size_t close_size = size - b;
	bool ok = a > 0 && close_size > 0 &&
		a <= MUSTACHE_DELIMITER_SIZE_MAX &&
		close_size <= MUSTACHE_DELIMITER_SIZE_MAX &&
		memchr(c, '=', a) == NULL &&
		memchr(c + b, '=', close_size) == NULL;
	for (size_t i = b; ok && i < size; i++)
		ok = !is_space(c[i]);
	char q[QUOTE_SIZE_MAX + 4];
	if (!ok)
		return parser_fail(p, tag->start, "invalid delimiters \"%s\" "
				   "(want two words without '=', each at "
				   "most %d bytes)", quote(q, c, size),
				   MUSTACHE_DELIMITER_SIZE_MAX);
	memcpy(p->open, c, a);
	p->open_size = a;
	memcpy(p->close, c + b, close_size);
	p->close_size = close_size;
	return 0;
}

/* {{/name}}: must close the innermost open section. */
static int
parser_close(struct parser *p, const struct tag *tag)
{
	const char *name = p->s + tag->content;
	char q[QUOTE_SIZE_MAX + 4], qo[QUOTE_SIZE_MAX + 4];
	if (p->depth == 0)
		return parser_fail(p, tag->start, "closing tag \"%s\" without "
				   "an open section",
				   quote(q, name, tag->content_size));
	uint32_t opener = p->stack[p->depth - 1];
	struct mustache_node *o = &p->t->nodes[opener];
	const char *o_name = p->s + o->name_offset;
	if (o->name_size != tag->content_size ||
	    memcmp(o_name, name, o->name_size) != 0) {
		unsigned line, column;
		mustache__locate(p->s, o->offset, &line, &column);
		return parser_fail(p, tag->start, "closing tag \"%s\" does "
				   "not match open section \"%s\" (%u:%u)",
				   quote(q, name, tag->content_size),
				   quote(qo, o_name, o->name_size), line,
				   column);
	}
	struct mustache_node *n = node_add(p->t, MUSTACHE_NODE_END,
					   tag->start);
	if (n == NULL)
		return parser_nomem(p);
	p->depth--;
	n->jump = opener;
	/* Not o: node_add may have moved the array. */
	p->t->nodes[opener].jump = (uint32_t)(p->t->node_count - 1);
	return 0;
}

/* Turn one tag into nodes (or delimiters). */
static int
parser_node(struct parser *p, const struct tag *tag)
{
	enum mustache_node_type type;
	char q[QUOTE_SIZE_MAX + 4];
	switch (tag->sigil) {
	case '!':
		return 0;
	case '=':
		return parser_delimiters(p, tag);
	case '/':
		return parser_close(p, tag);
	case '>':
		return parser_fail(p, tag->start, "partials are not supported "
				   "(\"%s\")", quote(q, p->s + tag->content,
						      tag->content_size));
	case '#':
	case '^':
		if (p->depth == MUSTACHE_DEPTH_MAX)
			return parser_fail(p, tag->start,
					   "sections nested deeper than %d",
					   MUSTACHE_DEPTH_MAX);
		type = tag->sigil == '#' ? MUSTACHE_NODE_SECTION
					  : MUSTACHE_NODE_INVERTED;
		break;
	case '{':
	case '&':
		type = MUSTACHE_NODE_RAW;
		break;
	default:
		type = MUSTACHE_NODE_VAR;
	}
	struct mustache_node *n = node_add(p->t, type, tag->start);
	if (n == NULL)
		return parser_nomem(p);
	int rc = parser_name(p, tag, n);
	if (rc != 0)
		return rc;
	if (type == MUSTACHE_NODE_SECTION || type == MUSTACHE_NODE_INVERTED)
		p->stack[p->depth++] = (uint32_t)(p->t->node_count - 1);
	return 0;
}

/* The whole template into p->t's nodes. */
static int
parser_run(struct parser *p)
{
	int rc;
	for (;;) {
		size_t start = find(p->s, p->size, p->text_start, p->open,
				    p->open_size);
		if (start == p->size)
			break;
		struct tag tag;
		if ((rc = parser_tag(p, start, &tag)) != 0)
			return rc;
		size_t line_start, next;
		if (parser_standalone(p, &tag, &line_start, &next)) {
			rc = parser_text(p, p->text_start, line_start);
			p->text_start = next;
			p->at_line_start = true;
		} else {
			rc = parser_text(p, p->text_start, start);
			p->text_start = tag.end;
			p->at_line_start = false;
		}
		if (rc != 0 || (rc = parser_node(p, &tag)) != 0)
			return rc;
	}
	if (p->depth > 0) {
		struct mustache_node *o = &p->t->nodes[p->stack[p->depth - 1]];
		char q[QUOTE_SIZE_MAX + 4];
		return parser_fail(p, o->offset, "unclosed section \"%s\"",
				   quote(q, p->s + o->name_offset,
					 o->name_size));
	}
	return parser_text(p, p->text_start, p->size);
}

static int
root_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct first parts of every name. */
static int
mustache_collect_roots(struct mustache *t)
{
	size_t count = 0;
	for (size_t i = 0; i < t->node_count; i++)
		count += t->nodes[i].part_count > 0;
	if (count == 0)
		return 0;
	t->roots = malloc(count * sizeof(*t->roots));
	if (t->roots == NULL)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < t->node_count; i++)
		if (t->nodes[i].part_count > 0)
			t->roots[t->root_count++] = t->arena +
				t->nodes[i].name;
	qsort(t->roots, t->root_count, sizeof(*t->roots), root_cmp);
	size_t kept = 1;
	for (size_t i = 1; i < t->root_count; i++)
		if (strcmp(t->roots[i], t->roots[kept - 1]) != 0)
			t->roots[kept++] = t->roots[i];
	t->root_count = kept;
	return 0;
}

int
mustache_parse(struct mustache **out, const char *text, size_t size,
	       struct mustache_error *err)
{
	if (size > MUSTACHE_TEMPLATE_SIZE_MAX)
		return mustache__fail(err, RUMOR_ETOOBIG, NULL, 0,
				      "template larger than %d bytes",
				      MUSTACHE_TEMPLATE_SIZE_MAX);
	struct mustache *t = calloc(1, sizeof(*t));
	if (t == NULL || (t->text = malloc(size + 1)) == NULL) {
		free(t);
		return mustache__fail(err, RUMOR_ENOMEM, NULL, 0,
				      "out of memory");
	}
	if (size > 0)
		memcpy(t->text, text, size);
	t->text[size] = '\0';
	t->text_size = size;
	struct parser p = {
		.t = t, .err = err, .s = t->text, .size = size,
		.at_line_start = true, .open = "{{", .close = "}}",
		.open_size = 2, .close_size = 2,
	};
	int rc = parser_run(&p);
	if (rc == 0 && mustache_collect_roots(t) != 0)
		rc = parser_nomem(&p);
	if (rc != 0) {
		mustache_delete(t);
		return rc;
	}
	*out = t;
	return 0;
}

void
mustache_delete(struct mustache *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->nodes);
	free(t->arena);
	free(t->roots);
	free(t);
}

size_t
mustache_name_count(const struct mustache *t)
{
	return t->root_count;
}

const char *
mustache_name(const struct mustache *t, size_t i)
{
	return i < t->root_count ? t->roots[i] : NULL;
}
