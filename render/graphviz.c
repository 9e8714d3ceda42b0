/* graphviz.c - SVG and PNG through libgvc: the DOT text of render/dot.c is
 * read back with libcgraph, laid out with `dot` and rendered by Graphviz.
 *
 * Determinism: cgraph's default ID discipline uses the address of a name's
 * interned copy as the object's ID, and subgraphs (our namespace clusters)
 * are kept in ID order, so the drawing's element order depended on heap
 * addresses (it differed between runs and between builds). seq_id below
 * numbers names in the order they are first seen instead. */
#include "render/diagram.h"

#include <stdlib.h>
#include <string.h>
#include <gvc.h>

typedef struct seq_ids {
	char **names;   /* by id / 2 - 1 */
	size_t n, cap;
	size_t *slots;  /* hash of names -> index + 1 */
	size_t nslots;
	IDTYPE anon;
} seq_ids;

static size_t name_hash(const char *s)
{
	return tm_hash_str(s, strlen(s));
}

static void *seq_open(Agraph_t *g, Agdisc_t *disc)
{
	(void)g;
	(void)disc;
	seq_ids *s = calloc(1, sizeof *s);
	s->nslots = 256;
	s->slots = calloc(s->nslots, sizeof *s->slots);
	s->anon = 1;
	return s;
}

static void seq_rehash(seq_ids *s)
{
	size_t nn = s->nslots * 2;
	size_t *ns = calloc(nn, sizeof *ns);
	for (size_t i = 0; i < s->n; i++) {
		size_t h = name_hash(s->names[i]) & (nn - 1);
		while (ns[h])
			h = (h + 1) & (nn - 1);
		ns[h] = i + 1;
	}
	free(s->slots);
	s->slots = ns;
	s->nslots = nn;
}

static long seq_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	seq_ids *s = state;
	(void)objtype;
	if (!str) {
		*id = s->anon; /* odd: anonymous */
		s->anon += 2;
		return 1;
	}
	size_t h = name_hash(str) & (s->nslots - 1);
	while (s->slots[h]) {
		if (!strcmp(s->names[s->slots[h] - 1], str)) {
			*id = (IDTYPE)s->slots[h] * 2;
			return 1;
		}
		h = (h + 1) & (s->nslots - 1);
	}
	if (!createflag) {
		*id = 0; /* names nothing */
		return 1;
	}
	TM_HEAP_GROW(s->names, s->n, s->cap);
	s->names[s->n] = strdup(str);
	s->slots[h] = ++s->n;
	*id = (IDTYPE)s->n * 2;
	if (s->n * 2 > s->nslots)
		seq_rehash(s);
	return 1;
}

static long seq_alloc(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
	return 0;
}

static void seq_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *seq_print(void *state, int objtype, IDTYPE id)
{
	seq_ids *s = state;
	(void)objtype;
	if (id % 2 || id == 0 || id / 2 > s->n)
		return NULL;
	return s->names[id / 2 - 1];
}

static void seq_close(void *state)
{
	seq_ids *s = state;
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->slots);
	free(s);
}

static void seq_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

static Agiddisc_t seq_iddisc = {seq_open, seq_map, seq_alloc, seq_free, seq_print, seq_close, seq_register};

tm_err tm_gv_render(const char *dot, size_t len, const char *fmt, FILE *out)
{
	tm_err rc = TM_OK;
	/* One Graphviz context per process: its pango plugin caches font data
	 * across contexts, so a second gvContext() after gvFreeContext() reads
	 * freed memory (seen under ASan in libgvplugin_pango). The context is
	 * process-lifetime state, like Graphviz's own plugin tables. */
	static GVC_t *gvc;
	if (!gvc)
		gvc = gvContext();
	Agdisc_t disc = {&AgMemDisc, &seq_iddisc, &AgIoDisc};
	FILE *in = fmemopen((void *)dot, len, "r");
	Agraph_t *ag = in ? agread(in, &disc) : NULL;
	if (in)
		fclose(in);
	if (!ag)
		return TM_ERR_INVALID;
	/* newrank: Graphviz 2.42's default ranking of clusters fails on dense
	 * graphs ("trouble in init_rank", a hang), and gvFreeLayout() then frees
	 * twice (seen with 6 pods in 2 namespaces; the same in a bare libgvc
	 * program, not ours). With newrank both go away. */
	agattr(ag, AGRAPH, "newrank", "true");
	agattr(ag, AGRAPH, "rankdir", "LR");
	agattr(ag, AGRAPH, "fontname", "Helvetica");
	agattr(ag, AGNODE, "fontname", "Helvetica");
	agattr(ag, AGNODE, "shape", "box");
	agattr(ag, AGEDGE, "fontname", "Helvetica");
	agattr(ag, AGEDGE, "fontsize", "10");
	if (gvLayout(gvc, ag, "dot") != 0) {
		rc = TM_ERR_INVALID;
		goto close;
	}
	char *data = NULL;
	unsigned int dlen = 0;
	if (gvRenderData(gvc, ag, fmt, &data, &dlen) != 0 || !data)
		rc = TM_ERR_INVALID;
	else {
		fwrite(data, 1, dlen, out);
		gvFreeRenderData(data);
	}
	gvFreeLayout(gvc, ag);
close:
	agclose(ag);
	if (rc == TM_OK && ferror(out))
		rc = TM_ERR_IO;
	return rc;
}

/* conn -f svg|png: conn's own DOT (NPA's layout) drawn */
static tm_err render_conn(const tm_render_in *ri, FILE *out, const char *fmt)
{
	char *dot = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&dot, &len);
	if (!mem)
		return TM_ERR_NOMEM;
	tm_render_conn_dot(ri, mem);
	fclose(mem);
	tm_err rc = tm_gv_render(dot, len, fmt, out);
	free(dot);
	return rc;
}

/* graph: the annotated diagram drawn */
static tm_err render_diagram(const tm_render_in *ri, FILE *out, const char *fmt)
{
	char *dot = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&dot, &len);
	if (!mem)
		return TM_ERR_NOMEM;
	tm_render_graph_dot(ri, mem);
	fclose(mem);
	tm_err rc = tm_gv_render(dot, len, fmt, out);
	free(dot);
	return rc;
}

tm_err tm_render_graph_svg(const tm_render_in *in, FILE *out)
{
	return render_diagram(in, out, "svg");
}

tm_err tm_render_graph_png(const tm_render_in *in, FILE *out)
{
	return render_diagram(in, out, "png");
}

tm_err tm_render_conn_svg(const tm_render_in *in, FILE *out)
{
	return render_conn(in, out, "svg");
}

tm_err tm_render_conn_png(const tm_render_in *in, FILE *out)
{
	return render_conn(in, out, "png");
}
