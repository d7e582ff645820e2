/*
 * mustache: rendering a compiled template (mustache_parse.c) against a
 * jansson tree; the language is described in mustache.h.
 *
 * Rendering walks the flat node array with a program counter and a stack
 * of frames, one per entered section (the list being iterated, the index
 * in it), beside the context stack the spec describes. An END node either
 * jumps back to the first node of its section for the next element or
 * pops the frame and the context. Nothing recurses, and the stacks have
 * MUSTACHE_DEPTH_MAX entries since the parser refuses deeper nesting.
 *
 * Each node executed is a step. Nested sections over big lists multiply:
 * {{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}} over 1000 elements is a billion
 * passes, with or without output. The step cap and the output cap of
 * struct mustache_limits stop such a render with an error naming the tag
 * being rendered, and the output grows by doubling up to its cap only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"
#include "mustache_internal.h"
#include "rumor/error.h"

/* The output: NUL-terminated, never past max bytes. */
struct out {
	/** malloc'd; NULL until the first byte. */
	char *buf;
	/** Bytes written (without the NUL), allocated, allowed. */
	size_t size, cap, max;
};

/* A section being rendered: the list it iterates (NULL for a single
 * pass) and the element being rendered. */
struct frame {
	/** The list iterated, or NULL for a single pass. */
	const json_t *list;
	/** The element of list being rendered. */
	size_t index;
};

/* One render's state. */
struct render {
	/** The template rendered. */
	const struct mustache *t;
	/** What it has written so far. */
	struct out out;
	/** The context stack, innermost last; [0] is the data. */
	const json_t *ctx[MUSTACHE_DEPTH_MAX + 1];
	/** One frame per entered section: frames[i] pushed ctx[i + 1]. */
	struct frame frames[MUSTACHE_DEPTH_MAX];
	/** Entries of ctx in use (at least 1). */
	unsigned ctx_count;
	/** Steps taken, and allowed. */
	uint64_t steps, step_max;
	/** Where to say what failed (may be NULL). */
	struct mustache_error *err;
};

/* Append data[0..size); RUMOR_ELIMIT past the cap, RUMOR_ENOMEM. */
static int
out_add(struct out *o, const char *data, size_t size)
{
	if (size > o->max - o->size)
		return RUMOR_ELIMIT;
	if (o->size + size + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->size + size + 1)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		if (cap > o->max + 1)
			cap = o->max + 1;
		char *grown = realloc(o->buf, cap);
		if (grown == NULL)
			return RUMOR_ENOMEM;
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->size, data, size);
	o->size += size;
	o->buf[o->size] = '\0';
	return 0;
}

/* Append s[0..size) with & < > " ' as HTML entities. */
static int
out_add_escaped(struct out *o, const char *s, size_t size)
{
	size_t run = 0;
	for (size_t i = 0; i < size; i++) {
		const char *entity;
		switch (s[i]) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		case '"': entity = "&quot;"; break;
		case '\'': entity = "&#39;"; break;
		default: continue;
		}
		int rc = out_add(o, s + run, i - run);
		if (rc == 0)
			rc = out_add(o, entity, strlen(entity));
		if (rc != 0)
			return rc;
		run = i + 1;
	}
	return out_add(o, s + run, size - run);
}

/* A real in the fewest significant digits that read back as the same
 * double (1.21, not 1.2099999999999999), in positional notation unless
 * the exponent is far out (1e+300). */
static int
format_real(char *buf, size_t size, double v)
{
	int digits = 1;
	for (; digits < 17; digits++) {
		snprintf(buf, size, "%.*e", digits - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, size, "%.*e", digits - 1, v);
	const char *e = strchr(buf, 'e');
	int exponent = e != NULL ? atoi(e + 1) : 0;
	if (exponent < -5 || exponent > 16)
		return snprintf(buf, size, "%.*g", digits, v);
	int decimals = digits - 1 - exponent;
	return snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
}

/* Append a value as text: see mustache.h for what each type gives. */
static int
out_add_value(struct out *o, const json_t *v, bool escape)
{
	char num[64];
	const char *s = num;
	size_t size;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		size = json_string_length(v);
		break;
	case JSON_INTEGER:
		size = (size_t)snprintf(num, sizeof(num),
					"%" JSON_INTEGER_FORMAT,
					json_integer_value(v));
		break;
	case JSON_REAL:
		size = (size_t)format_real(num, sizeof(num),
					   json_real_value(v));
		break;
	case JSON_TRUE:
		s = "true";
		size = 4;
		break;
	case JSON_FALSE:
		s = "false";
		size = 5;
		break;
	default:
		return 0; /* null, lists and objects: nothing */
	}
	return escape ? out_add_escaped(o, s, size) : out_add(o, s, size);
}

/* The value a node's name stands for, or NULL when it resolves to
 * nothing (spec: the first part through the context stack, innermost
 * first; each further part only in the value before it). */
static const json_t *
render_lookup(const struct render *r, const struct mustache_node *n)
{
	if (n->part_count == 0)
		return r->ctx[r->ctx_count - 1];
	const char *part = r->t->arena + n->name;
	const json_t *v = NULL;
	for (unsigned i = r->ctx_count; i-- > 0 && v == NULL;)
		if (json_is_object(r->ctx[i]))
			v = json_object_get(r->ctx[i], part);
	for (uint32_t i = 1; i < n->part_count && v != NULL; i++) {
		part += strlen(part) + 1;
		v = json_is_object(v) ? json_object_get(v, part) : NULL;
	}
	return v;
}

static bool
is_falsey(const json_t *v)
{
	return v == NULL || json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

/* Enter a section whose value v is truthy: push a frame and a context. */
static void
render_enter(struct render *r, const json_t *v)
{
	struct frame *f = &r->frames[r->ctx_count - 1];
	f->list = json_is_array(v) ? v : NULL;
	f->index = 0;
	r->ctx[r->ctx_count++] = f->list ? json_array_get(v, 0) : v;
}

/* At a section's END: the next element, or leave. Returns the next pc. */
static size_t
render_end(struct render *r, size_t pc)
{
	const struct mustache_node *n = &r->t->nodes[pc];
	if (r->t->nodes[n->jump].type == MUSTACHE_NODE_INVERTED)
		return pc + 1;
	struct frame *f = &r->frames[r->ctx_count - 2];
	if (f->list != NULL && ++f->index < json_array_size(f->list)) {
		r->ctx[r->ctx_count - 1] = json_array_get(f->list, f->index);
		return n->jump + 1;
	}
	r->ctx_count--;
	return pc + 1;
}

/* Run the nodes; on failure, the error names the node at fault. */
static int
render_run(struct render *r)
{
	const struct mustache *t = r->t;
	size_t pc = 0;
	while (pc < t->node_count) {
		const struct mustache_node *n = &t->nodes[pc];
		int rc = 0;
		if (++r->steps > r->step_max)
			return mustache__fail(r->err, RUMOR_ELIMIT, t->text,
					      n->offset, "template does more "
					      "than %llu steps",
					      (unsigned long long)r->step_max);
		const json_t *v = NULL;
		switch (n->type) {
		case MUSTACHE_NODE_TEXT:
			rc = out_add(&r->out, t->text + n->offset, n->size);
			pc++;
			break;
		case MUSTACHE_NODE_VAR:
		case MUSTACHE_NODE_RAW:
			v = render_lookup(r, n);
			if (v != NULL)
				rc = out_add_value(&r->out, v, n->type ==
						   MUSTACHE_NODE_VAR);
			pc++;
			break;
		case MUSTACHE_NODE_SECTION:
			v = render_lookup(r, n);
			if (is_falsey(v)) {
				pc = n->jump + 1;
			} else {
				render_enter(r, v);
				pc++;
			}
			break;
		case MUSTACHE_NODE_INVERTED:
			pc = is_falsey(render_lookup(r, n)) ? pc + 1
							    : n->jump + 1;
			break;
		default:
			pc = render_end(r, pc);
		}
		if (rc == RUMOR_ELIMIT)
			return mustache__fail(r->err, rc, t->text, n->offset,
					      "output larger than %zu bytes",
					      r->out.max);
		if (rc != 0)
			return mustache__fail(r->err, rc, NULL, 0,
					      "out of memory");
	}
	return 0;
}

int
mustache_render(char **out, size_t *size, const struct mustache *t,
		const json_t *data, const struct mustache_limits *limits,
		struct mustache_error *err)
{
	size_t output_size_max = limits ? limits->output_size_max
					: MUSTACHE_OUTPUT_SIZE_MAX_DEFAULT;
	struct render r = {
		.t = t,
		/* Room for the NUL, whatever the caller asked. */
		.out.max = output_size_max < SIZE_MAX ? output_size_max
						      : SIZE_MAX - 1,
		.step_max = limits ? limits->step_max
				   : MUSTACHE_STEP_MAX_DEFAULT,
		.ctx = {data},
		.ctx_count = 1,
		.err = err,
	};
	int rc = render_run(&r);
	if (rc == 0 && r.out.buf == NULL)
		rc = out_add(&r.out, "", 0) == 0 ? 0 :
			mustache__fail(err, RUMOR_ENOMEM, NULL, 0,
				       "out of memory");
	if (rc != 0) {
		free(r.out.buf);
		return rc;
	}
	*out = r.out.buf;
	*size = r.out.size;
	return 0;
}
