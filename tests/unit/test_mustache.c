/*
 * The Mustache engine of `rumor render` (cli/render/): cases written from
 * the Mustache spec's sections (interpolation, sections, inverted
 * sections, comments, set delimiters, standalone lines), syntax errors
 * with their exact place, the caps, and the upstream example against a
 * sample catalog.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render/mustache.h"
#include "rumor/error.h"
#include "test.h"

/* A template, its data (JSON text, any value) and what it renders. */
struct render_case {
	const char *what;
	const char *template;
	const char *data;
	const char *want;
};

/* Render template (template_size bytes) against JSON text; 0 or the
 * error. *out is malloc'd. */
static int
render(const char *template, size_t template_size, const char *data,
       const struct mustache_limits *limits, char **out, size_t *size,
       struct mustache_error *err)
{
	json_error_t jerr;
	json_t *root = json_loads(data, JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		fprintf(stderr, "  bad test data %s: %s\n", data, jerr.text);
		return RUMOR_EINVAL;
	}
	struct mustache *t;
	int rc = mustache_parse(&t, template, template_size, err);
	if (rc == 0) {
		rc = mustache_render(out, size, t, root, limits, err);
		mustache_delete(t);
	}
	json_decref(root);
	return rc;
}

/* Whether a case renders as it should; says how it does not. */
static bool
case_passes(const struct render_case *c)
{
	struct mustache_error err;
	char *out = NULL;
	size_t size = 0;
	int rc = render(c->template, strlen(c->template), c->data, NULL, &out,
			&size, &err);
	if (rc != 0) {
		fprintf(stderr, "  %s: error %d at %u:%u: %s\n", c->what, rc,
			err.line, err.column, err.message);
		return false;
	}
	bool ok = size == strlen(c->want) && memcmp(out, c->want, size) == 0;
	if (!ok)
		fprintf(stderr, "  %s:\n    want [%s]\n    got  [%s]\n",
			c->what, c->want, out);
	free(out);
	return ok;
}

#define RUN_CASES(cases)                                                      \
	do {                                                                  \
		for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]);    \
		     i_++)                                                    \
			ASSERT(case_passes(&cases[i_]));                      \
	} while (0)

static const struct render_case interpolation_cases[] = {
	{"text without tags is copied", "Hi {there} }} {", "{}",
	 "Hi {there} }} {"},
	{"a variable is replaced", "Hello, {{who}}!", "{\"who\": \"you\"}",
	 "Hello, you!"},
	{"a value is not a template again", "{{a}} {{b}}",
	 "{\"a\": \"{{b}}\", \"b\": \"B\"}", "{{b}} B"},
	{"{{x}} escapes & < > \" '", "{{x}}", "{\"x\": \"a&b<c>\\\"d'e\"}",
	 "a&amp;b&lt;c&gt;&quot;d&#39;e"},
	{"{{{x}}} does not escape", "{{{x}}}", "{\"x\": \"a&b<c>\\\"'\"}",
	 "a&b<c>\"'"},
	{"{{&x}} does not escape", "{{&x}}", "{\"x\": \"a&b<c>\\\"'\"}",
	 "a&b<c>\"'"},
	{"integers in decimal", "{{a}}|{{{b}}}|{{&c}}",
	 "{\"a\": 85, \"b\": -7, \"c\": 0}", "85|-7|0"},
	{"reals in their shortest form", "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	 "{\"a\": 1.210, \"b\": 0.1, \"c\": 100.0, \"d\": -0.5, "
	 "\"e\": 1e300, \"f\": 0.000015}", "1.21 0.1 100 -0.5 1e+300 "
	 "0.000015"},
	{"booleans as words", "{{t}} {{f}}", "{\"t\": true, \"f\": false}",
	 "true false"},
	{"null and missing names give nothing", "({{n}}{{{n}}}{{&n}}{{m}})",
	 "{\"n\": null}", "()"},
	{"lists and objects give nothing", "({{l}}{{o}})",
	 "{\"l\": [1], \"o\": {\"a\": 1}}", "()"},
	{"dotted names walk objects", "{{a.b.c}} {{{a.b.c}}} {{&a.b.c}}",
	 "{\"a\": {\"b\": {\"c\": \"x&y\"}}}", "x&amp;y x&y x&y"},
	{"a broken chain gives nothing", "({{a.x.c}})",
	 "{\"a\": {\"b\": {}}}", "()"},
	{"later parts look only in the part before", "({{a.b.c}})",
	 "{\"a\": {\"b\": {}}, \"c\": \"no\"}", "()"},
	{"the first part is found in outer contexts", "{{#a}}{{b.c}}{{/a}}",
	 "{\"a\": {}, \"b\": {\"c\": \"outer\"}}", "outer"},
	{"the first context holding the first part wins",
	 "({{#a}}{{b.c}}{{/a}})",
	 "{\"a\": {\"b\": {}}, \"b\": {\"c\": \"no\"}}", "()"},
	{"{{.}} is the data itself", "Hello, {{.}}!", "\"you\"",
	 "Hello, you!"},
	{"whitespace around a variable stays", "| {{x}} |\n  {{x}}\n",
	 "{\"x\": \"v\"}", "| v |\n  v\n"},
	{"spaces inside tags are ignored", "|{{ x }}|{{{ x }}}|{{& x }}|",
	 "{\"x\": \"v\"}", "|v|v|v|"},
	{"a name may hold any non-blank character", "{{a-b_c:d}}",
	 "{\"a-b_c:d\": 1}", "1"},
};

static void
test_interpolation_follows_the_spec(void)
{
	RUN_CASES(interpolation_cases);
}

static const struct render_case section_cases[] = {
	{"true renders", "\"{{#b}}yes{{/b}}\"", "{\"b\": true}", "\"yes\""},
	{"false, null and missing do not", "({{#f}}1{{/f}}{{#n}}2{{/n}}"
	 "{{#m}}3{{/m}})", "{\"f\": false, \"n\": null}", "()"},
	{"an empty string is falsey", "({{#e}}x{{/e}})", "{\"e\": \"\"}",
	 "()"},
	{"0 and {} are truthy", "{{#z}}z={{z}}{{/z}} {{#o}}o{{/o}}",
	 "{\"z\": 0, \"o\": {}}", "z=0 o"},
	{"an object becomes the context", "{{#c}}{{name}}{{/c}}",
	 "{\"c\": {\"name\": \"Joe\"}}", "Joe"},
	{"names fall back to outer contexts", "{{#sec}}{{a}}, {{b}}{{/sec}}",
	 "{\"a\": \"foo\", \"b\": \"wrong\", \"sec\": {\"b\": \"bar\"}}",
	 "foo, bar"},
	{"a scalar becomes the context", "{{#foo}}{{.}} is {{foo}}{{/foo}}",
	 "{\"foo\": \"bar\"}", "bar is bar"},
	{"a list renders once per element", "{{#l}}{{i}}{{/l}}",
	 "{\"l\": [{\"i\": 1}, {\"i\": 2}, {\"i\": 3}]}", "123"},
	{"an empty list renders nothing", "({{#l}}x{{/l}})", "{\"l\": []}",
	 "()"},
	{"falsey elements still render", "{{#l}}[{{.}}]{{/l}}",
	 "{\"l\": [null, false, \"\"]}", "[][false][]"},
	{"{{.}} over scalars", "{{#l}}{{.}},{{/l}}",
	 "{\"l\": [\"a\", 1, 1.5, \"<\"]}", "a,1,1.5,&lt;,"},
	{"{{{.}}} over scalars", "{{#l}}{{{.}}}{{&.}}{{/l}}",
	 "{\"l\": [\"<\"]}", "<<"},
	{"lists of lists", "{{#l}}({{#.}}{{.}}{{/.}}){{/l}}",
	 "{\"l\": [[1, 2], [\"a\", \"b\"]]}", "(12)(ab)"},
	{"the data may be a list", "{{#.}}({{v}}){{/.}}",
	 "[{\"v\": \"a\"}, {\"v\": \"b\"}]", "(a)(b)"},
	{"a section may repeat", "{{#b}}1{{/b}}-{{#b}}2{{/b}}",
	 "{\"b\": true}", "1-2"},
	{"nested sections", "{{#a}}<{{#b}}{{#a}}x{{/a}}{{/b}}>{{/a}}",
	 "{\"a\": true, \"b\": [1, 2]}", "<xx>"},
	{"nested falsey section", "[{{#a}}{{#b}}x{{/b}}{{/a}}]",
	 "{\"a\": true, \"b\": false}", "[]"},
	{"deep contexts see every level",
	 "{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{z}}{{/c}}{{/b}}{{/a}}",
	 "{\"x\": 1, \"a\": {\"b\": {\"y\": 2, \"c\": {\"z\": 3}}}}", "123"},
	{"inner lists see the outer element",
	 "{{#s}}{{#i}}{{n}}:{{.}} {{/i}}{{/s}}",
	 "{\"s\": [{\"n\": \"a\", \"i\": [1, 2]}, {\"n\": \"b\", "
	 "\"i\": [3]}]}", "a:1 a:2 b:3 "},
	{"dotted sections", "{{#a.b.c}}t{{/a.b.c}}{{#a.b.f}}f{{/a.b.f}}"
	 "{{#a.x.y}}m{{/a.x.y}}", "{\"a\": {\"b\": {\"c\": 1, \"f\": false}}}",
	 "t"},
	{"whitespace around sections stays", " | {{#b}}\t|\t{{/b}} | \n",
	 "{\"b\": true}", " | \t|\t | \n"},
	{"whitespace inside sections stays", "a {{#b}} {{! c }}\n {{/b}} z\n",
	 "{\"b\": true}", "a  \n  z\n"},
	{"sections inside text are not standalone",
	 " {{#b}}x{{/b}}\n {{#b}}y{{/b}}\n", "{\"b\": true}", " x\n y\n"},
	{"standalone lines vanish", "|\n| a\n{{#b}}\n|  b\n{{/b}}\n| c\n|\n",
	 "{\"b\": true}", "|\n| a\n|  b\n| c\n|\n"},
	{"indented standalone lines vanish", "|\n  {{#b}}\n|x\n\t{{/b}}  \n|",
	 "{\"b\": true}", "|\n|x\n|"},
	{"standalone with \\r\\n", "|\r\n{{#b}}\r\n{{/b}}\r\n|",
	 "{\"b\": true}", "|\r\n|"},
	{"standalone on the first line", "  {{#b}}\n#{{/b}}\n/",
	 "{\"b\": true}", "#\n/"},
	{"standalone on the last line", "#{{#b}}\n/\n  {{/b}}",
	 "{\"b\": true}", "#\n/\n"},
	{"two tags on a line are not standalone", "{{#b}}{{/b}}\nx",
	 "{\"b\": true}", "\nx"},
	{"a lone \\r is not an end of line", "{{#b}}\rx{{/b}}",
	 "{\"b\": true}", "\rx"},
	{"spaces inside section tags", "|{{# b }}={{/ b }}|",
	 "{\"b\": true}", "|=|"},
};

static void
test_sections_follow_the_spec(void)
{
	RUN_CASES(section_cases);
}

static const struct render_case inverted_cases[] = {
	{"falsey renders", "\"{{^b}}no{{/b}}\"", "{\"b\": false}", "\"no\""},
	{"truthy does not", "\"{{^b}}no{{/b}}\"", "{\"b\": true}", "\"\""},
	{"null, missing, \"\" and [] render", "{{^n}}1{{/n}}{{^m}}2{{/m}}"
	 "{{^e}}3{{/e}}{{^l}}4{{/l}}",
	 "{\"n\": null, \"e\": \"\", \"l\": []}", "1234"},
	{"a list, an object, 0 do not", "({{^l}}1{{/l}}{{^o}}2{{/o}}"
	 "{{^z}}3{{/z}})", "{\"l\": [1], \"o\": {}, \"z\": 0}", "()"},
	{"the context does not change", "{{^f}}{{x}}{{/f}}",
	 "{\"f\": false, \"x\": \"root\"}", "root"},
	{"beside a section", "{{#b}}on{{/b}}{{^b}}off{{/b}}",
	 "{\"b\": false}", "off"},
	{"nested in a section", "{{#l}}{{^last}}{{n}},{{/last}}{{/l}}",
	 "{\"l\": [{\"n\": 1}, {\"n\": 2, \"last\": true}]}", "1,"},
	{"dotted names", "{{^a.b.c}}1{{/a.b.c}}{{^a.b.t}}2{{/a.b.t}}"
	 "{{^a.x.y}}3{{/a.x.y}}", "{\"a\": {\"b\": {\"t\": true}}}", "13"},
	{"standalone lines vanish", "|\n{{^b}}\nx\n  {{/b}}\n|",
	 "{\"b\": false}", "|\nx\n|"},
	{"standalone with \\r\\n", "|\r\n{{^b}}\r\n{{/b}}\r\n|",
	 "{\"b\": false}", "|\r\n|"},
	{"spaces inside tags", "|{{^ b }}={{/ b }}|", "{\"b\": false}",
	 "|=|"},
};

static void
test_inverted_sections_follow_the_spec(void)
{
	RUN_CASES(inverted_cases);
}

static const struct render_case comment_cases[] = {
	{"inline", "12345{{! Comment }}67890", "{}", "1234567890"},
	{"over several lines", "12345{{!\n  a\n  b\n}}67890", "{}",
	 "1234567890"},
	{"standalone", "Begin.\n{{! c }}\nEnd.\n", "{}", "Begin.\nEnd.\n"},
	{"indented standalone", "Begin.\n  \t{{! c }}\t\nEnd.\n", "{}",
	 "Begin.\nEnd.\n"},
	{"standalone with \\r\\n", "|\r\n{{! c }}\r\n|", "{}", "|\r\n|"},
	{"standalone on the first line", "  {{! c }}\n!", "{}", "!"},
	{"standalone on the last line", "!\n  {{! c }}", "{}", "!\n"},
	{"standalone over several lines", "Begin.\n{{!\nx\n}}\nEnd.\n", "{}",
	 "Begin.\nEnd.\n"},
	{"indented, over several lines", "Begin.\n  {{!\n  x\n  }}  \nEnd.\n",
	 "{}", "Begin.\nEnd.\n"},
	{"after text on the line", "  12 {{! 34 }}\n", "{}", "  12 \n"},
	{"whitespace around stays", "12345 {{! c }} 67890", "{}",
	 "12345  67890"},
	{"never names a value", "{{! x }}{{! x}}{{!x}}{{!x }}",
	 "{\"! x\": 1, \"!x\": 2, \"x\": 3}", ""},
	{"ends at the first closing delimiter", "{{! a {{b}} }}x", "{}",
	 " }}x"},
};

static void
test_comments_follow_the_spec(void)
{
	RUN_CASES(comment_cases);
}

static const struct render_case delimiter_cases[] = {
	{"a new pair", "{{=<% %>=}}(<%t%>)", "{\"t\": \"Hey!\"}", "(Hey!)"},
	{"special characters", "({{=[ ]=}}[t])", "{\"t\": \"ok\"}", "(ok)"},
	{"long and asymmetric", "{{=<<< >>>=}}<<<t>>> {{t}}",
	 "{\"t\": \"x\"}", "x {{t}}"},
	{"one character each", "{{=| |=}}|t|", "{\"t\": \"x\"}", "x"},
	{"changes back", "{{=<% %>=}}<%t%><%={{ }}=%>{{t}}",
	 "{\"t\": \"x\"}", "xx"},
	{"the triple form with new delimiters", "{{=<% %>=}}<%{t}%><%&t%>",
	 "{\"t\": \"<\"}", "<<"},
	{"sections across a change",
	 "[\n{{#s}}\n  {{d}}\n  |d|\n{{/s}}\n{{= | | =}}\n|#s|\n  {{d}}\n"
	 "  |d|\n|/s|\n]\n", "{\"s\": true, \"d\": \"D\"}",
	 "[\n  D\n  |d|\n  {{d}}\n  D\n]\n"},
	{"inverted sections across a change",
	 "{{=| |=}}|^s|{{x}}|x||/s|", "{\"s\": false, \"x\": 1}", "{{x}}1"},
	{"a change inside a section lasts after it",
	 "{{#s}}{{=< >=}}<x></s><x>{{x}}", "{\"s\": true, \"x\": 1}",
	 "11{{x}}"},
	{"standalone", "Begin.\n{{=@ @=}}\nEnd.\n", "{}", "Begin.\nEnd.\n"},
	{"indented standalone", "Begin.\n  {{=@ @=}}\nEnd.\n", "{}",
	 "Begin.\nEnd.\n"},
	{"standalone with \\r\\n", "|\r\n{{= @ @ =}}\r\n|", "{}", "|\r\n|"},
	{"standalone on the first line", "  {{=@ @=}}\n=", "{}", "="},
	{"standalone on the last line", "=\n  {{=@ @=}}", "{}", "=\n"},
	{"whitespace around stays", "| {{=@ @=}} |", "{}", "|  |"},
	{"after text on the line", " | {{=@ @=}}\n", "{}", " | \n"},
	{"spaces inside the tag", "|{{= @   @ =}}|", "{}", "||"},
};

static void
test_set_delimiters_follow_the_spec(void)
{
	RUN_CASES(delimiter_cases);
}

/* The example: nginx upstream lines from a sample catalog. */
static const char sample_catalog[] =
	"{\"web\": ["
	"  {\"id\": \"web-1\", \"address\": \"10.0.0.1\", \"port\": 80,"
	"   \"node\": \"n1\", \"tags\": [\"v1\", \"blue\"],"
	"   \"meta\": {\"weight\": \"5\"}},"
	"  {\"id\": \"web-2\", \"address\": \"10.0.0.2\", \"port\": 8080,"
	"   \"node\": \"n2\", \"tags\": [], \"meta\": {}}],"
	" \"db\": [],"
	" \"services\": [{\"name\": \"web\"}, {\"name\": \"db\"}],"
	" \"nodes\": [{\"name\": \"n1\", \"address\": \"10.0.0.1\"},"
	"   {\"name\": \"n2\", \"address\": \"10.0.0.2\"}]}";

static const struct render_case upstream_cases[] = {
	{"the issue's one-liner",
	 "{{#web}}server {{address}}:{{port}};{{/web}}", sample_catalog,
	 "server 10.0.0.1:80;server 10.0.0.2:8080;"},
	{"an nginx upstream block",
	 "upstream web {\n"
	 "{{#web}}\n"
	 "    server {{{address}}}:{{port}}"
	 "{{#meta.weight}} weight={{{meta.weight}}}{{/meta.weight}};"
	 " # {{id}} on {{node}}{{#tags}} {{.}}{{/tags}}\n"
	 "{{/web}}\n"
	 "{{^web}}\n"
	 "    server 127.0.0.1:65535 down;\n"
	 "{{/web}}\n"
	 "}\n", sample_catalog,
	 "upstream web {\n"
	 "    server 10.0.0.1:80 weight=5; # web-1 on n1 v1 blue\n"
	 "    server 10.0.0.2:8080; # web-2 on n2\n"
	 "}\n"},
	{"a service without instances",
	 "upstream db {\n{{#db}}\n  server {{{address}}};\n{{/db}}\n"
	 "{{^db}}\n  server 127.0.0.1:65535 down;\n{{/db}}\n}\n",
	 sample_catalog,
	 "upstream db {\n  server 127.0.0.1:65535 down;\n}\n"},
	{"services and nodes",
	 "{{#services}}{{name}} {{/services}}|"
	 "{{#nodes}}{{name}}={{address}} {{/nodes}}", sample_catalog,
	 "web db |n1=10.0.0.1 n2=10.0.0.2 "},
};

static void
test_upstream_example_renders_nginx_lines(void)
{
	RUN_CASES(upstream_cases);
}

static void
test_root_names_are_listed_sorted_and_distinct(void)
{
	const char *s = "{{#web}}{{address}}{{/web}}{{db.x}}{{.}}{{{api}}}"
			"{{^web}}{{/web}}{{! comment }}{{&db}}{{#.}}{{/.}}";
	struct mustache *t;
	ASSERT_OK(mustache_parse(&t, s, strlen(s), NULL));
	ASSERT_EQ(mustache_name_count(t), 4);
	ASSERT_STR_EQ(mustache_name(t, 0), "address");
	ASSERT_STR_EQ(mustache_name(t, 1), "api");
	ASSERT_STR_EQ(mustache_name(t, 2), "db");
	ASSERT_STR_EQ(mustache_name(t, 3), "web");
	ASSERT_NULL(mustache_name(t, 4));
	mustache_delete(t);

	ASSERT_OK(mustache_parse(&t, "plain {{.}}", 11, NULL));
	ASSERT_EQ(mustache_name_count(t), 0);
	mustache_delete(t);
	mustache_delete(NULL);
}

/* A template that does not compile, and where and why. */
struct error_case {
	const char *template;
	unsigned line, column;
	const char *message;
};

static const struct error_case error_cases[] = {
	{"a\nb {{name", 2, 3, "unclosed tag (no \"}}\")"},
	{"{{{x}}", 1, 1, "unclosed tag (no \"}}}\")"},
	{"x {{! never closed", 1, 3, "unclosed tag (no \"}}\")"},
	{"{{", 1, 1, "unclosed tag (no \"}}\")"},
	{"{{=<% %>}}", 1, 1, "unclosed tag (no \"=}}\")"},
	{"{{=<% %>=}}\n <%x", 2, 2, "unclosed tag (no \"%>\")"},
	{"x\n  {{#web}}\n{{address}}\n", 2, 3, "unclosed section \"web\""},
	{"{{#a}}{{#b}}{{/b}}", 1, 1, "unclosed section \"a\""},
	{"{{=<% %>=}}\n<%^a%>", 2, 1, "unclosed section \"a\""},
	{"h\xc3\xa9llo {{#x}}", 1, 7, "unclosed section \"x\""},
	{"{{#a}}\n{{#b}}\n{{/a}}", 3, 1,
	 "closing tag \"a\" does not match open section \"b\" (2:1)"},
	{"x {{/a}}", 1, 3, "closing tag \"a\" without an open section"},
	{"{{#a}}{{/a}}{{/a\tb}}", 1, 13,
	 "closing tag \"a?b\" without an open section"},
	{"{{=<%%>=}}", 1, 1, "invalid delimiters \"<%%>\" (want two words "
	 "without '=', each at most 16 bytes)"},
	{"ok\n{{=a b c=}}", 2, 1, "invalid delimiters \"a b c\" (want two "
	 "words without '=', each at most 16 bytes)"},
	{"{{=a= b=}}", 1, 1, "invalid delimiters \"a= b\" (want two words "
	 "without '=', each at most 16 bytes)"},
	{"{{==}}", 1, 1, "invalid delimiters \"\" (want two words without "
	 "'=', each at most 16 bytes)"},
	{"{{=12345678901234567 x=}}", 1, 1, "invalid delimiters "
	 "\"12345678901234567 x\" (want two words without '=', each at "
	 "most 16 bytes)"},
	{"{{}}", 1, 1, "tag without a name"},
	{" {{# }}", 1, 2, "tag without a name"},
	{"{{a b}}", 1, 1, "invalid name \"a b\""},
	{"{{a..b}}", 1, 1, "invalid name \"a..b\""},
	{"{{.a}}{{a.}}", 1, 1, "invalid name \".a\""},
	{"{{ a.}}", 1, 1, "invalid name \"a.\""},
	{"x\n\n  {{> inc}}", 3, 3, "partials are not supported (\"inc\")"},
};

static void
test_syntax_errors_say_where_and_why(void)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		const struct error_case *c = &error_cases[i];
		struct mustache *t = NULL;
		struct mustache_error err;
		int rc = mustache_parse(&t, c->template, strlen(c->template),
					&err);
		if (rc != RUMOR_EMALFORMED || err.line != c->line ||
		    err.column != c->column ||
		    strcmp(err.message, c->message) != 0)
			fprintf(stderr, "  [%s]: %d %u:%u %s\n", c->template,
				rc, err.line, err.column, err.message);
		ASSERT_EQ(rc, RUMOR_EMALFORMED);
		ASSERT_NULL(t);
		ASSERT_EQ(err.line, c->line);
		ASSERT_EQ(err.column, c->column);
		ASSERT_STR_EQ(err.message, c->message);
	}
	/* Without an error struct the code still tells. */
	struct mustache *t = NULL;
	ASSERT_EQ(mustache_parse(&t, "{{", 2, NULL), RUMOR_EMALFORMED);
	ASSERT_NULL(t);
}

/* count "{{#a}}" then count "{{/a}}". */
static char *
nested(int count)
{
	char *s = malloc((size_t)count * 12 + 2);
	size_t n = 0;
	for (int i = 0; i < count; i++)
		n += (size_t)sprintf(s + n, "{{#a}}");
	n += (size_t)sprintf(s + n, "x");
	for (int i = 0; i < count; i++)
		n += (size_t)sprintf(s + n, "{{/a}}");
	return s;
}

static void
test_nesting_is_capped_at_depth_max(void)
{
	char *s = nested(MUSTACHE_DEPTH_MAX);
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_OK(render(s, strlen(s), "{\"a\": [{\"a\": true}]}", NULL, &out,
			 &size, &err));
	ASSERT_STR_EQ(out, "x");
	free(out);
	free(s);

	s = nested(MUSTACHE_DEPTH_MAX + 1);
	struct mustache *t = NULL;
	ASSERT_EQ(mustache_parse(&t, s, strlen(s), &err), RUMOR_EMALFORMED);
	free(s);
	ASSERT_EQ(err.line, 1);
	ASSERT_EQ(err.column, 1 + 6 * MUSTACHE_DEPTH_MAX);
	ASSERT_STR_EQ(err.message, "sections nested deeper than 32");
}

/* Found by fuzz_mustache: the close tag that grows the node array past
 * 32 must still tell its opener where it is. */
static void
test_a_close_tag_that_grows_the_program_links_its_section(void)
{
	char s[256];
	size_t n = (size_t)sprintf(s, "{{#f}}");
	for (int i = 0; i < 31; i++)
		n += (size_t)sprintf(s + n, "{{x}}");
	sprintf(s + n, "{{/f}}.");
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_OK(render(s, strlen(s), "{\"f\": false, \"x\": 1}", NULL, &out,
			 &size, &err));
	ASSERT_STR_EQ(out, ".");
	free(out);
}

static void
test_template_and_name_sizes_are_capped(void)
{
	char *big = malloc(MUSTACHE_TEMPLATE_SIZE_MAX + 1);
	memset(big, 'x', MUSTACHE_TEMPLATE_SIZE_MAX + 1);
	struct mustache *t = NULL;
	struct mustache_error err;
	ASSERT_EQ(mustache_parse(&t, big, MUSTACHE_TEMPLATE_SIZE_MAX + 1,
				 &err), RUMOR_ETOOBIG);
	ASSERT_NULL(t);
	ASSERT_EQ(err.line, 0);
	ASSERT_STR_EQ(err.message, "template larger than 1048576 bytes");
	/* Exactly the cap compiles, and renders as it is. */
	ASSERT_OK(mustache_parse(&t, big, MUSTACHE_TEMPLATE_SIZE_MAX, &err));
	mustache_delete(t);
	free(big);

	char name[300] = "{{";
	memset(name + 2, 'n', 256);
	strcpy(name + 258, "}}");
	ASSERT_EQ(mustache_parse(&t, name, strlen(name), &err),
		  RUMOR_EMALFORMED);
	ASSERT_STR_EQ(err.message, "name longer than 255 bytes");
	strcpy(name + 257, "}}");
	ASSERT_OK(mustache_parse(&t, name, strlen(name), &err));
	mustache_delete(t);
}

static void
test_output_cap_stops_a_render_at_the_tag(void)
{
	const char *s = "{{#l}}\nabcdefghij{{/l}}";
	const char *data = "{\"l\": [1, 2, 3, 4, 5, 6, 7, 8]}";
	struct mustache_limits limits = {80, 1000};
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_OK(render(s, strlen(s), data, &limits, &out, &size, &err));
	ASSERT_EQ(size, 80);
	free(out);

	limits.output_size_max = 79;
	out = (char *)"untouched";
	ASSERT_EQ(render(s, strlen(s), data, &limits, &out, &size, &err),
		  RUMOR_ELIMIT);
	ASSERT_STR_EQ(out, "untouched");
	ASSERT_EQ(err.line, 2);
	ASSERT_EQ(err.column, 1);
	ASSERT_STR_EQ(err.message, "output larger than 79 bytes");

	/* No cap at all is a cap too large to reach. */
	limits.output_size_max = SIZE_MAX;
	ASSERT_OK(render(s, strlen(s), data, &limits, &out, &size, &err));
	ASSERT_EQ(size, 80);
	free(out);
}

static void
test_step_cap_stops_work_without_output(void)
{
	/* 1 (outer) + 3 * (1 (inner) + 3 (inner END) + 1 (outer END)). */
	const char *s = "{{#l}}{{#l}}{{/l}}{{/l}}";
	const char *data = "{\"l\": [1, 2, 3]}";
	struct mustache_limits limits = {1000, 16};
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_OK(render(s, strlen(s), data, &limits, &out, &size, &err));
	ASSERT_EQ(size, 0);
	ASSERT_STR_EQ(out, "");
	free(out);

	limits.step_max = 15;
	ASSERT_EQ(render(s, strlen(s), data, &limits, &out, &size, &err),
		  RUMOR_ELIMIT);
	ASSERT_EQ(err.line, 1);
	ASSERT_EQ(err.column, 19);
	ASSERT_STR_EQ(err.message, "template does more than 15 steps");
}

static void
test_default_caps_stop_exponential_templates(void)
{
	/* 8 sections over 8 elements: 8^8 = 16.7 million passes. */
	char *s = malloc(200);
	size_t n = 0;
	for (int i = 0; i < 8; i++)
		n += (size_t)sprintf(s + n, "{{#l}}");
	for (int i = 0; i < 8; i++)
		n += (size_t)sprintf(s + n, "{{/l}}");
	const char *data = "{\"l\": [1, 2, 3, 4, 5, 6, 7, 8]}";
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_EQ(render(s, n, data, NULL, &out, &size, &err), RUMOR_ELIMIT);
	ASSERT_STR_EQ(err.message, "template does more than 2097152 steps");
	free(s);

	/* Output doubling per level: 2^30 bytes wanted, 16 MiB allowed. */
	const char *wide = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
			   "0123456789abcdef0123456789abcdef"
			   "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
	const char *data32 = "{\"l\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,"
			     " 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,"
			     " 25, 26, 27, 28, 29, 30, 31, 32]}";
	ASSERT_EQ(render(wide, strlen(wide), data32, NULL, &out, &size, &err),
		  RUMOR_ELIMIT);
	ASSERT_EQ(err.column, 37);
	ASSERT_STR_EQ(err.message, "output larger than 16777216 bytes");
}

static void
test_templates_may_hold_nul_bytes(void)
{
	const char s[] = "a\0{{x}}\0b";
	char *out = NULL;
	size_t size;
	struct mustache_error err;
	ASSERT_OK(render(s, sizeof(s) - 1, "{\"x\": \"v\"}", NULL, &out, &size,
			 &err));
	ASSERT_EQ(size, 5);
	ASSERT_MEM_EQ(out, "a\0v\0b", 6);
	free(out);
}

int
main(void)
{
	RUN(test_interpolation_follows_the_spec);
	RUN(test_sections_follow_the_spec);
	RUN(test_inverted_sections_follow_the_spec);
	RUN(test_comments_follow_the_spec);
	RUN(test_set_delimiters_follow_the_spec);
	RUN(test_upstream_example_renders_nginx_lines);
	RUN(test_root_names_are_listed_sorted_and_distinct);
	RUN(test_syntax_errors_say_where_and_why);
	RUN(test_nesting_is_capped_at_depth_max);
	RUN(test_a_close_tag_that_grows_the_program_links_its_section);
	RUN(test_template_and_name_sizes_are_capped);
	RUN(test_output_cap_stops_a_render_at_the_tag);
	RUN(test_step_cap_stops_work_without_output);
	RUN(test_default_caps_stop_exponential_templates);
	RUN(test_templates_may_hold_nul_bytes);
	return TEST_SUMMARY();
}
