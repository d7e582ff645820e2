/*
 * sim_plot: an SVG of a run, written by hand (no dependencies). The story
 * it tells: over virtual time, how many members each live node sees alive
 * (a band from the minimum to the maximum over nodes, the median as a
 * line), how many nodes are live (dashed: where the band should sit), the
 * mean number of members a node suspects (a thin orange line on the same
 * axis), and every scenario event as a labeled vertical marker.
 * A partition shows as the band dropping to the group sizes; the heal as
 * it climbing back to the live line.
 */
#include <inttypes.h>

#include "sim_report.h"

#define W 1000
#define H 560
#define ML 80	/* margins: left, right, top, bottom */
#define MR 30
#define MT 70
#define MB 60

struct plot {
	FILE *out;
	double x_max;	/* seconds */
	double y_max;	/* members */
};

static double
px(const struct plot *p, double t)
{
	return ML + t / p->x_max * (W - ML - MR);
}

static double
py(const struct plot *p, double v)
{
	if (v > p->y_max)
		v = p->y_max;
	return H - MB - v / p->y_max * (H - MT - MB);
}

/* 1, 2 or 5 times a power of ten, about range / 8. */
static double
nice_step(double range)
{
	double raw = range / 8, pow10 = 1;
	while (pow10 * 10 <= raw)
		pow10 *= 10;
	while (pow10 > raw && pow10 > 1e-9)
		pow10 /= 10;
	double f = raw / pow10;
	return pow10 * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
}

static void
axes(const struct plot *p)
{
	FILE *o = p->out;
	fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"#fcfcfc\" stroke=\"#333\"/>\n", ML, MT, W - ML - MR,
		H - MT - MB);
	double xs = nice_step(p->x_max), ys = nice_step(p->y_max);
	for (double t = 0; t <= p->x_max + 1e-9; t += xs) {
		double x = px(p, t);
		fprintf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">%g</text>\n", x, MT, x, H - MB,
			x, H - MB + 18, t);
	}
	for (double v = 0; v <= p->y_max + 1e-9; v += ys) {
		double y = py(p, v);
		fprintf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">%g</text>\n", ML, y, W - MR, y,
			ML - 6, y + 4, v);
	}
	fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">virtual "
		"time (s)</text>\n", (ML + W - MR) / 2, H - 18);
	fprintf(o, "<text transform=\"translate(22,%d) rotate(-90)\" "
		"text-anchor=\"middle\">members seen alive</text>\n",
		(MT + H - MB) / 2);
}

static void
band(const struct plot *p, const struct sim_results *res)
{
	FILE *o = p->out;
	fputs("<polygon fill=\"#9ecae1\" fill-opacity=\"0.7\" stroke=\"none\" "
	      "points=\"", o);
	for (size_t k = 0; k < res->sample_count; k++)
		fprintf(o, "%.1f,%.1f ", px(p, res->samples[k].t_ms / 1000.0),
			py(p, res->samples[k].alive_max));
	for (size_t k = res->sample_count; k > 0; k--)
		fprintf(o, "%.1f,%.1f ",
			px(p, res->samples[k - 1].t_ms / 1000.0),
			py(p, res->samples[k - 1].alive_min));
	fputs("\"/>\n", o);
}

static void
series(const struct plot *p, const struct sim_results *res, int which,
       const char *style)
{
	FILE *o = p->out;
	fprintf(o, "<polyline fill=\"none\" %s points=\"", style);
	for (size_t k = 0; k < res->sample_count; k++) {
		const struct sim_sample *s = &res->samples[k];
		double v = which == 0 ? s->alive_median
			 : which == 1 ? s->live
			 : s->live ? (double)s->suspects / s->live : 0;
		fprintf(o, "%.1f,%.1f ", px(p, s->t_ms / 1000.0), py(p, v));
	}
	fputs("\"/>\n", o);
}

static void
markers(const struct plot *p, const struct sim_results *res)
{
	FILE *o = p->out;
	for (size_t k = 0; k < res->mark_count; k++) {
		const struct sim_mark *m = &res->marks[k];
		double x = px(p, m->t_ms / 1000.0);
		fprintf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#d62728\" stroke-dasharray=\"4,3\"/>\n", x,
			MT, x, H - MB);
		fprintf(o, "<text transform=\"translate(%.1f,%d) "
			"rotate(-90)\" text-anchor=\"end\" font-size=\"11\" "
			"fill=\"#d62728\">%.1fs ", x + 12, MT + 4,
			m->t_ms / 1000.0);
		for (const char *c = m->label; *c; c++) {
			if (*c == '<')
				fputs("&lt;", o);
			else if (*c == '>')
				fputs("&gt;", o);
			else if (*c == '&')
				fputs("&amp;", o);
			else
				fputc(*c, o);
		}
		fputs("</text>\n", o);
	}
}

static void
legend(const struct plot *p)
{
	FILE *o = p->out;
	int x = W - MR - 300, y = H - MB - 80;
	fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"290\" height=\"72\" "
		"fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n",
		x, y);
	fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"10\" "
		"fill=\"#9ecae1\"/><text x=\"%d\" y=\"%d\">min..max over "
		"nodes</text>\n", x + 8, y + 8, x + 40, y + 17);
	fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#08519c\" stroke-width=\"2\"/><text x=\"%d\" "
		"y=\"%d\">median node</text>\n", x + 8, y + 31, x + 32,
		y + 31, x + 40, y + 35);
	fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#444\" stroke-dasharray=\"6,4\"/><text x=\"%d\" "
		"y=\"%d\">live nodes (converged = band on it)</text>\n",
		x + 8, y + 47, x + 32, y + 47, x + 40, y + 51);
	fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#ff7f0e\"/><text x=\"%d\" y=\"%d\">suspect entries "
		"per node (mean)</text>\n", x + 8, y + 63, x + 32, y + 63,
		x + 40, y + 67);
}

void
sim_report_svg(FILE *out, const struct sim *sim,
	       const struct sim_report_info *info)
{
	const struct sim_results *res = sim_results(sim);
	struct plot p = {.out = out,
			 .x_max = info->duration_ms / 1000.0,
			 .y_max = (double)sim_node_max(sim)};
	if (p.x_max <= 0)
		p.x_max = 1;
	p.y_max = p.y_max + nice_step(p.y_max) - 1e-9;
	p.y_max = (double)(uint64_t)(p.y_max / nice_step(p.y_max)) *
		  nice_step(p.y_max);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"13\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		W, H);
	fprintf(out, "<text x=\"%d\" y=\"26\" text-anchor=\"middle\" "
		"font-size=\"18\">How many members each node sees alive "
		"(%zu nodes, seed %" PRIu64 ")</text>\n", W / 2,
		sim_options(sim)->node_count, sim_options(sim)->seed);
	fprintf(out, "<text x=\"%d\" y=\"46\" text-anchor=\"middle\" "
		"font-size=\"11\" fill=\"#555\">%s</text>\n", W / 2,
		info->command ? info->command : "");
	axes(&p);
	band(&p, res);
	series(&p, res, 2, "stroke=\"#ff7f0e\" stroke-width=\"1\"");
	series(&p, res, 1, "stroke=\"#444\" stroke-dasharray=\"6,4\"");
	series(&p, res, 0, "stroke=\"#08519c\" stroke-width=\"2\"");
	markers(&p, res);
	legend(&p);
	fputs("</svg>\n", out);
}
