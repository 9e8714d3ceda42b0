/* fuzz_zones.c - libFuzzer harness: the trust zones file (ingest/manifest/zones.c on
 * top of ingest/manifest/doc.c), then zone membership and rule evaluation over a small
 * fixed cluster, and every findings renderer (written to /dev/null). Built
 * and run by tests/fuzz/run.sh; seeds in tests/fuzz/corpus/fuzz_zones/. The
 * input buffer is not NUL-terminated, so AddressSanitizer sees any read past
 * its end; everything is freed, so LeakSanitizer reports any leak. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/manifest/zones.h"
#include "analyzer/check.h"
#include "render/findings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cluster[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {tier: frontend}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {compliance: pci}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: site, namespace: web}\n"
	"spec: {template: {metadata: {labels: {app: site}}, spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: pay}\n"
	"spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: i}]}}}\n---\n"
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: pay}\n"
	"spec: {podSelector: {matchLabels: {app: api}}, ingress: [{from: [{namespaceSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 8443}]}]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	tm_model *m = tm_model_new();
	if (tm_load_buffer(m, "cluster.yaml", cluster, sizeof cluster - 1, false, &o) != TM_OK ||
	    tm_load_finish(m, &o) != TM_OK)
		abort(); /* the fixed cluster must always load */
	tm_zones *z = NULL;
	tm_err rc = tm_zones_parse(m, "zones.yaml", (const char *)data, size, &z);
	if ((rc == TM_OK) != (z != NULL))
		abort();
	if (rc != TM_OK && m->diags.nerrors == 0)
		abort(); /* a rejected zones file always says why */
	if (z) {
		tm_conn_opts co;
		tm_conn_opts_default(&co);
		tm_graph *g = NULL;
		if (tm_conn_compute(m, &co, &g) == TM_OK) {
			tm_findings f;
			tm_findings_init(&f);
			tm_check_all(g, z, &f);
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				tm_render_in ro = {.findings = &f, .zones = "zones.yaml", .base_dir = "/tmp"};
				const char *fmts[] = {"txt", "json", "sarif", "md"};
				for (size_t i = 0; i < 4; i++)
					tm_renderer_find(TM_SUBJECT_FINDINGS, fmts[i])->render(&ro, null);
				fclose(null);
			}
			tm_findings_release(&f);
		}
		tm_graph_free(g);
		tm_zones_free(z);
	}
	tm_model_free(m);
	return 0;
}
