/* test_flowlog.c - the flow-log building blocks (ingest/flowlog/): the line
 * reader's bound (a line far over the limit is skipped, counted, reported,
 * and the lines after it are read), the JSON scanner (escapes, types,
 * truncation, nesting), RFC 3339 and epoch times; the Hubble reader's
 * folding of a reply into its connection; the ssl.log line a Zeek
 * connection's TLS facts came from, and the Hubble event that showed
 * plaintext; where a record read back from a summary was observed and
 * read; the wording of evidence kinds and of where evidence is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/flowjson/flowjson.h"
#include "ingest/flowlog/flowlog.h"
#include "ingest/flowlog/jscan.h"
#include "ingest/flowlog/lines.h"
#include "ingest/hubble/hubble.h"
#include "ingest/zeek/zeek.h"
#include "model/findings.h"

static void test_long_line(void **state)
{
	(void)state;
	char path[] = "/tmp/tm_flowlog_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("first\n", f);
	/* 5 MiB without a newline against a 1 MiB limit */
	char *big = malloc(1 << 20);
	memset(big, 'x', 1 << 20);
	for (int i = 0; i < 5; i++)
		fwrite(big, 1, 1 << 20, f);
	fputs("\nlast\r\n", f);
	fclose(f);
	free(big);
	tm_flowset *fs = tm_flowset_new();
	tm_lines l;
	assert_int_equal(tm_lines_open(&l, fs, path, 0), TM_OK);
	char *s;
	size_t n;
	assert_true(tm_lines_next(&l, &s, &n));
	assert_string_equal(s, "first");
	assert_true(tm_lines_next(&l, &s, &n));
	assert_string_equal(s, "last");
	assert_int_equal(l.lineno, 3);
	assert_false(tm_lines_next(&l, &s, &n));
	assert_int_equal(l.too_long, 1);
	assert_int_equal(tm_lines_close(&l), TM_OK);
	assert_int_equal(fs->diags.n, 1);
	assert_int_equal(fs->diags.v[0].loc.line, 2);
	tm_flowset_free(fs);
	unlink(path);
}

static void test_jscan(void **state)
{
	(void)state;
	char scratch[256];
	const char *in = "{\"a\\u0041\": \"x\\n\\\"y\", \"n\": \"18446744073709551615\", \"b\": [true, null, {}], \"c\": 7}";
	tm_js j;
	tm_js_str k, v;
	uint64_t u;
	bool b;
	tm_js_init(&j, in, strlen(in), scratch, sizeof scratch);
	assert_true(tm_js_obj(&j));
	assert_true(tm_js_key(&j, &k));
	assert_true(tm_js_is(k, "aA"));
	assert_true(tm_js_string(&j, &v));
	assert_int_equal(v.n, 4);
	assert_memory_equal(v.s, "x\n\"y", 4);
	assert_true(tm_js_key(&j, &k));
	assert_true(tm_js_u64(&j, &u));
	assert_true(u == UINT64_MAX);
	assert_true(tm_js_key(&j, &k));
	assert_false(tm_js_bool(&j, &b)); /* an array: skipped, no error */
	assert_null(j.err);
	assert_true(tm_js_key(&j, &k));
	assert_true(tm_js_u64(&j, &u));
	assert_int_equal(u, 7);
	assert_false(tm_js_key(&j, &k));
	assert_true(tm_js_done(&j));
	/* truncated, and too deep */
	const char *bad = "{\"a\": [1, 2";
	tm_js_init(&j, bad, strlen(bad), scratch, sizeof scratch);
	assert_false(tm_js_skip(&j));
	assert_non_null(j.err);
	char deep[200];
	memset(deep, '[', sizeof deep);
	tm_js_init(&j, deep, sizeof deep, scratch, sizeof scratch);
	assert_false(tm_js_skip(&j));
	assert_string_equal(j.err, "nested too deeply");
}

static void test_times(void **state)
{
	(void)state;
	int64_t us;
	assert_true(tm_time_rfc3339("1970-01-01T00:00:01.5Z", 22, &us));
	assert_int_equal(us, 1500000);
	assert_true(tm_time_rfc3339("2026-11-23T10:00:00.123456789+01:00", 35, &us));
	assert_int_equal(us, 1795424400123456LL);
	assert_false(tm_time_rfc3339("2026-13-01T00:00:00Z", 20, &us));
	assert_true(tm_time_epoch("1795462816.496686", 17, &us));
	assert_int_equal(us, 1795462816496686LL);
	assert_false(tm_time_epoch("12x", 3, &us));
}

/* one verdict of many (events of a connection, records of it merged): every
 * value its own rank, so the stronger is one answer in either order; a drop
 * at any point outranks passing one */
static void test_verdict_rank(void **state)
{
	(void)state;
	for (int a = TM_VERDICT_NONE; a <= TM_VERDICT_UNKNOWN; a++)
		for (int b = a + 1; b <= TM_VERDICT_UNKNOWN; b++)
			assert_int_not_equal(tm_flow_verdict_rank((tm_flow_verdict)a), tm_flow_verdict_rank((tm_flow_verdict)b));
	assert_true(tm_flow_verdict_rank(TM_VERDICT_DROPPED) > tm_flow_verdict_rank(TM_VERDICT_ERROR));
	assert_true(tm_flow_verdict_rank(TM_VERDICT_ERROR) > tm_flow_verdict_rank(TM_VERDICT_FORWARDED));
	for (int v = TM_VERDICT_FORWARDED + 1; v <= TM_VERDICT_UNKNOWN; v++)
		if (v != TM_VERDICT_DROPPED && v != TM_VERDICT_ERROR)
			assert_true(tm_flow_verdict_rank(TM_VERDICT_FORWARDED) > tm_flow_verdict_rank((tm_flow_verdict)v));
	assert_true(tm_flow_verdict_rank(TM_VERDICT_UNKNOWN) > tm_flow_verdict_rank(TM_VERDICT_NONE));
	assert_int_equal(tm_flow_verdict_rank((tm_flow_verdict)200), tm_flow_verdict_rank(TM_VERDICT_UNKNOWN));
}

static void test_hubble_fold(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"{\"flow\":{\"time\":\"2026-01-01T00:00:00Z\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\"},\"l4\":{\"TCP\":{\"source_port\":40000,\"destination_port\":80,\"flags\":{\"SYN\":true}}}}}",
		/* the reply, is_reply absent: a SYN-ACK */
		"{\"time\":\"2026-01-01T00:00:01Z\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.0.0.2\",\"destination\":\"10.0.0.1\"},\"l4\":{\"TCP\":{\"source_port\":80,\"destination_port\":40000,\"flags\":{\"SYN\":true,\"ACK\":true}}}}",
		"{\"flow\":{\"time\":\"2026-01-01T00:00:02Z\",\"verdict\":\"DROPPED\",\"drop_reason_desc\":\"POLICY_DENIED\",\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\"},\"l4\":{\"TCP\":{\"source_port\":40000,\"destination_port\":80}}}}",
	};
	tm_flowset *fs = tm_flowset_new();
	tm_hubble *h = tm_hubble_new(fs, 0);
	for (size_t i = 0; i < 3; i++)
		tm_hubble_line(h, lines[i], strlen(lines[i]));
	tm_hubble_finish(h);
	assert_int_equal(fs->nflows, 2);
	assert_int_equal(fs->flows[0].packets, 2);
	assert_int_equal(fs->flows[0].srv_port, 80);
	assert_int_equal(fs->flows[0].verdict, TM_VERDICT_FORWARDED);
	assert_int_equal(fs->flows[1].verdict, TM_VERDICT_DROPPED);
	/* each record at the line of its first event */
	assert_int_equal(tm_flow_pos_of(fs, &fs->flows[0]), 1);
	assert_int_equal(tm_flow_pos_of(fs, &fs->flows[1]), 3);
	assert_true(fs->flows[1].flags & TM_FLOW_F_POLICY_DROP);
	assert_int_equal(tm_flowset_counter(fs, "hubble_replies")->value, 1);
	tm_hubble_free(h);
	tm_flowset_free(fs);
}

/* one Hubble event line: verdict, source and destination ends, node,
 * direction, is_reply ("true"/"false"), TCP flags, extra members */
static void hline(char *out, size_t n, const char *t, const char *verdict, const char *src, unsigned sport,
		  const char *dst, unsigned dport, const char *node, const char *dir, const char *reply,
		  const char *flags, const char *extra)
{
	snprintf(out, n,
		 "{\"flow\":{\"time\":\"2026-01-01T00:00:00.%sZ\",\"verdict\":\"%s\",\"IP\":{\"source\":\"%s\","
		 "\"destination\":\"%s\"},\"l4\":{\"TCP\":{\"source_port\":%u,\"destination_port\":%u,\"flags\":{%s}}},"
		 "\"traffic_direction\":\"%s\",\"is_reply\":%s%s},\"node_name\":\"%s\"}",
		 t, verdict, src, dst, sport, dport, flags, dir, reply, extra, node);
}

static tm_flowset *hubble_lines(const char *const *lines, size_t n)
{
	tm_flowset *fs = tm_flowset_new();
	tm_hubble *h = tm_hubble_new(fs, 0);
	for (size_t i = 0; i < n; i++)
		tm_hubble_line(h, lines[i], strlen(lines[i]));
	tm_hubble_finish(h);
	tm_hubble_free(h);
	return fs;
}

/* Hubble Relay: one connection forwarded by the source's node at egress and
 * dropped by the destination's at ingress (one SYN each) is one DROPPED
 * record naming the drop's node, direction and reason, whichever event
 * comes first; both events counted. Both pods on one node (its egress and
 * its ingress) the same. */
static void test_hubble_relay_fold(void **state)
{
	(void)state;
	char fwd[1024], drop[1024], fwd1[1024], drop1[1024];
	hline(fwd, sizeof fwd, "000001", "FORWARDED", "10.0.0.1", 40000, "10.0.1.2", 5432, "node-a", "EGRESS", "false",
	      "\"SYN\":true", ",\"egress_allowed_by\":[{\"name\":\"out\",\"namespace\":\"a\"}]");
	hline(drop, sizeof drop, "000051", "DROPPED", "10.0.0.1", 40000, "10.0.1.2", 5432, "node-b", "INGRESS", "false",
	      "\"SYN\":true", ",\"drop_reason_desc\":\"POLICY_DENIED\"");
	hline(fwd1, sizeof fwd1, "000001", "FORWARDED", "10.0.0.1", 40000, "10.0.0.2", 5432, "node-a", "EGRESS", "false",
	      "\"SYN\":true", "");
	hline(drop1, sizeof drop1, "000009", "DROPPED", "10.0.0.1", 40000, "10.0.0.2", 5432, "node-a", "INGRESS", "false",
	      "\"SYN\":true", ",\"drop_reason_desc\":\"POLICY_DENIED\"");
	const char *const cases[][2] = {{fwd, drop}, {drop, fwd}, {fwd1, drop1}, {drop1, fwd1}};
	for (size_t c = 0; c < TM_ARRAY_LEN(cases); c++) {
		tm_flowset *fs = hubble_lines(cases[c], 2);
		assert_int_equal(fs->nflows, 1);
		const tm_flow *f = &fs->flows[0];
		const tm_flow_meta *m = tm_flow_meta_of(fs, f);
		assert_int_equal(f->verdict, TM_VERDICT_DROPPED);
		assert_true(f->flags & TM_FLOW_F_POLICY_DROP);
		assert_int_equal(f->cli_port, 40000);
		assert_int_equal(f->packets, 2);
		assert_int_equal(m->events, 2);
		assert_string_equal(m->node, c < 2 ? "node-b" : "node-a");
		assert_string_equal(m->direction, "INGRESS");
		assert_string_equal(m->drop_reason, "POLICY_DENIED");
		/* the ingress drop (default deny) names no policy, and the egress
		 * policy that let it out did not decide: none is named */
		assert_null(m->policy);
		/* the record starts at the connection's first event, its first line */
		assert_int_equal(tm_flow_pos_of(fs, f), 1);
		assert_int_equal(f->first_us, 1767225600000001LL);
		assert_int_equal(tm_flowset_counter(fs, "hubble_events")->value, 2);
		assert_int_equal(tm_flowset_counter(fs, "hubble_dropped")->value, 1);
		assert_int_equal(tm_flowset_counter(fs, "hubble_drops_folded")->value, 1);
		assert_int_equal(tm_flowset_counter(fs, "hubble_connections")->value, 1);
		tm_flowset_free(fs);
	}
}

/* *_denied_by names the policy of a drop: "Kind ns/name", over the drop's
 * own *_allowed_by and over the egress policy of the forwarded point it is
 * folded with; a list's first policy with a name; none for a forwarded event
 * that lists only a denial; a cluster-wide policy has no namespace. */
static void test_hubble_denied_by(void **state)
{
	(void)state;
	char fwd[1024], drop[1024], cw[1024], only[1024];
	hline(fwd, sizeof fwd, "000001", "FORWARDED", "10.0.0.1", 40000, "10.0.1.2", 5432, "node-a", "EGRESS", "false",
	      "\"SYN\":true", ",\"egress_allowed_by\":[{\"name\":\"out\",\"namespace\":\"a\"}]");
	hline(drop, sizeof drop, "000051", "DROPPED", "10.0.0.1", 40000, "10.0.1.2", 5432, "node-b", "INGRESS", "false",
	      "\"SYN\":true",
	      ",\"drop_reason_desc\":\"POLICY_DENY\",\"ingress_allowed_by\":[{\"name\":\"in\",\"namespace\":\"b\"}],"
	      "\"ingress_denied_by\":[{\"revision\":3},{\"name\":\"deny\",\"namespace\":\"b\",\"labels\":[\"x=y\"],"
	      "\"kind\":\"CiliumNetworkPolicy\"},{\"name\":\"second\",\"namespace\":\"b\"}]");
	hline(cw, sizeof cw, "000100", "DROPPED", "10.0.0.1", 40001, "10.0.9.9", 443, "node-a", "EGRESS", "false",
	      "\"SYN\":true", ",\"egress_denied_by\":[{\"name\":\"no-out\",\"kind\":\"CiliumClusterwideNetworkPolicy\"}]");
	hline(only, sizeof only, "000200", "FORWARDED", "10.0.0.1", 40002, "10.0.1.2", 80, "node-b", "INGRESS", "false",
	      "\"SYN\":true", ",\"ingress_denied_by\":[{\"name\":\"stale\",\"namespace\":\"b\"}]");
	const char *const cases[][4] = {{fwd, drop, cw, only}, {drop, fwd, only, cw}};
	for (size_t c = 0; c < TM_ARRAY_LEN(cases); c++) {
		tm_flowset *fs = hubble_lines(cases[c], 4);
		assert_int_equal(fs->nflows, 3);
		for (size_t i = 0; i < fs->nflows; i++) {
			const tm_flow *f = &fs->flows[i];
			const tm_flow_meta *m = tm_flow_meta_of(fs, f);
			if (f->srv_port == 5432) {
				assert_int_equal(f->verdict, TM_VERDICT_DROPPED);
				assert_string_equal(m->policy, "CiliumNetworkPolicy b/deny");
			} else if (f->srv_port == 443) {
				assert_string_equal(m->policy, "CiliumClusterwideNetworkPolicy no-out");
			} else {
				assert_int_equal(f->verdict, TM_VERDICT_FORWARDED);
				assert_null(m->policy);
			}
		}
		assert_int_equal(tm_flowset_counter(fs, "hubble_unknown_fields")->value, 0);
		tm_flowset_free(fs);
	}
}

/* A connection answered (a reply passed: the destination got it) is a
 * connection even when a later packet of it was dropped: the drop stays a
 * record of its own, as evidence of enforcement, in either order. A reply
 * dropped on its way back with none passed folds like any drop. */
static void test_hubble_relay_answered(void **state)
{
	(void)state;
	char syn[1024], ack[1024], drop[1024], rdrop[1024];
	hline(syn, sizeof syn, "000001", "FORWARDED", "10.0.0.1", 40000, "10.0.1.2", 80, "node-a", "EGRESS", "false",
	      "\"SYN\":true", "");
	hline(ack, sizeof ack, "000100", "FORWARDED", "10.0.1.2", 80, "10.0.0.1", 40000, "node-b", "INGRESS", "true",
	      "\"SYN\":true,\"ACK\":true", "");
	hline(drop, sizeof drop, "900000", "DROPPED", "10.0.0.1", 40000, "10.0.1.2", 80, "node-b", "INGRESS", "false",
	      "\"ACK\":true", ",\"drop_reason_desc\":\"CT_MAP_INSERTION_FAILED\"");
	hline(rdrop, sizeof rdrop, "000150", "DROPPED", "10.0.1.2", 80, "10.0.0.1", 40000, "node-a", "EGRESS", "true",
	      "\"SYN\":true,\"ACK\":true", ",\"drop_reason_desc\":\"POLICY_DENIED\"");
	const char *const answered[][3] = {{syn, ack, drop}, {drop, ack, syn}, {ack, drop, syn}};
	for (size_t c = 0; c < TM_ARRAY_LEN(answered); c++) {
		tm_flowset *fs = hubble_lines(answered[c], 3);
		assert_int_equal(fs->nflows, 2);
		int pass = fs->flows[0].verdict == TM_VERDICT_FORWARDED ? 0 : 1;
		assert_int_equal(fs->flows[pass].verdict, TM_VERDICT_FORWARDED);
		assert_int_equal(fs->flows[!pass].verdict, TM_VERDICT_DROPPED);
		assert_int_equal(fs->flows[pass].srv_port, 80);
		assert_int_equal(fs->flows[!pass].srv_port, 80);
		assert_int_equal(tm_flowset_counter(fs, "hubble_drops_folded")->value, 0);
		tm_flowset_free(fs);
	}
	/* the SYN forwarded, its SYN-ACK dropped on the way back: not answered */
	const char *const lost[] = {syn, rdrop};
	tm_flowset *fs = hubble_lines(lost, 2);
	assert_int_equal(fs->nflows, 1);
	assert_int_equal(fs->flows[0].verdict, TM_VERDICT_DROPPED);
	assert_int_equal(fs->flows[0].srv_port, 80);
	assert_string_equal(tm_flow_meta_of(fs, &fs->flows[0])->node, "node-a");
	assert_string_equal(tm_flow_meta_of(fs, &fs->flows[0])->direction, "EGRESS");
	tm_flowset_free(fs);
}

/* Zeek's ssl.log SNI/ALPN name Istio's mTLS as a capture's ClientHello
 * does (tm_flow_mesh_signature); every record keeps its conn.log line */
static void test_zeek_mesh_and_lines(void **state)
{
	(void)state;
	static const char log[] =
		"{\"ts\":1700000000.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40000,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8443,\"proto\":\"tcp\",\"service\":\"ssl\",\"conn_state\":\"SF\"}\n"
		"{\"ts\":1700000001.0,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40001,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8443,\"proto\":\"tcp\",\"service\":\"ssl\",\"conn_state\":\"SF\"}\n"
		"\n"
		"{\"ts\":1700000002.0,\"uid\":\"C3\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40002,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8080,\"proto\":\"tcp\",\"service\":\"http\",\"conn_state\":\"SF\"}\n";
	static const char ssl[] =
		"{\"ts\":1700000000.0,\"uid\":\"C1\",\"version\":\"TLSv13\",\"server_name\":\"outbound_.8443_._.payment-api.payments.svc.cluster.local\",\"established\":true}\n"
		"{\"ts\":1700000001.0,\"uid\":\"C2\",\"version\":\"TLSv13\",\"next_protocol\":\"istio\",\"established\":true}\n";
	tm_flowset *fs = tm_flowset_new();
	tm_zeek *z = tm_zeek_new(fs, 0);
	tm_zeek_read_buffer(z, "conn.log", log, sizeof log - 1);
	tm_zeek_read_buffer(z, "ssl.log", ssl, sizeof ssl - 1);
	tm_zeek_finish(z);
	assert_int_equal(fs->nflows, 3);
	assert_int_equal(fs->flows[0].mesh, TM_MESH_ISTIO); /* SNI */
	assert_int_equal(fs->flows[1].mesh, TM_MESH_ISTIO); /* ALPN */
	assert_int_equal(fs->flows[2].mesh, TM_MESH_NONE);
	assert_int_equal(tm_flow_pos_of(fs, &fs->flows[0]), 1);
	assert_int_equal(tm_flow_pos_of(fs, &fs->flows[1]), 2);
	assert_int_equal(tm_flow_pos_of(fs, &fs->flows[2]), 4);
	tm_zeek_free(z);
	tm_flowset_free(fs);
}

/* the ssl.log line a connection's TLS facts came from, whatever the order of
 * the two logs (tm_flow_seen_of); a connection without one has none */
static void test_zeek_ssl_pos(void **state)
{
	(void)state;
	static const char log[] =
		"{\"ts\":1700000000.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40000,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8443,\"proto\":\"tcp\",\"service\":\"ssl\",\"conn_state\":\"SF\"}\n"
		"{\"ts\":1700000001.0,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40001,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8443,\"proto\":\"tcp\",\"service\":\"ssl\",\"conn_state\":\"SF\"}\n"
		"{\"ts\":1700000002.0,\"uid\":\"C3\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40002,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":8443,\"proto\":\"tcp\",\"service\":\"ssl\",\"conn_state\":\"SF\"}\n";
	static const char ssl[] =
		"\n"
		"{\"ts\":1700000001.0,\"uid\":\"C2\",\"version\":\"TLSv12\",\"established\":true,\"client_cert_chain_fps\":[]}\n"
		"{\"ts\":1700000000.0,\"uid\":\"C1\",\"version\":\"TLSv13\",\"established\":true}\n";
	tm_flowset *fs = tm_flowset_new();
	tm_zeek *z = tm_zeek_new(fs, 0);
	tm_zeek_read_buffer(z, "conn.log", log, sizeof log - 1);
	tm_zeek_read_buffer(z, "ssl.log", ssl, sizeof ssl - 1);
	tm_zeek_finish(z);
	assert_int_equal(fs->nflows, 3);
	const tm_flow_seen *s0 = tm_flow_seen_of(fs, &fs->flows[0]), *s1 = tm_flow_seen_of(fs, &fs->flows[1]);
	assert_non_null(s0);
	assert_non_null(s1);
	assert_true(s0->tls && s1->tls);
	assert_int_equal(s0->tls_pos, 3);
	assert_int_equal(s1->tls_pos, 2);
	assert_int_equal(fs->flows[1].tls->client_cert, TM_CC_NO);
	assert_null(tm_flow_seen_of(fs, &fs->flows[2])); /* TLS without an ssl.log record */
	tm_flow_where w;
	tm_flow_where_of(fs, &fs->flows[1], &w);
	assert_int_equal(w.pos, 2);
	assert_int_equal(w.tls_pos, 2);
	assert_string_equal(w.unit, "line");
	tm_zeek_free(z);
	tm_flowset_free(fs);
}

/* the Hubble event that showed plaintext (the first L7 HTTP one), kept
 * beside the record's first line; a record whose first event is that one
 * has both the same, one without L7 HTTP none */
static void test_hubble_content_pos(void **state)
{
	(void)state;
#define HEV(sport, l7) \
	"{\"flow\":{\"time\":\"2026-01-01T00:00:00Z\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\"},\"l4\":{\"TCP\":{\"source_port\":" sport ",\"destination_port\":80}}" l7 "}}"
	static const char *const lines[] = {
		HEV("40000", ""),                                   /* 1: :40000 first */
		HEV("40000", ",\"l7\":{\"dns\":{}}"),               /* 2: DNS: nothing shown */
		HEV("40001", ",\"l7\":{\"http\":{\"method\":\"GET\"}}"), /* 3: :40001 first, HTTP */
		HEV("40000", ",\"l7\":{\"http\":{\"method\":\"GET\"}}"), /* 4: ignored: app already DNS */
		HEV("40002", ""),                                   /* 5: :40002 first */
		HEV("40002", ""),                                   /* 6 */
		HEV("40002", ",\"l7\":{\"http\":{\"method\":\"GET\"}}"), /* 7: shows plaintext */
		HEV("40002", ",\"l7\":{\"http\":{\"method\":\"POST\"}}"), /* 8: not the first */
	};
#undef HEV
	tm_flowset *fs = tm_flowset_new();
	tm_hubble *h = tm_hubble_new(fs, 0);
	for (size_t i = 0; i < TM_ARRAY_LEN(lines); i++)
		tm_hubble_line(h, lines[i], strlen(lines[i]));
	tm_hubble_finish(h);
	assert_int_equal(fs->nflows, 3);
	for (size_t i = 0; i < 3; i++) {
		const tm_flow *f = &fs->flows[i];
		const tm_flow_seen *s = tm_flow_seen_of(fs, f);
		if (f->cli_port == 40000) {
			assert_int_equal(tm_flow_pos_of(fs, f), 1);
			assert_true(f->flags & TM_FLOW_F_CONTENT_UNSEEN);
			assert_true(!s || !s->content_pos);
		} else if (f->cli_port == 40001) {
			assert_int_equal(tm_flow_pos_of(fs, f), 3);
			assert_non_null(s);
			assert_int_equal(s->content_pos, 3);
			assert_false(f->flags & TM_FLOW_F_CONTENT_UNSEEN);
		} else {
			assert_int_equal(f->cli_port, 40002);
			assert_int_equal(tm_flow_pos_of(fs, f), 5);
			assert_non_null(s);
			assert_int_equal(s->content_pos, 7);
			assert_int_equal(f->app, TM_APP_HTTP);
		}
	}
	tm_hubble_free(h);
	tm_flowset_free(fs);
}

/* a summary's record: where its seen_in says it was observed, and the
 * summary line it was read from; a Hubble record without L7 HTTP saw no
 * content, read back as well */
static void test_summary_via(void **state)
{
	(void)state;
#define REC(sport, app, src, seen) \
	"  {\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": " sport ", \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,\n" \
	"   \"packets\": 1, \"bytes\": 0, \"first\": 1.0, \"last\": 1.0, \"app\": \"" app "\", \"mesh\": null, \"http\": null,\n" \
	"   \"tls\": null, \"source\": \"" src "\", " seen "\"verdict\": null}"
	static const char sum[] = "[\n" REC("40000", "unknown", "hubble", "\"seen_in\": {\"file\": \"h.json\", \"line\": 4, \"tls\": null}, ") ",\n"
				  REC("40001", "http", "pcap", "\"seen_in\": {\"file\": \"x.pcap\", \"packet\": 12, \"tls\": null}, ") ",\n"
				  REC("40002", "http", "pcap", "") "\n]\n";
#undef REC
	tm_flowset *fs = tm_flowset_new();
	assert_int_equal(tm_flowjson_read_buffer(fs, "s.json", sum, sizeof sum - 1, 100), TM_OK);
	assert_int_equal(fs->nflows, 3);
	const tm_flow_seen *s0 = tm_flow_seen_of(fs, &fs->flows[0]), *s1 = tm_flow_seen_of(fs, &fs->flows[1]),
			   *s2 = tm_flow_seen_of(fs, &fs->flows[2]);
	assert_non_null(s0);
	assert_non_null(s1);
	assert_non_null(s2);
	assert_true(fs->flows[0].flags & TM_FLOW_F_CONTENT_UNSEEN);
	assert_false(fs->flows[1].flags & TM_FLOW_F_CONTENT_UNSEEN);
	assert_string_equal(s0->file, "h.json");
	assert_int_equal(s0->pos, 4);
	assert_string_equal(s0->via_file, "s.json");
	assert_int_equal(s0->via_pos, 2);
	assert_string_equal(s1->file, "x.pcap");
	assert_int_equal(s1->pos, 12);
	assert_int_equal(s1->via_pos, 5);
	assert_null(s2->file); /* no seen_in: not known, but still read at line 8 */
	assert_string_equal(s2->via_file, "s.json");
	assert_int_equal(s2->via_pos, 8);
	tm_flowset_free(fs);
}

/* flow_log read back: the flags judgements read and the flow-log facts;
 * without it (an older summary) a Hubble record without L7 HTTP saw no
 * content and nothing else is flagged, a Zeek one reads as seen */
static void test_summary_flow_log(void **state)
{
	(void)state;
#define REC(sport, src, fl) \
	"  {\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": " sport ", \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,\n" \
	"   \"packets\": 1, \"bytes\": 0, \"first\": 1.0, \"last\": 1.0, \"app\": \"unknown\", \"mesh\": null, \"http\": null,\n" \
	"   \"tls\": null, \"source\": \"" src "\", \"verdict\": null" fl "}"
	static const char sum[] =
		"[\n" REC("40000", "zeek", ", \"flow_log\": {\"content_unseen\": true, \"attempt\": true, \"uid\": \"CAbc\", \"events\": 1}") ",\n"
		REC("40001", "hubble", ", \"flow_log\": {\"content_unseen\": false, \"encrypted\": true, \"policy_drop\": true, "
				       "\"drop_reason\": \"POLICY_DENIED\", \"src\": {\"namespace\": \"shop\", \"pod\": \"cart-1\", "
				       "\"world\": true}, \"dst\": null}") ",\n"
		REC("40002", "zeek", "") ",\n"
		REC("40003", "hubble", "") ",\n"
		REC("40004", "hubble", ", \"flow_log\": null") "\n]\n";
#undef REC
	tm_flowset *fs = tm_flowset_new();
	assert_int_equal(tm_flowjson_read_buffer(fs, "s.json", sum, sizeof sum - 1, 100), TM_OK);
	assert_int_equal(fs->nflows, 5);
	const tm_flow *z = &fs->flows[0], *h = &fs->flows[1];
	assert_int_equal(z->flags, TM_FLOW_F_CONTENT_UNSEEN | TM_FLOW_F_ATTEMPT);
	const tm_flow_meta *zm = tm_flow_meta_of(fs, z), *hm = tm_flow_meta_of(fs, h);
	assert_non_null(zm);
	assert_string_equal(zm->uid, "CAbc");
	assert_int_equal(zm->events, 1);
	assert_null(zm->src.pod);
	assert_int_equal(h->flags, TM_FLOW_F_ENCRYPTED | TM_FLOW_F_POLICY_DROP);
	assert_non_null(hm);
	assert_string_equal(hm->drop_reason, "POLICY_DENIED");
	assert_string_equal(hm->src.ns, "shop");
	assert_string_equal(hm->src.pod, "cart-1");
	assert_true(hm->src.world);
	assert_null(hm->dst.pod);
	/* older summaries: as that version read them */
	assert_int_equal(fs->flows[2].flags, 0);
	assert_null(tm_flow_meta_of(fs, &fs->flows[2]));
	assert_int_equal(fs->flows[3].flags, TM_FLOW_F_CONTENT_UNSEEN);
	/* null: nothing said, and no inference */
	assert_int_equal(fs->flows[4].flags, 0);
	assert_null(tm_flow_meta_of(fs, &fs->flows[4]));
	tm_flowset_free(fs);
}

/* merged summaries: an answer at either point makes a connection, content
 * seen at either point is seen, encryption is kept, facts fill the gaps
 * (the other's ends swapped when it sees the connection reversed) */
static void test_summary_flow_log_merge(void **state)
{
	(void)state;
	static const char a[] =
		"[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": 40000, \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,"
		" \"packets\": 1, \"bytes\": 0, \"first\": 1.0, \"last\": 2.0, \"app\": \"unknown\", \"mesh\": null, \"http\": null,"
		" \"tls\": null, \"source\": \"hubble\", \"verdict\": null, \"flow_log\": {\"content_unseen\": true, \"attempt\": true,"
		" \"events\": 2, \"src\": {\"pod\": null}}}]";
	static const char b[] =
		"[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.2\", \"src_port\": 80, \"dst_ip\": \"10.0.0.1\", \"dst_port\": 40000,"
		" \"packets\": 1, \"bytes\": 0, \"first\": 1.5, \"last\": 1.5, \"app\": \"unknown\", \"mesh\": null, \"http\": null,"
		" \"tls\": null, \"source\": \"hubble\", \"verdict\": null, \"flow_log\": {\"content_unseen\": false, \"encrypted\": true,"
		" \"events\": 5, \"src\": {\"namespace\": \"pay\", \"pod\": \"api-1\"}, \"dst\": {\"namespace\": \"shop\", \"pod\": \"cart-1\"}}}]";
	tm_flowset *fs = tm_flowset_new();
	assert_int_equal(tm_flowjson_read_buffer(fs, "a.json", a, sizeof a - 1, 100), TM_OK);
	assert_int_equal(tm_flowjson_read_buffer(fs, "b.json", b, sizeof b - 1, 100), TM_OK);
	tm_flowjson_merge(fs);
	assert_int_equal(fs->nflows, 1);
	const tm_flow *f = &fs->flows[0];
	assert_int_equal(f->cli_port, 40000);
	/* reversed: the other's content is not taken, its answer and encryption are */
	assert_int_equal(f->flags, TM_FLOW_F_CONTENT_UNSEEN | TM_FLOW_F_ENCRYPTED);
	const tm_flow_meta *m = tm_flow_meta_of(fs, f);
	assert_non_null(m);
	assert_string_equal(m->src.pod, "cart-1");
	assert_string_equal(m->dst.pod, "api-1");
	assert_int_equal(m->events, 5);
	tm_flowset_free(fs);
}

/* one connection, forwarded by the source's node at egress and dropped by the
 * destination's at ingress: it did not get through, in either input order,
 * and the drop's node, direction and reason say where */
static void test_summary_verdict_merge(void **state)
{
	(void)state;
	static const char a[] =
		"[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": 40000, \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,"
		" \"packets\": 2, \"bytes\": 0, \"first\": 1.0, \"last\": 2.0, \"app\": \"unknown\", \"mesh\": null, \"http\": null,"
		" \"tls\": null, \"source\": \"hubble\", \"verdict\": \"FORWARDED\", \"flow_log\": {\"content_unseen\": true,"
		" \"node\": \"n1\", \"direction\": \"EGRESS\", \"events\": 2}}]";
	static const char b[] =
		"[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": 40000, \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,"
		" \"packets\": 2, \"bytes\": 0, \"first\": 1.0, \"last\": 2.0, \"app\": \"unknown\", \"mesh\": null, \"http\": null,"
		" \"tls\": null, \"source\": \"hubble\", \"verdict\": \"DROPPED\", \"flow_log\": {\"content_unseen\": true,"
		" \"policy_drop\": true, \"drop_reason\": \"POLICY_DENIED\", \"node\": \"n2\", \"direction\": \"INGRESS\","
		" \"events\": 2}}]";
	for (int order = 0; order < 2; order++) {
		tm_flowset *fs = tm_flowset_new();
		assert_int_equal(tm_flowjson_read_buffer(fs, order ? "b.json" : "a.json", order ? b : a,
							 (order ? sizeof b : sizeof a) - 1, 100), TM_OK);
		assert_int_equal(tm_flowjson_read_buffer(fs, order ? "a.json" : "b.json", order ? a : b,
							 (order ? sizeof a : sizeof b) - 1, 100), TM_OK);
		tm_flowjson_merge(fs);
		assert_int_equal(fs->nflows, 1);
		const tm_flow *f = &fs->flows[0];
		assert_int_equal(f->verdict, TM_VERDICT_DROPPED);
		assert_true(f->flags & TM_FLOW_F_POLICY_DROP);
		const tm_flow_meta *m = tm_flow_meta_of(fs, f);
		assert_non_null(m);
		assert_string_equal(m->node, "n2");
		assert_string_equal(m->direction, "INGRESS");
		assert_string_equal(m->drop_reason, "POLICY_DENIED");
		tm_flowset_free(fs);
	}
}

/* one SYN at each point, nothing retried: the two records of one instant do
 * not overlap; within TM_FLOWJSON_MERGE_SLACK_US they are one connection
 * (DROPPED), past it another (a client reusing the 5-tuple) */
static void test_summary_merge_slack(void **state)
{
	(void)state;
	static const char *const at[] = {"1.000051", "1.100001", "1.100002"};
	static const size_t want[] = {1, 1, 2};
	char a[1024], b[1024];
	snprintf(a, sizeof a,
		 "[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": 40000, \"dst_ip\": \"10.0.0.2\", \"dst_port\": 80,"
		 " \"packets\": 1, \"bytes\": 0, \"first\": 1.000001, \"last\": 1.000001, \"app\": \"unknown\", \"mesh\": null,"
		 " \"http\": null, \"tls\": null, \"source\": \"hubble\", \"verdict\": \"FORWARDED\"}]");
	assert_int_equal(TM_FLOWJSON_MERGE_SLACK_US, 100000);
	for (size_t i = 0; i < TM_ARRAY_LEN(at); i++) {
		snprintf(b, sizeof b,
			 "[{\"transport\": \"tcp\", \"src_ip\": \"10.0.0.1\", \"src_port\": 40000, \"dst_ip\": \"10.0.0.2\","
			 " \"dst_port\": 80, \"packets\": 1, \"bytes\": 0, \"first\": %s, \"last\": %s, \"app\": \"unknown\","
			 " \"mesh\": null, \"http\": null, \"tls\": null, \"source\": \"hubble\", \"verdict\": \"DROPPED\"}]",
			 at[i], at[i]);
		for (int order = 0; order < 2; order++) {
			tm_flowset *fs = tm_flowset_new();
			assert_int_equal(tm_flowjson_read_buffer(fs, "x.json", order ? b : a, strlen(order ? b : a), 100), TM_OK);
			assert_int_equal(tm_flowjson_read_buffer(fs, "y.json", order ? a : b, strlen(order ? a : b), 100), TM_OK);
			tm_flowjson_merge(fs);
			assert_int_equal(fs->nflows, want[i]);
			if (want[i] == 1)
				assert_int_equal(fs->flows[0].verdict, TM_VERDICT_DROPPED);
			tm_flowset_free(fs);
		}
	}
}

/* the evidence's text: what decided, the connection's record, the summary */
static void test_fevidence_format(void **state)
{
	(void)state;
	tm_fevidence e = {.source = "zeek", .file = "ssl.log", .unit = "line", .pos = 10, .transport = "tcp",
			  .src_ip = "10.0.0.1", .dst_ip = "2001:db8::2", .src_port = 40002, .dst_port = 8080,
			  .time_us = 1700000000200000LL, .shows = "TLS without a client certificate",
			  .conn_file = "conn.log", .conn_pos = 2, .via_file = "s.json", .via_pos = 35};
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_fevidence_format(&e, &b);
	assert_string_equal(tm_buf_str(&b), "zeek ssl.log line 10 (connection conn.log line 2) (via summary s.json line 35): "
					    "tcp 10.0.0.1:40002 -> [2001:db8::2]:8080 at 2023-11-14T22:13:20.200000Z, "
					    "TLS without a client certificate");
	tm_buf_reset(&b);
	e = (tm_fevidence){.source = "pcap", .file = "x.pcap", .unit = "packet", .pos = 12, .transport = "tcp",
			   .src_ip = "10.0.0.1", .dst_ip = "10.0.0.2", .src_port = 1, .dst_port = 2, .time_us = -1,
			   .via_file = "s.json"};
	tm_fevidence_format(&e, &b);
	assert_string_equal(tm_buf_str(&b), "pcap x.pcap packet 12 (via summary s.json): tcp 10.0.0.1:1 -> 10.0.0.2:2");
	/* the drift checks' "first in": where, without the connection */
	tm_buf_reset(&b);
	tm_fevidence_format_where(&e, &b);
	assert_string_equal(tm_buf_str(&b), "pcap x.pcap packet 12 (via summary s.json)");
	tm_buf_release(&b);
}

/* the kind of evidence, as the findings word it */
static void test_evkind(void **state)
{
	(void)state;
	assert_int_equal(tm_flow_evkind(TM_FLOW_FROM_CAPTURE), TM_EVKIND_CAPTURE);
	assert_int_equal(tm_flow_evkind(TM_FLOW_FROM_HUBBLE), TM_EVKIND_FLOWLOG);
	assert_int_equal(tm_flow_evkind(TM_FLOW_FROM_ZEEK), TM_EVKIND_FLOWLOG);
	assert_int_equal(tm_flow_evkind(TM_FLOW_FROM_SUMMARY), 0);
	assert_string_equal(tm_evkind_plural(TM_EVKIND_CAPTURE), "the captures");
	assert_string_equal(tm_evkind_plural(TM_EVKIND_FLOWLOG), "the flow logs");
	assert_string_equal(tm_evkind_plural(TM_EVKIND_CAPTURE | TM_EVKIND_FLOWLOG), "the captures and flow logs");
	assert_string_equal(tm_evkind_plural(0), "the captures");
	assert_string_equal(tm_evkind_participle(TM_EVKIND_FLOWLOG), "logged");
	assert_string_equal(tm_evkind_participle(TM_EVKIND_CAPTURE | TM_EVKIND_FLOWLOG), "captured or logged");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_jscan),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_verdict_rank),
		cmocka_unit_test(test_hubble_fold),
		cmocka_unit_test(test_hubble_relay_fold),
		cmocka_unit_test(test_hubble_denied_by),
		cmocka_unit_test(test_hubble_relay_answered),
		cmocka_unit_test(test_zeek_mesh_and_lines),
		cmocka_unit_test(test_zeek_ssl_pos),
		cmocka_unit_test(test_hubble_content_pos),
		cmocka_unit_test(test_summary_via),
		cmocka_unit_test(test_summary_flow_log),
		cmocka_unit_test(test_summary_flow_log_merge),
		cmocka_unit_test(test_summary_verdict_merge),
		cmocka_unit_test(test_summary_merge_slack),
		cmocka_unit_test(test_fevidence_format),
		cmocka_unit_test(test_evkind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
