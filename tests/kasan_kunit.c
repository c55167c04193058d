// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite: KASAN sees tinyalloc's objects and stacks.  Each case does
 * one bad access and expects exactly one KASAN report, caught as the
 * kernel's own KASAN tests catch them, on the error_report_end
 * tracepoint.  The console lines around each expected report mark it, so
 * that the splat scan (scripts/check-splat.sh) lets it through; any other
 * report anywhere fails the run.  KASAN reports only its first bug unless
 * the kernel is booted with kasan_multi_shot, as the test guests are.
 * Generic KASAN only: elsewhere the cases skip.
 *
 * A module of its own, loaded last (scripts/guest/kunit.sh): a KASAN
 * report taints the kernel, which turns lockdep off for the rest of the
 * boot.
 */

#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <trace/events/error_report.h>

#include "core.h"
#include "tinyalloc.h"

static unsigned int kasan_reports;
static unsigned long kasan_report_addr;
static bool no_tracepoints;

/* KASAN's id for a report is the address of the bad access. */
static void __maybe_unused probe_report(void *data,
					enum error_detector detector,
					unsigned long id)
{
	if (detector != ERROR_DETECTOR_KASAN)
		return;
	WRITE_ONCE(kasan_report_addr, id);
	WRITE_ONCE(kasan_reports, kasan_reports + 1);
}

/*
 * A bad access, made by a worker: a KASAN report in a KUnit test's own
 * thread marks the test failed (6.12), as it should for every other test.
 */
struct bad_access {
	struct work_struct work;
	void (*fn)(void *addr);
	void *addr;
};

static void bad_access_work(struct work_struct *work)
{
	struct bad_access *b = container_of(work, struct bad_access, work);

	b->fn(b->addr);
}

/* @fn(@addr) must make KASAN report once; the markers frame its report. */
static void expect_kasan_report(struct kunit *test, void (*fn)(void *),
				void *addr, const char *what)
{
	unsigned int before = READ_ONCE(kasan_reports);
	struct bad_access b = { .fn = fn, .addr = addr };

	INIT_WORK_ONSTACK(&b.work, bad_access_work);
	pr_info("TA-EXPECTED-SPLAT-BEGIN\n");
	schedule_work(&b.work);
	flush_work(&b.work);
	pr_info("TA-EXPECTED-SPLAT-END\n");
	destroy_work_on_stack(&b.work);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(kasan_reports), before + 1,
			    "KASAN did not report %s (booted without kasan_multi_shot?)",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(kasan_report_addr),
			    (unsigned long)addr, "the report is not of %s", what);
}

#ifdef CONFIG_KASAN_GENERIC
/* A kernel without tracepoints (UML 6.1's config) cannot count reports. */
static int kasan_suite_init(struct kunit_suite *suite)
{
	no_tracepoints = !IS_ENABLED(CONFIG_TRACEPOINTS);
	if (no_tracepoints)
		return 0;
	return register_trace_error_report_end(probe_report, NULL);
}

static void kasan_suite_exit(struct kunit_suite *suite)
{
	if (no_tracepoints)
		return;
	unregister_trace_error_report_end(probe_report, NULL);
	tracepoint_synchronize_unregister();
}
#else
static int kasan_suite_init(struct kunit_suite *suite)
{
	return 0;
}

static void kasan_suite_exit(struct kunit_suite *suite)
{
}
#endif

static int kasan_case_init(struct kunit *test)
{
	if (!TA_KASAN)
		kunit_skip(test, "not a generic KASAN kernel");
	if (!ta_main->kasan)
		kunit_skip(test, "tinyalloc loaded with tiny_kasan=0");
	if (no_tracepoints)
		kunit_skip(test, "no tracepoints in this kernel: reports cannot be counted");
	return 0;
}

static char sink;

static void read_byte(void *p)
{
	WRITE_ONCE(sink, READ_ONCE(*(char *)p));
}

static void write_byte(void *p)
{
	WRITE_ONCE(*(char *)p, 1);
}

/* A read past a tiny object's end, into free space of its block. */
static void test_tiny_overflow(struct kunit *test)
{
	char *p = tinyalloc_alloc(5, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, ta_tiny_span_of(p));
	memset(p, 0x11, 5);
	expect_kasan_report(test, read_byte, p + 5, "a read past a tiny object");
	tinyalloc_free(p);
}

/*
 * A byte past an object that fills whole granules: the granule after it
 * is poisoned and in its own block, not the next block's first object.
 */
static void test_tiny_granule_end(struct kunit *test)
{
	char *a, *b;

	preempt_disable();
	a = tinyalloc_alloc(3, GFP_ATOMIC);
	b = tinyalloc_alloc(8, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_ASSERT_NOT_NULL(test, ta_tiny_span_of(b));
	memset(b, 0x55, 8);
	expect_kasan_report(test, read_byte, b + 8,
			    "a read past an 8-byte object");
	tinyalloc_free(a);
	tinyalloc_free(b);
}

static void test_tiny_use_after_free(struct kunit *test)
{
	char *p = tinyalloc_alloc(12, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, ta_tiny_span_of(p));
	tinyalloc_free(p);
	expect_kasan_report(test, read_byte, p + 3, "a tiny use after free");
}

/*
 * The shadow knows where live objects start: a second free, and a free
 * of an object's inside, are refused (no KASAN report: tinyalloc's own).
 */
static void test_tiny_bad_frees_refused(struct kunit *test)
{
	unsigned long bad = ta_stat_sum(ta_main->stats, TA_INVALID_FREES);
	unsigned int reports = READ_ONCE(kasan_reports);
	char *p = tinyalloc_alloc(12, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	q = tinyalloc_alloc(3, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	tinyalloc_free(p + 8);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_main->stats, TA_INVALID_FREES),
			bad + 1);
	memset(p, 0x22, 12);	/* still live */
	tinyalloc_free(p);
	tinyalloc_free(p);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_main->stats, TA_INVALID_FREES),
			bad + 2);
	tinyalloc_free(q);
	KUNIT_EXPECT_EQ(test, READ_ONCE(kasan_reports), reports);
}

static void test_pool_stack_use_after_free(struct kunit *test)
{
	struct tinyalloc_stack stk;

	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&stk, 4096, GFP_KERNEL), 0);
	memset((void *)stk.lo, 0x33, stk.hi - stk.lo);
	tinyalloc_stack_free(&stk);
	expect_kasan_report(test, read_byte, (void *)stk.hi - 8,
			    "a pool stack's use after free");
	/* All of it: a CPU's cache keeps nothing in a free stack. */
	expect_kasan_report(test, read_byte, (void *)stk.lo,
			    "a pool stack's use after free, at lo");
}

static void test_large_stack_use_after_free(struct kunit *test)
{
	struct tinyalloc_stack stk;

	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&stk, SZ_64K, GFP_KERNEL), 0);
	memset((void *)stk.lo, 0x44, stk.hi - stk.lo);
	tinyalloc_stack_free(&stk);
	expect_kasan_report(test, read_byte, (void *)stk.lo + 100,
			    "a large stack's use after free");
}

/*
 * A stack overflowing its lo by one byte writes into the stack below it;
 * free, that one is poisoned.  Pool stacks of one span are next to each
 * other: find two, free the lower.
 */
static void test_stack_below_lo(struct kunit *test)
{
	struct tinyalloc_stack s[16];
	int lo = -1, hi = -1, i, j;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&s[i], 2048,
							    GFP_KERNEL), 0);
	for (i = 0; i < ARRAY_SIZE(s) && lo < 0; i++)
		for (j = 0; j < ARRAY_SIZE(s); j++)
			if (s[i].hi == s[j].lo) {
				lo = i;
				hi = j;
				break;
			}
	if (lo < 0) {
		for (i = 0; i < ARRAY_SIZE(s); i++)
			tinyalloc_stack_free(&s[i]);
		KUNIT_FAIL(test, "no two of 16 pool stacks are adjacent");
		return;
	}
	tinyalloc_stack_free(&s[lo]);
	expect_kasan_report(test, write_byte, (void *)s[hi].lo - 1,
			    "a write below a stack's lo");
	for (i = 0; i < ARRAY_SIZE(s); i++)
		if (i != lo)
			tinyalloc_stack_free(&s[i]);
}

/* The opposite: good use of every size reports nothing. */
static void test_good_use_quiet(struct kunit *test)
{
	unsigned int reports = READ_ONCE(kasan_reports);
	struct tinyalloc_stack stk[8];
	char *p[64];
	size_t size;
	int i, r;

	for (r = 0; r < 50; r++) {
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			size = 1 + (i * 7 + r) % 40;
			p[i] = tinyalloc_alloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			memset(p[i], i, size);
			KUNIT_EXPECT_EQ(test, p[i][size - 1], (char)i);
		}
		for (i = 0; i < ARRAY_SIZE(stk); i++) {
			size = 2048 << (i % 6);
			KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&stk[i], size,
								    GFP_KERNEL), 0);
			memset((void *)stk[i].lo, r, stk[i].hi - stk[i].lo);
		}
		for (i = 0; i < ARRAY_SIZE(p); i += 2)
			tinyalloc_free(p[i]);
		for (i = 1; i < ARRAY_SIZE(p); i += 2)
			tinyalloc_free(p[i]);
		for (i = 0; i < ARRAY_SIZE(stk); i++)
			tinyalloc_stack_free(&stk[i]);
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(kasan_reports), reports);
}

static struct kunit_case kasan_cases[] = {
	KUNIT_CASE(test_tiny_overflow),
	KUNIT_CASE(test_tiny_granule_end),
	KUNIT_CASE(test_tiny_use_after_free),
	KUNIT_CASE(test_tiny_bad_frees_refused),
	KUNIT_CASE(test_pool_stack_use_after_free),
	KUNIT_CASE(test_large_stack_use_after_free),
	KUNIT_CASE(test_stack_below_lo),
	KUNIT_CASE(test_good_use_quiet),
	{}
};

static struct kunit_suite kasan_suite = {
	.name = "tinyalloc_kasan",
	.suite_init = kasan_suite_init,
	.suite_exit = kasan_suite_exit,
	.init = kasan_case_init,
	.test_cases = kasan_cases,
};

kunit_test_suite(kasan_suite);

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);
MODULE_DESCRIPTION("tinyalloc KUnit: KASAN sees its objects and stacks");
MODULE_LICENSE("GPL");
