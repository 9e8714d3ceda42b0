/* test_sets_edges.c - boundary cases of port interval sets and IP range
 * sets (model/sets.c) that the connectivity engine relies on: merging of
 * adjacent intervals, the ends of the port and address spaces, hash-consing
 * across different constructions, and the IPv4-inside-IPv6 layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "model/sets.h"

static char out[512];

static const char *fmt_ports(const tm_ports *p)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(p, &b);
	snprintf(out, sizeof out, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
	return out;
}

static const char *fmt_set(const tm_ipset *s)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			tm_buf_adds(&b, " ");
		tm_iprange_format(&s->r[i], &b);
	}
	snprintf(out, sizeof out, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
	return out;
}

static tm_iprange cidr(const char *s)
{
	tm_iprange r;
	if (!tm_cidr_parse(s, &r, NULL))
		fail_msg("bad cidr %s", s);
	return r;
}

static tm_ip ip(const char *s)
{
	tm_ip a;
	if (!tm_ip_parse(s, &a))
		fail_msg("bad ip %s", s);
	return a;
}

static void test_ports_adjacent_and_ends(void **state)
{
	(void)state;
	tm_portpool *pp = tm_portpool_new();
	/* single ports that touch merge into one interval */
	const tm_ports *u = tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_TCP, 81, 81),
					   tm_ports_range(pp, TM_PROTO_TCP, 80, 80));
	assert_string_equal(fmt_ports(u), "TCP 80-81");
	assert_int_equal(u->n[TM_PROTO_TCP], 1);
	/* a gap of one port does not merge */
	u = tm_ports_union(pp, u, tm_ports_range(pp, TM_PROTO_TCP, 83, 83));
	assert_string_equal(fmt_ports(u), "TCP 80-81,83");
	/* filling the gap merges all three */
	u = tm_ports_union(pp, u, tm_ports_range(pp, TM_PROTO_TCP, 82, 82));
	assert_string_equal(fmt_ports(u), "TCP 80-83");
	/* the ends of the port space */
	assert_true(tm_ports_contains(tm_ports_range(pp, TM_PROTO_UDP, 1, 65535), TM_PROTO_UDP, 1));
	assert_true(tm_ports_contains(tm_ports_range(pp, TM_PROTO_UDP, 1, 65535), TM_PROTO_UDP, 65535));
	assert_false(tm_ports_contains(tm_ports_range(pp, TM_PROTO_UDP, 1, 65535), TM_PROTO_TCP, 1));
	assert_false(tm_ports_contains(u, TM_PROTO_TCP, 79));
	assert_false(tm_ports_contains(u, TM_PROTO_TCP, 84));
	/* all three protocols whole is "All Connections", and is tm_ports_all */
	const tm_ports *all = tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_SCTP, 1, 65535),
					     tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_TCP, 1, 65535),
							    tm_ports_range(pp, TM_PROTO_UDP, 1, 65535)));
	assert_ptr_equal(all, tm_ports_all(pp));
	assert_true(tm_ports_is_all(all));
	/* one protocol whole prints 1-65535 */
	assert_string_equal(fmt_ports(tm_ports_minus(pp, all, tm_ports_range(pp, TM_PROTO_SCTP, 1, 65535))),
			    "TCP 1-65535,UDP 1-65535");
	tm_portpool_free(pp);
}

static void test_ports_hash_consing(void **state)
{
	(void)state;
	tm_portpool *pp = tm_portpool_new();
	/* the same set built two ways is one pointer, and so is the empty set */
	const tm_ports *a = tm_ports_minus(pp, tm_ports_range(pp, TM_PROTO_TCP, 1, 100),
					   tm_ports_range(pp, TM_PROTO_TCP, 11, 100));
	const tm_ports *b = tm_ports_inter(pp, tm_ports_range(pp, TM_PROTO_TCP, 1, 10),
					   tm_ports_all(pp));
	assert_ptr_equal(a, b);
	assert_ptr_equal(a, tm_ports_range(pp, TM_PROTO_TCP, 1, 10));
	const tm_ports *e = tm_ports_minus(pp, a, b);
	assert_ptr_equal(e, tm_ports_empty(pp));
	assert_true(tm_ports_is_empty(e));
	assert_int_equal(e->id, 0);
	assert_ptr_equal(tm_ports_by_id(pp, a->id), a);
	/* union is commutative and idempotent on the pointer level */
	const tm_ports *x = tm_ports_range(pp, TM_PROTO_UDP, 53, 53);
	assert_ptr_equal(tm_ports_union(pp, a, x), tm_ports_union(pp, x, a));
	assert_ptr_equal(tm_ports_union(pp, a, a), a);
	assert_ptr_equal(tm_ports_inter(pp, a, tm_ports_empty(pp)), tm_ports_empty(pp));
	tm_portpool_free(pp);
}

static void test_ipset_splitting(void **state)
{
	(void)state;
	tm_ipset s;
	tm_ipset_init(&s);
	/* cidr with two excepts: three pieces, excepts exactly removed */
	tm_ipset_add(&s, cidr("10.0.0.0/8"));
	tm_ipset_subtract(&s, cidr("10.3.0.0/16"));
	tm_ipset_subtract(&s, cidr("10.1.0.0/16"));
	assert_string_equal(fmt_set(&s), "10.0.0.0-10.0.255.255 10.2.0.0-10.2.255.255 10.4.0.0-10.255.255.255");
	/* excepts at both ends of the cidr */
	tm_ipset_subtract(&s, cidr("10.0.0.0/24"));
	tm_ipset_subtract(&s, cidr("10.255.255.255/32"));
	assert_string_equal(fmt_set(&s),
			    "10.0.1.0-10.0.255.255 10.2.0.0-10.2.255.255 10.4.0.0-10.255.255.254");
	/* adding back a hole merges the neighbours (sorted, disjoint, non-adjacent) */
	tm_ipset_add(&s, cidr("10.3.0.0/16"));
	assert_string_equal(fmt_set(&s), "10.0.1.0-10.0.255.255 10.2.0.0-10.255.255.254");
	/* contains_range: inside one interval only */
	tm_iprange r = {ip("10.2.0.0"), ip("10.3.255.255")};
	assert_true(tm_ipset_contains_range(&s, r));
	r.lo = ip("10.0.255.255");
	assert_false(tm_ipset_contains_range(&s, r)); /* spans the 10.1/16 hole */
	assert_false(tm_ipset_contains_ip(&s, ip("10.1.0.0")));
	assert_true(tm_ipset_contains_ip(&s, ip("10.0.1.0")));
	assert_false(tm_ipset_contains_ip(&s, ip("10.0.0.255")));
	tm_ipset_release(&s);
}

static void test_ip_families(void **state)
{
	(void)state;
	/* IPv4 lives in ::ffff:0:0/96: the whole v4 space is one v6 range */
	tm_iprange v4 = tm_iprange_v4_all(), r = cidr("::ffff:0:0/96");
	assert_int_equal(tm_ip_cmp(v4.lo, r.lo), 0);
	assert_int_equal(tm_ip_cmp(v4.hi, r.hi), 0);
	assert_true(tm_ip_is_v4(ip("0.0.0.0")));
	assert_true(tm_ip_is_v4(ip("255.255.255.255")));
	assert_false(tm_ip_is_v4(ip("::1")));
	/* ::/0 minus the v4 block: the two v6 pieces around it */
	tm_ipset s;
	tm_ipset_init(&s);
	tm_ipset_add(&s, tm_iprange_v6_all());
	tm_ipset_subtract(&s, v4);
	assert_int_equal(s.n, 2);
	assert_false(tm_ipset_contains_ip(&s, ip("8.8.8.8")));
	assert_true(tm_ipset_contains_ip(&s, ip("::fffe:ffff:ffff")));
	assert_true(tm_ipset_contains_ip(&s, ip("::1:0:0:0")));
	tm_ipset_release(&s);
	/* next/prev across octet and family boundaries */
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ip_format(tm_ip_next(ip("10.0.0.255")), &b);
	assert_string_equal(tm_buf_str(&b), "10.0.1.0");
	tm_buf_reset(&b);
	tm_ip_format(tm_ip_prev(ip("10.1.0.0")), &b);
	assert_string_equal(tm_buf_str(&b), "10.0.255.255");
	tm_buf_reset(&b);
	tm_ip_format(tm_ip_next(ip("255.255.255.255")), &b);
	assert_string_equal(tm_buf_str(&b), "::1:0:0:0");
	tm_buf_release(&b);
	/* host bits are masked off, /0 is everything */
	r = cidr("10.1.2.3/8");
	tm_buf_init(&b, 0);
	tm_iprange_format(&r, &b);
	assert_string_equal(tm_buf_str(&b), "10.0.0.0-10.255.255.255");
	tm_buf_reset(&b);
	r = cidr("0.0.0.0/0");
	tm_iprange_format(&r, &b);
	assert_string_equal(tm_buf_str(&b), "0.0.0.0-255.255.255.255");
	tm_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_adjacent_and_ends),
		cmocka_unit_test(test_ports_hash_consing),
		cmocka_unit_test(test_ipset_splitting),
		cmocka_unit_test(test_ip_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
