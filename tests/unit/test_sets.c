/* test_sets.c - port sets, IP ranges, labels and selectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "model/sets.h"

static char *fmt_ports(const tm_ports *p)
{
	static char out[512];
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(p, &b);
	snprintf(out, sizeof out, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
	return out;
}

static void test_ports_union_merges(void **state)
{
	(void)state;
	tm_portpool *pp = tm_portpool_new();
	const tm_ports *a = tm_ports_range(pp, TM_PROTO_TCP, 80, 80);
	const tm_ports *b = tm_ports_range(pp, TM_PROTO_TCP, 81, 90);
	const tm_ports *u = tm_ports_union(pp, a, b);
	assert_string_equal(fmt_ports(u), "TCP 80-90");
	u = tm_ports_union(pp, u, tm_ports_range(pp, TM_PROTO_UDP, 53, 53));
	u = tm_ports_union(pp, u, tm_ports_range(pp, TM_PROTO_SCTP, 1, 65535));
	assert_string_equal(fmt_ports(u), "SCTP 1-65535,TCP 80-90,UDP 53");
	/* hash-consing: the same set is the same pointer */
	assert_ptr_equal(u, tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_SCTP, 1, 65535),
					   tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_UDP, 53, 53), tm_ports_range(pp, TM_PROTO_TCP, 80, 90))));
	tm_portpool_free(pp);
}

static void test_ports_minus_and_inter(void **state)
{
	(void)state;
	tm_portpool *pp = tm_portpool_new();
	const tm_ports *all = tm_ports_all(pp);
	assert_string_equal(fmt_ports(all), "All Connections");
	const tm_ports *no80 = tm_ports_minus(pp, all, tm_ports_range(pp, TM_PROTO_TCP, 80, 80));
	assert_string_equal(fmt_ports(no80), "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
	assert_true(tm_ports_is_all(tm_ports_union(pp, no80, tm_ports_range(pp, TM_PROTO_TCP, 80, 80))));
	const tm_ports *i = tm_ports_inter(pp, no80, tm_ports_range(pp, TM_PROTO_TCP, 70, 90));
	assert_string_equal(fmt_ports(i), "TCP 70-79,81-90");
	assert_true(tm_ports_is_empty(tm_ports_inter(pp, tm_ports_range(pp, TM_PROTO_TCP, 1, 10),
						     tm_ports_range(pp, TM_PROTO_UDP, 1, 10))));
	assert_string_equal(fmt_ports(tm_ports_empty(pp)), "No Connections");
	/* minus at both ends of the range */
	const tm_ports *edge = tm_ports_minus(pp, tm_ports_range(pp, TM_PROTO_UDP, 1, 65535),
					      tm_ports_union(pp, tm_ports_range(pp, TM_PROTO_UDP, 1, 1),
							     tm_ports_range(pp, TM_PROTO_UDP, 65535, 65535)));
	assert_string_equal(fmt_ports(edge), "UDP 2-65534");
	tm_portpool_free(pp);
}

static void test_cidr_parse(void **state)
{
	(void)state;
	tm_iprange r;
	bool v4;
	tm_buf b;
	tm_buf_init(&b, 0);
	assert_true(tm_cidr_parse("10.0.0.0/8", &r, &v4));
	assert_true(v4);
	tm_iprange_format(&r, &b);
	assert_string_equal(tm_buf_str(&b), "10.0.0.0-10.255.255.255");
	tm_buf_reset(&b);
	assert_true(tm_cidr_parse("1.2.3.4/32", &r, &v4));
	tm_iprange_format(&r, &b);
	assert_string_equal(tm_buf_str(&b), "1.2.3.4-1.2.3.4");
	tm_buf_reset(&b);
	assert_true(tm_cidr_parse("2001:db8::/32", &r, &v4));
	assert_false(v4);
	tm_iprange_format(&r, &b);
	assert_string_equal(tm_buf_str(&b), "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_false(tm_cidr_parse("10.0.0.0/33", &r, &v4));
	assert_false(tm_cidr_parse("10.0.0/8", &r, &v4));
	assert_false(tm_cidr_parse("10.0.0.0", &r, &v4));
	assert_false(tm_cidr_parse("10.0.0.0/08", &r, &v4));
	assert_false(tm_cidr_parse("/8", &r, &v4));
	tm_buf_release(&b);
}

static void test_ipset_except(void **state)
{
	(void)state;
	tm_ipset s;
	tm_iprange r, e;
	tm_ipset_init(&s);
	assert_true(tm_cidr_parse("10.0.0.0/8", &r, NULL));
	assert_true(tm_cidr_parse("10.1.0.0/16", &e, NULL));
	tm_ipset_add(&s, r);
	tm_ipset_subtract(&s, e);
	assert_int_equal(s.n, 2);
	tm_ip a;
	assert_true(tm_ip_parse("10.1.2.3", &a));
	assert_false(tm_ipset_contains_ip(&s, a));
	assert_true(tm_ip_parse("10.2.0.0", &a));
	assert_true(tm_ipset_contains_ip(&s, a));
	assert_true(tm_ip_parse("10.0.255.255", &a));
	assert_true(tm_ipset_contains_ip(&s, a));
	tm_ipset_release(&s);
}

static void test_selectors(void **state)
{
	(void)state;
	tm_label lv[] = {{"app", "web"}, {"tier", "frontend"}};
	tm_labels l = {2, lv};
	tm_selector empty = {{0, NULL}, 0, NULL};
	assert_true(tm_selector_matches(&empty, &l));
	tm_label ml[] = {{"app", "web"}};
	tm_selector s1 = {{1, ml}, 0, NULL};
	assert_true(tm_selector_matches(&s1, &l));
	const char *vals[] = {"backend", "db"};
	tm_selexpr notin = {"tier", TM_SEL_NOTIN, 2, vals};
	tm_selector s2 = {{1, ml}, 1, &notin};
	assert_true(tm_selector_matches(&s2, &l));
	tm_selexpr in = {"tier", TM_SEL_IN, 2, vals};
	tm_selector s3 = {{0, NULL}, 1, &in};
	assert_false(tm_selector_matches(&s3, &l));
	/* NotIn matches a pod that lacks the key */
	tm_selexpr notin_missing = {"zone", TM_SEL_NOTIN, 2, vals};
	tm_selector s4 = {{0, NULL}, 1, &notin_missing};
	assert_true(tm_selector_matches(&s4, &l));
	tm_selexpr ex = {"zone", TM_SEL_EXISTS, 0, NULL}, dne = {"zone", TM_SEL_DOESNOTEXIST, 0, NULL};
	tm_selector s5 = {{0, NULL}, 1, &ex}, s6 = {{0, NULL}, 1, &dne};
	assert_false(tm_selector_matches(&s5, &l));
	assert_true(tm_selector_matches(&s6, &l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_union_merges),
		cmocka_unit_test(test_ports_minus_and_inter),
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_ipset_except),
		cmocka_unit_test(test_selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
