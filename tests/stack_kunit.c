// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for tinyalloc's stack pools.
 *
 * Tests make private instances (ta_stack_create()) for each FIXED_STACK
 * and mode, and observe them through their counters and the per-order
 * pool fields the debugfs stacks file prints.  Sequences whose per-CPU
 * cache contents matter run with preemption off, on one CPU.
 */

#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "core.h"
#include "each_cpu.h"
#include "spanmap.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

static unsigned long ssum(struct ta_stack *st, enum ta_stat i)
{
	return ta_stat_sum(st->stats, i);
}

static unsigned long live(struct ta_stack *st)
{
	return ssum(st, TA_STACK_ALLOCS) - ssum(st, TA_STACK_FREES);
}

static unsigned long spans(struct ta_stack *st)
{
	return ssum(st, TA_STACK_SPANS_ALLOC) - ssum(st, TA_STACK_SPANS_FREED);
}

static unsigned long invalid(struct ta_stack *st)
{
	return ssum(st, TA_STACK_INVALID_FREES);
}

static unsigned long global_invalid(void)
{
	return ta_stat_sum(ta_global_stats_get(), TA_STACK_INVALID_FREES);
}

static struct ta_stack *make(struct kunit *test, unsigned int fixed,
			     bool debug)
{
	struct ta_stack *st = ta_stack_create(fixed, debug);

	KUNIT_ASSERT_FALSE(test, IS_ERR(st));
	test->priv = st;
	return st;
}

static void stack_exit(struct kunit *test)
{
	if (test->priv)
		ta_stack_destroy(test->priv);
}

/*
 * Empty every CPU's caches: the test's kthread may have migrated.  In
 * task context on each CPU: from an interrupt, a drain leaves the task
 * context's caches alone.
 */
static struct ta_stack *drain_st;

static void drain_cpu_fn(void)
{
	ta_stack_drain_local(drain_st);
}

static void drain_all(struct ta_stack *st)
{
	drain_st = st;
	/* Out of memory for the work items: this CPU at least. */
	if (run_on_each_cpu(drain_cpu_fn))
		drain_cpu_fn();
}

static const unsigned int fixed_values[] = { 1024, 2048, 4096 };

static void fixed_desc(const unsigned int *fixed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "fixed_stack %u", *fixed);
}

KUNIT_ARRAY_PARAM(fixed, fixed_values, fixed_desc);

/* Order and rounding for every size up to twice the largest order. */
static void test_order_rounding(struct kunit *test)
{
	unsigned int fixed = *(const unsigned int *)test->param_value;
	struct ta_stack *st;
	size_t size, want;

	if (fixed > PAGE_SIZE)
		kunit_skip(test, "fixed_stack %u exceeds PAGE_SIZE", fixed);
	st = make(test, fixed, false);
	for (size = 1; size <= 2 * ((size_t)fixed << 3); size++) {
		want = max_t(size_t, roundup_pow_of_two(size), fixed);
		if (ta_stack_order(st, size) != ilog2(want / fixed)) {
			KUNIT_FAIL(test, "size %zu: order %d, expected %d", size,
				   ta_stack_order(st, size), ilog2(want / fixed));
			return;
		}
	}
}

/* Bounds, size and natural alignment of real stacks, pool and large. */
static void test_bounds(struct kunit *test)
{
	unsigned int fixed = *(const unsigned int *)test->param_value;
	struct tinyalloc_stack stk[12];
	struct ta_stack *st;
	unsigned int i;
	size_t size, want;

	if (fixed > PAGE_SIZE)
		kunit_skip(test, "fixed_stack %u exceeds PAGE_SIZE", fixed);
	st = make(test, fixed, false);
	for (i = 0; i < ARRAY_SIZE(stk); i++) {
		size = ((size_t)fixed << (i / 2)) - (i % 2 ? 0 : fixed / 2 + 1);
		want = max_t(size_t, roundup_pow_of_two(size), fixed);
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk[i], size, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, stk[i].hi - stk[i].lo, want);
		KUNIT_EXPECT_EQ(test, stk[i].lo % want, 0);
		memset((void *)stk[i].lo, 0x5c, want);
	}
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_ALLOCS), 4);
	for (i = 0; i < ARRAY_SIZE(stk); i++)
		tinyalloc_stack_free(&stk[i]);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	KUNIT_EXPECT_EQ(test, invalid(st), 0);
}

/* Go's thresholds: refill to half the cache, release to half when full. */
static void test_cache_thresholds(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct ta_stack_pool *pool = ta_stack_pool(st, numa_mem_id(), 0);
	struct tinyalloc_stack stk[24];
	unsigned int i, half = TA_STACK_CACHE_SIZE / 2 / 2048;

	preempt_disable();
	KUNIT_EXPECT_EQ(test, ta_stack_alloc(st, &stk[0], 2048, GFP_ATOMIC), 0);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), half - 1);
	KUNIT_EXPECT_EQ(test, pool->nr_free, 16 - half);
	for (i = 1; i < ARRAY_SIZE(stk); i++)
		KUNIT_EXPECT_EQ(test, ta_stack_alloc(st, &stk[i], 2048, GFP_ATOMIC), 0);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), 0);
	KUNIT_EXPECT_EQ(test, spans(st), 2);
	KUNIT_EXPECT_EQ(test, pool->nr_free, 8);

	for (i = 0; i < 16; i++)
		tinyalloc_stack_free(&stk[i]);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), 16);
	/* The cache holds 32 KiB: release down to 16 KiB, then keep this one. */
	tinyalloc_stack_free(&stk[16]);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), half + 1);
	KUNIT_EXPECT_EQ(test, pool->nr_free, 16);
	for (i = 17; i < ARRAY_SIZE(stk); i++)
		tinyalloc_stack_free(&stk[i]);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), 16);

	/* All stacks back in the pool: one empty span kept, one returned. */
	ta_stack_drain_local(st);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 0), 0);
	KUNIT_EXPECT_EQ(test, spans(st), 1);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_SPANS_FREED), 1);
	KUNIT_EXPECT_EQ(test, pool->nr_free, 16);
	KUNIT_EXPECT_EQ(test, live(st), 0);
}

/* Large stacks wait on a free list, are reused, and the scan frees them. */
static void test_large_reuse_and_scan(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack a, b;
	unsigned int order = get_order(SZ_64K);

	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, SZ_64K, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, a.lo % SZ_64K, 0);
	tinyalloc_stack_free(&a);
	KUNIT_EXPECT_EQ(test, st->large_cached[order], 1);
	KUNIT_EXPECT_EQ(test, ta_stack_large_count(st), 1UL << order);

	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &b, SZ_64K - 100, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, b.lo, a.lo);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_REUSED), 1);
	KUNIT_EXPECT_EQ(test, ta_stack_large_count(st), 0);
	tinyalloc_stack_free(&b);

	KUNIT_EXPECT_EQ(test, ta_stack_large_scan(st, 1), 1UL << order);
	KUNIT_EXPECT_EQ(test, ta_stack_large_count(st), 0);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_RELEASED), 1);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_PAGES_FREED),
			ssum(st, TA_STACK_LARGE_PAGES));
}

/*
 * The module's shrinker, driven as reclaim would: it gives back cached
 * large stacks and every CPU's cached stacks and tiny spans, so that
 * nothing but the per-node keep is left.
 */
static void test_shrinker(struct kunit *test)
{
	struct shrinker *s = ta_shrinker_get();
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = 0 };
	struct tinyalloc_stack a, b;
	unsigned long count;
	unsigned int cpu;
	char *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&a, SZ_128K, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&b, 4096, GFP_KERNEL), 0);
	p = tinyalloc_alloc(5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	tinyalloc_free(p);
	tinyalloc_stack_free(&a);
	tinyalloc_stack_free(&b);
	count = s->count_objects(s, &sc);
	KUNIT_EXPECT_GE(test, count, SZ_128K / PAGE_SIZE);
	sc.nr_to_scan = count;
	KUNIT_EXPECT_GE(test, s->scan_objects(s, &sc), SZ_128K / PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s->count_objects(s, &sc), SHRINK_EMPTY);
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_FALSE(test,
				   ta_tiny_cpu_holds(per_cpu_ptr(ta_main->cpu, cpu)));
		KUNIT_EXPECT_EQ(test,
				ta_stack_cpu_cached(per_cpu_ptr(ta_stacks->cpu, cpu), 1),
				0);
	}
	KUNIT_EXPECT_EQ(test, ta_stack_large_count(ta_stacks), 0);
}

static void test_gfp_zero(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	size_t sizes[] = { 2048, 16384, SZ_64K };
	struct tinyalloc_stack a, b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		preempt_disable();
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, sizes[i], GFP_ATOMIC), 0);
		memset((void *)a.lo, 0xff, sizes[i]);
		tinyalloc_stack_free(&a);
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &b, sizes[i],
						     GFP_ATOMIC | __GFP_ZERO), 0);
		preempt_enable();
		KUNIT_EXPECT_EQ(test, b.lo, a.lo);	/* the dirty one, reused */
		KUNIT_EXPECT_TRUE(test, !memchr_inv((void *)b.lo, 0, sizes[i]));
		tinyalloc_stack_free(&b);
	}
}

static void test_atomic_irqs_off(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	const unsigned int n = 48;	/* new spans of every order */
	struct tinyalloc_stack *stk = kunit_kcalloc(test, n, sizeof(*stk),
						    GFP_KERNEL);
	int *err = kunit_kcalloc(test, n, sizeof(*err), GFP_KERNEL);
	unsigned long flags;
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, stk && err);
	local_irq_save(flags);
	for (i = 0; i < n; i++)
		err[i] = ta_stack_alloc(st, &stk[i], 2048 << (i % 6), GFP_ATOMIC);
	for (i = 0; i < n; i++)
		tinyalloc_stack_free(&stk[i]);
	ta_stack_drain_local(st);
	local_irq_restore(flags);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, err[i], 0);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	KUNIT_EXPECT_EQ(test, invalid(st), 0);
}

/* What the CPU hotplug callback does: empty a CPU's caches from outside. */
static void test_drain_cpu(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack a;
	unsigned long flags;

	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, 8192, GFP_KERNEL), 0);
	tinyalloc_stack_free(&a);
	KUNIT_EXPECT_GE(test, ta_stack_cached(st, 2), 1);
	local_irq_save(flags);
	ta_stack_drain_cpu(st, smp_processor_id());
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, ta_stack_cached(st, 2), 0);
	KUNIT_EXPECT_EQ(test, ta_stack_pooled(st, 2), 4);
	KUNIT_EXPECT_EQ(test, live(st), 0);
}

/* ---- bad requests and invalid frees ---- */

static void test_bad_sizes(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack stk = { 1, 2 };

	KUNIT_EXPECT_EQ(test, ta_stack_alloc(st, &stk, 0, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, stk.lo | stk.hi, 0);
	stk.lo = 1;
	KUNIT_EXPECT_EQ(test, ta_stack_alloc(st, &stk, SIZE_MAX, GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, stk.lo | stk.hi, 0);
	KUNIT_EXPECT_EQ(test, ta_stack_alloc(st, &stk,
					     (PAGE_SIZE << TA_MAX_PAGE_ORDER) + 1,
					     GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_BAD_REQUESTS), 3);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	/* A non-power-of-two size is rounded up. */
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk, 3000, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, stk.hi - stk.lo, 4096);
	tinyalloc_stack_free(&stk);
	/* Freeing the zeroed bounds of a failed allocation does nothing. */
	stk.lo = 0;
	stk.hi = 0;
	tinyalloc_stack_free(&stk);
	KUNIT_EXPECT_EQ(test, invalid(st), 0);
	KUNIT_EXPECT_EQ(test, global_invalid(), 0);
}

static void expect_refused(struct kunit *test, struct ta_stack *st,
			   unsigned long lo, unsigned long hi, bool ours)
{
	struct tinyalloc_stack stk = { lo, hi };
	unsigned long before = ours ? invalid(st) : global_invalid();
	unsigned long was_live = live(st);

	tinyalloc_stack_free(&stk);
	KUNIT_EXPECT_EQ(test, ours ? invalid(st) : global_invalid(), before + 1);
	KUNIT_EXPECT_EQ(test, live(st), was_live);
}

static void test_invalid_frees(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack a, big;
	unsigned long on_stack = 0;
	char *vm = vmalloc(8192), *km = kmalloc(4096, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, vm && km);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, 4096, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &big, SZ_64K, GFP_KERNEL), 0);
	memset((void *)a.lo, 0x33, 4096);

	/* Foreign: a stack variable, vmalloc, kmalloc memory. */
	expect_refused(test, st, (unsigned long)&on_stack,
		       (unsigned long)&on_stack + 2048, false);
	expect_refused(test, st, (unsigned long)vm, (unsigned long)vm + 4096,
		       false);
	expect_refused(test, st, (unsigned long)km, (unsigned long)km + 4096,
		       false);
	/* Wrong size, misaligned, not a power of two, inverted. */
	expect_refused(test, st, a.lo, a.lo + 2048, true);
	expect_refused(test, st, a.lo, a.lo + 8192, true);
	expect_refused(test, st, a.lo + 16, a.hi + 16, true);
	expect_refused(test, st, a.lo, a.lo + 3000, true);
	expect_refused(test, st, a.lo, a.lo - 4096, true);
	expect_refused(test, st, big.lo, big.lo + SZ_32K, true);
	expect_refused(test, st, big.lo + PAGE_SIZE, big.hi + PAGE_SIZE, true);
	/* A stack of the pool never handed out. */
	expect_refused(test, st, a.lo ^ 4096, (a.lo ^ 4096) + 4096, true);
	KUNIT_EXPECT_TRUE(test, !memchr_inv((void *)a.lo, 0x33, 4096));

	/* Double frees. */
	tinyalloc_stack_free(&a);
	expect_refused(test, st, a.lo, a.hi, true);
	tinyalloc_stack_free(&big);
	expect_refused(test, st, big.lo, big.hi, true);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	kfree(km);
	vfree(vm);
}

/*
 * Where a free finds a stack's descriptor: pool spans and large stacks
 * through the span map and their first page, a stack of its own smaller
 * than a piece of the map through the xarray.  Both refuse what is not
 * theirs, and an instance going away leaves no bit set.
 */
static void test_span_index(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack a, big, own;
	struct ta_stack_span *span;
	char *km = kmalloc(4096, GFP_KERNEL);
	unsigned long a_lo;

	KUNIT_ASSERT_NOT_NULL(test, km);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, 4096, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &big, SZ_64K, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &own, 2048,
					     GFP_KERNEL_ACCOUNT), 0);
	span = ta_stack_map_lookup((void *)a.lo);
	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_EXPECT_PTR_EQ(test, span->owner, st);
	KUNIT_EXPECT_TRUE(test, span->mapped);
	KUNIT_EXPECT_TRUE(test, a.lo >= span->base &&
			  a.hi <= span->base +
			  (ta_stack_span_pages(st, 1) << PAGE_SHIFT));
	/* Every piece of a large stack leads to it. */
	span = ta_stack_map_lookup((void *)big.lo);
	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_EXPECT_EQ(test, span->base, big.lo);
	KUNIT_EXPECT_PTR_EQ(test, ta_stack_map_lookup((void *)big.hi - 1), span);
	/* Its own page, smaller than a piece of the map: not in it. */
	if (PAGE_SIZE < 1UL << TA_SPAN_SHIFT)
		KUNIT_EXPECT_NULL(test, ta_stack_map_lookup((void *)own.lo));
	KUNIT_EXPECT_NULL(test, ta_stack_map_lookup(km));
	/* Foreign with the xarray in use, and a bad free of each kind. */
	expect_refused(test, st, (unsigned long)km, (unsigned long)km + 2048,
		       false);
	expect_refused(test, st, own.lo, own.lo + 1024, true);
	expect_refused(test, st, big.lo + SZ_32K, big.hi, true);
	tinyalloc_stack_free(&own);
	/* Its pages went back at its free: foreign now. */
	expect_refused(test, st, own.lo, own.hi, false);
	tinyalloc_stack_free(&big);
	expect_refused(test, st, big.lo, big.hi, true);
	a_lo = a.lo;
	tinyalloc_stack_free(&a);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	KUNIT_EXPECT_EQ(test, invalid(st), 3);
	/* The pool span stays (keep_empty) until the instance goes. */
	KUNIT_EXPECT_NOT_NULL(test, ta_stack_map_lookup((void *)a_lo));
	ta_stack_destroy(st);
	test->priv = NULL;
	KUNIT_EXPECT_NULL(test, ta_stack_map_lookup((void *)a_lo));
	kfree(km);
}

/*
 * A pool span holds 32 KiB, or 4 stacks up to 64 KiB: each of its stacks
 * is found through the map (a span of two pieces names itself in both)
 * and frees cleanly.
 */
static void test_pool_span_size(struct kunit *test)
{
	static const unsigned int fixed[] = { 1024, 2048, 4096 };
	struct tinyalloc_stack stk[32];
	struct ta_stack_span *span;
	unsigned int f, order, i, n;
	unsigned long bytes, size;
	struct ta_stack *st;

	for (f = 0; f < ARRAY_SIZE(fixed); f++) {
		st = make(test, fixed[f], false);
		for (order = 0; order < TA_STACK_ORDERS; order++) {
			size = (unsigned long)fixed[f] << order;
			bytes = clamp(4 * size, (unsigned long)SZ_32K,
				      (unsigned long)SZ_64K);
			n = bytes / size;
			/* One CPU's cache: a second would take a second span. */
			migrate_disable();
			for (i = 0; i < n; i++)
				if (ta_stack_alloc(st, &stk[i], size, GFP_KERNEL))
					break;
			migrate_enable();
			KUNIT_ASSERT_EQ(test, i, n);
			KUNIT_EXPECT_EQ(test, ta_stack_spans(st, NUMA_NO_NODE,
							     order), 1);
			KUNIT_EXPECT_EQ(test, ta_stack_span_pages(st, order),
					DIV_ROUND_UP(bytes, PAGE_SIZE));
			span = ta_stack_map_lookup((void *)stk[0].lo);
			KUNIT_ASSERT_NOT_NULL(test, span);
			for (i = 0; i < n; i++) {
				void *lo = (void *)stk[i].lo;

				KUNIT_EXPECT_PTR_EQ(test, ta_stack_map_lookup(lo),
						    span);
				KUNIT_EXPECT_TRUE(test, stk[i].lo >= span->base &&
						  stk[i].hi <= span->base + bytes);
			}
			while (n--)
				tinyalloc_stack_free(&stk[n]);
			drain_all(st);
		}
		KUNIT_EXPECT_EQ(test, live(st), 0);
		KUNIT_EXPECT_EQ(test, invalid(st), 0);
		ta_stack_destroy(st);
		test->priv = NULL;
	}
}

/* stack_debug: an overwritten canary at lo is reported; frees poison. */
static void test_stack_debug(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, true);
	struct tinyalloc_stack a, b;
	u8 *p;

	preempt_disable();
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &a, 4096, GFP_ATOMIC), 0);
	KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &b, 4096, GFP_ATOMIC), 0);
	preempt_enable();
	/* b is used well: only its top half. */
	memset((void *)(b.lo + 2048), 0x44, 2048);
	tinyalloc_stack_free(&b);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_OVERFLOWS), 0);
	/* a overflows down to lo. */
	memset((void *)a.lo, 0x44, 4096);
	tinyalloc_stack_free(&a);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_OVERFLOWS), 1);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	/* Poisoned, all of it: a CPU's cache writes nothing into it. */
	p = (u8 *)a.lo;
	kasan_disable_current();	/* a freed stack: KASAN would report */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0xfd, 4096));
	kasan_enable_current();
}

/* ---- randomised stress with a shadow model ---- */

struct shadow_stack {
	struct tinyalloc_stack stk;
	u32 id;
};

static unsigned long pattern(u32 id, unsigned long i)
{
	return (id * 0x9e3779b97f4a7c15UL) ^ (i * 0x10001UL);
}

/* Check the pattern word by word, then free. */
static bool check_and_free(struct kunit *test, struct shadow_stack *s)
{
	unsigned long *p = (unsigned long *)s->stk.lo;
	unsigned long i, n = (s->stk.hi - s->stk.lo) / sizeof(long);

	for (i = 0; i < n; i++) {
		if (p[i] != pattern(s->id, i)) {
			KUNIT_FAIL(test, "stack %u of %lu words: word %lu is %#lx, expected %#lx",
				   s->id, n, i, p[i], pattern(s->id, i));
			return false;
		}
	}
	tinyalloc_stack_free(&s->stk);
	s->stk.lo = 0;
	return true;
}

static void test_stress(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	const unsigned int slots = 256, ops = 20000;
	struct shadow_stack *shadow;
	struct rnd_state rnd;
	unsigned int i;
	unsigned long j, n;
	size_t size;
	u32 id = 0;

	shadow = kvcalloc(slots, sizeof(*shadow), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, shadow);
	prandom_seed_state(&rnd, 0x57ac);
	for (i = 0; i < ops; i++) {
		struct shadow_stack *s = &shadow[prandom_u32_state(&rnd) % slots];

		if (s->stk.lo) {
			if (!check_and_free(test, s))
				break;
			continue;
		}
		/* Mostly pool orders, now and then a large stack. */
		size = 1 + prandom_u32_state(&rnd) % (i % 16 ? SZ_16K : SZ_64K);
		s->id = ++id;
		if (ta_stack_alloc(st, &s->stk, size, GFP_KERNEL)) {
			KUNIT_FAIL(test, "stack %u of %zu bytes failed", id, size);
			break;
		}
		n = s->stk.hi - s->stk.lo;
		if (n < size || s->stk.lo % n) {
			KUNIT_FAIL(test, "stack %u: %lu bytes for %zu, misaligned?",
				   id, n, size);
			break;
		}
		for (j = 0; j < n / sizeof(long); j++)
			((unsigned long *)s->stk.lo)[j] = pattern(s->id, j);
	}
	for (i = 0; i < slots; i++)
		if (shadow[i].stk.lo)
			check_and_free(test, &shadow[i]);
	kvfree(shadow);
	drain_all(st);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	KUNIT_EXPECT_EQ(test, invalid(st), 0);
	KUNIT_EXPECT_LE(test, spans(st), TA_STACK_ORDERS * st->keep_empty);
	kunit_info(test, "%u stacks, %lu large (%lu reused)\n", id,
		   ssum(st, TA_STACK_LARGE_ALLOCS),
		   ssum(st, TA_STACK_LARGE_REUSED));
}

/* 10,000 stacks of each order: pages held against one alloc_pages each. */
static void test_memory_10k(struct kunit *test)
{
	const unsigned int n = 10000;
	struct tinyalloc_stack *stk;
	struct ta_stack *st = make(test, 2048, false);
	unsigned long pages, naive;
	unsigned int order, i;

	stk = kvcalloc(n, sizeof(*stk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stk);
	for (order = 0; order < TA_STACK_ORDERS; order++) {
		size_t size = 2048UL << order;

		for (i = 0; i < n; i++)
			if (ta_stack_alloc(st, &stk[i], size, GFP_KERNEL))
				break;
		KUNIT_EXPECT_EQ(test, i, n);
		pages = ta_stack_spans(st, NUMA_NO_NODE, order) *
			ta_stack_span_pages(st, order);
		naive = (unsigned long)i << get_order(size);
		kunit_info(test, "%u stacks of %zu bytes: %lu pages, one alloc_pages each: %lu pages (%lu.%02lux)\n",
			   i, size, pages, naive, pages / naive,
			   pages * 100 / naive % 100);
		/* At most one span beyond what the stacks fill. */
		KUNIT_EXPECT_LE(test, pages, DIV_ROUND_UP(i * size, PAGE_SIZE) +
				ta_stack_span_pages(st, order));
		while (i--)
			tinyalloc_stack_free(&stk[i]);
		drain_all(st);
	}
	kvfree(stk);
	KUNIT_EXPECT_EQ(test, live(st), 0);
}

/* ---- debugfs ---- */

static void test_debugfs_stacks(struct kunit *test)
{
	struct seq_file m = { .size = 8192 };
	unsigned long spans, free, cached, live;
	struct tinyalloc_stack a;
	unsigned int rows = 0, order, size;
	char *line;
	int n;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&a, 100, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, a.hi - a.lo, tinyalloc_fixed_stack());
	ta_debugfs_stacks_show(&m, NULL);
	tinyalloc_stack_free(&a);
	KUNIT_EXPECT_TRUE(test, !strncmp(m.buf, "order size spans ", 17));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "\nlarge_log2_pages cached\n"));
	for (line = m.buf; (line = strchr(line, '\n')); line++)
		rows++;
	/* Two headers, the orders, and the large lists. */
	KUNIT_EXPECT_EQ(test, rows, 2 + TA_STACK_ORDERS + TA_STACK_LARGE_LISTS -
			get_order(tinyalloc_fixed_stack() << TA_STACK_ORDERS));
	/* Order 0 showed the stack live while it was. */
	n = sscanf(strchr(m.buf, '\n') + 1, "%u %u %lu %lu %lu %lu", &order,
		   &size, &spans, &free, &cached, &live);
	KUNIT_ASSERT_EQ(test, n, 6);
	KUNIT_EXPECT_EQ(test, order, 0);
	KUNIT_EXPECT_EQ(test, size, tinyalloc_fixed_stack());
	KUNIT_EXPECT_GE(test, spans, 1);
	KUNIT_EXPECT_GE(test, live, 1);
}

/*
 * __GFP_ACCOUNT and zone modifiers get pages of the stack's own, with the
 * caller's flags, given back at free (no span, no cache, no free list);
 * __GFP_NOFAIL stacks above order 1 are served without the page
 * allocator's warning (the splat scan would see it).
 */
static void test_gfp_own_pages(struct kunit *test)
{
	static const struct {
		gfp_t gfp;
		size_t size;
	} cases[] = {
		{ GFP_KERNEL_ACCOUNT, 2048 },
		{ GFP_KERNEL_ACCOUNT, SZ_16K },
		{ GFP_KERNEL_ACCOUNT, SZ_64K },
		{ GFP_ATOMIC | __GFP_ACCOUNT, 4096 },
		{ GFP_KERNEL | __GFP_DMA32, 8192 },
		{ GFP_KERNEL | __GFP_DMA, 4096 },
	};
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack stk;
	unsigned long pages;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if ((cases[i].gfp & __GFP_DMA && !IS_ENABLED(CONFIG_ZONE_DMA)) ||
		    (cases[i].gfp & __GFP_DMA32 &&
		     !IS_ENABLED(CONFIG_ZONE_DMA32)))
			continue;
		pages = ssum(st, TA_STACK_LARGE_PAGES);
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk, cases[i].size,
						     cases[i].gfp), 0);
		KUNIT_EXPECT_EQ(test, stk.hi - stk.lo, (unsigned long)cases[i].size);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(stk.lo, cases[i].size));
		KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_PAGES) - pages,
				1UL << get_order(cases[i].size));
#ifdef CONFIG_ZONE_DMA
		if (cases[i].gfp & __GFP_DMA)
			KUNIT_EXPECT_EQ(test, page_zonenum(virt_to_page(stk.lo)),
					ZONE_DMA);
#endif
#ifdef CONFIG_ZONE_DMA32
		if (cases[i].gfp & __GFP_DMA32)
			KUNIT_EXPECT_LE(test, page_to_phys(virt_to_page(stk.hi - 1)),
					DMA_BIT_MASK(32));
#endif
		memset((void *)stk.lo, 0x3c, stk.hi - stk.lo);
		tinyalloc_stack_free(&stk);
	}
	KUNIT_EXPECT_EQ(test, spans(st), 0);
	KUNIT_EXPECT_EQ(test, live(st), 0);
	KUNIT_EXPECT_EQ(test, ta_stack_large_count(st), 0);
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_LARGE_PAGES),
			ssum(st, TA_STACK_LARGE_PAGES_FREED));
	KUNIT_EXPECT_EQ(test, invalid(st), 0);

	/* NOFAIL: from the pool where a span can be had, never failing. */
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk, 2048 << (i * 2),
						     GFP_KERNEL | __GFP_NOFAIL), 0);
		tinyalloc_stack_free(&stk);
	}
	KUNIT_EXPECT_EQ(test, live(st), 0);
}

/*
 * Nothing is written into a free stack: handed out again from the CPU's
 * cache, it holds all that its last user left, and no pointer of
 * tinyalloc's.  (Where init_on_alloc or init_on_free zero it, there is
 * nothing to see.)
 */
static void test_free_stack_untouched(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, false);
	struct tinyalloc_stack stk[8];
	unsigned int order, i;

	if (want_init_on_alloc(GFP_KERNEL) || want_init_on_free())
		kunit_skip(test, "init_on_alloc or init_on_free zero free stacks");
	/* Every span stays: the stacks come back from this instance. */
	st->keep_empty = UINT_MAX;
	for (order = 0; order < TA_STACK_ORDERS; order++) {
		migrate_disable();
		for (i = 0; i < ARRAY_SIZE(stk); i++) {
			KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk[i],
							     2048 << order,
							     GFP_KERNEL), 0);
			memset((void *)stk[i].lo, 0x5a, 2048 << order);
		}
		for (i = 0; i < ARRAY_SIZE(stk); i++)
			tinyalloc_stack_free(&stk[i]);
		for (i = 0; i < ARRAY_SIZE(stk); i++) {
			KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk[i],
							     2048 << order,
							     GFP_KERNEL), 0);
			KUNIT_EXPECT_PTR_EQ(test,
					    memchr_inv((void *)stk[i].lo, 0x5a,
						       2048 << order), NULL);
		}
		migrate_enable();
		for (i = 0; i < ARRAY_SIZE(stk); i++)
			tinyalloc_stack_free(&stk[i]);
	}
}

/* stack_debug keeps __GFP_ZERO's promise: no canary in a zeroed stack. */
static void test_stack_debug_zero(struct kunit *test)
{
	struct ta_stack *st = make(test, 2048, true);
	struct tinyalloc_stack stk;
	unsigned int order;

	for (order = 0; order < TA_STACK_ORDERS + 2; order++) {
		KUNIT_ASSERT_EQ(test, ta_stack_alloc(st, &stk, 2048 << order,
						     GFP_KERNEL | __GFP_ZERO), 0);
		KUNIT_EXPECT_TRUE(test, !memchr_inv((void *)stk.lo, 0,
						    stk.hi - stk.lo));
		tinyalloc_stack_free(&stk);
	}
	KUNIT_EXPECT_EQ(test, ssum(st, TA_STACK_OVERFLOWS), 0);
	KUNIT_EXPECT_EQ(test, invalid(st), 0);
}

static struct kunit_case stack_cases[] = {
	KUNIT_CASE_PARAM(test_order_rounding, fixed_gen_params),
	KUNIT_CASE_PARAM(test_bounds, fixed_gen_params),
	KUNIT_CASE(test_cache_thresholds),
	KUNIT_CASE(test_large_reuse_and_scan),
	KUNIT_CASE(test_shrinker),
	KUNIT_CASE(test_gfp_zero),
	KUNIT_CASE(test_gfp_own_pages),
	KUNIT_CASE(test_free_stack_untouched),
	KUNIT_CASE(test_stack_debug_zero),
	KUNIT_CASE(test_atomic_irqs_off),
	KUNIT_CASE(test_drain_cpu),
	KUNIT_CASE(test_bad_sizes),
	KUNIT_CASE(test_invalid_frees),
	KUNIT_CASE(test_span_index),
	KUNIT_CASE(test_pool_span_size),
	KUNIT_CASE(test_stack_debug),
	KUNIT_CASE(test_stress),
	KUNIT_CASE(test_memory_10k),
	KUNIT_CASE(test_debugfs_stacks),
	{}
};

static struct kunit_suite stack_suite = {
	.name = "tinyalloc_stack",
	.exit = stack_exit,
	.test_cases = stack_cases,
};

kunit_test_suite(stack_suite);
