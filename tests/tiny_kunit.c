// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for tinyalloc's tiny allocator.
 *
 * Most tests make a private instance (ta_tiny_create()) so that each block
 * size and mode starts from a clean slate, and observe it through its
 * per-CPU counters.  Sequences whose placement matters run with preemption
 * off, so that every allocation comes from one CPU's block.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "core.h"
#include "each_cpu.h"
#include "report.h"
#include "span_gfp.h"
#include "spanmap.h"
#include "tinyalloc.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

static unsigned long sum(struct ta_tiny *ta, enum ta_stat i)
{
	return ta_stat_sum(ta->stats, i);
}

static unsigned long objects_live(struct ta_tiny *ta)
{
	return sum(ta, TA_TINY_ALLOCS) - sum(ta, TA_TINY_FREES);
}

static unsigned long blocks_live(struct ta_tiny *ta)
{
	return sum(ta, TA_TINY_BLOCKS_TAKEN) - sum(ta, TA_TINY_BLOCKS_FREED);
}

static unsigned long spans_live(struct ta_tiny *ta)
{
	return sum(ta, TA_TINY_SPANS_ALLOC) - sum(ta, TA_TINY_SPANS_FREED);
}

static unsigned long invalid(struct ta_tiny *ta)
{
	return sum(ta, TA_INVALID_FREES);
}

static unsigned long global(enum ta_stat i)
{
	return ta_stat_sum(ta_global_stats_get(), i);
}

/* The instance of the running test, destroyed by the suite's exit. */
static struct ta_tiny *make(struct kunit *test, unsigned int bs, bool debug)
{
	struct ta_tiny *ta = ta_tiny_create(bs, debug);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ta));
	test->priv = ta;
	return ta;
}

static void tiny_exit(struct kunit *test)
{
	if (test->priv)
		ta_tiny_destroy(test->priv);
}

/*
 * Settle every CPU's blocks: the test's kthread may have migrated.  In
 * task context on each CPU: from an interrupt, a drain leaves the task
 * context's blocks alone.
 */
static struct ta_tiny *drain_ta;

static void drain_cpu_fn(void)
{
	ta_tiny_drain_local(drain_ta);
}

static void drain_all(struct ta_tiny *ta)
{
	drain_ta = ta;
	/* Out of memory for the work items: this CPU at least. */
	if (run_on_each_cpu(drain_cpu_fn))
		drain_cpu_fn();
}

static unsigned long addr(const void *p)
{
	return (unsigned long)p;
}

/* ---- alignment, for every size of every block size ---- */

struct align_case {
	unsigned int bs;
	unsigned int size;
};

static struct align_case align_cases[7 + 15 + 31];

static const void *align_gen(const void *prev, char *desc)
{
	const struct align_case *c = prev;
	unsigned int i, n = 0, bs;

	if (!c) {
		for (bs = 8; bs <= 32; bs *= 2)
			for (i = 1; i < bs; i++)
				align_cases[n++] = (struct align_case){ bs, i };
		c = align_cases;
	} else if (++c == align_cases + ARRAY_SIZE(align_cases)) {
		return NULL;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "block %u size %u", c->bs,
		 c->size);
	return c;
}

/* Go's rule, written out independently of the allocator's. */
static unsigned int go_align(unsigned int size)
{
	if (size % 8 == 0)
		return 8;
	if (size % 4 == 0)
		return 4;
	if (size % 2 == 0)
		return 2;
	return 1;
}

static void test_align(struct kunit *test)
{
	const struct align_case *c = test->param_value;
	struct ta_tiny *ta = make(test, c->bs, false);
	unsigned int want = ALIGN(1, go_align(c->size));
	char *a, *b;

	KUNIT_EXPECT_EQ(test, ta_tiny_align(c->size), go_align(c->size));
	preempt_disable();
	a = ta_tiny_alloc(ta, 1, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, c->size, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	*a = 0x11;
	KUNIT_EXPECT_EQ(test, addr(a) % c->bs, 0);
	KUNIT_EXPECT_EQ(test, addr(b) % go_align(c->size), 0);
	if (want + c->size <= c->bs)
		KUNIT_EXPECT_PTR_EQ(test, b, a + want);
	else
		KUNIT_EXPECT_EQ(test, addr(b) % c->bs, 0);
	memset(b, 0x5a, c->size);
	KUNIT_EXPECT_EQ(test, *a, 0x11);
	tinyalloc_free(a);
	tinyalloc_free(b);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/* ---- packing and Go's keep-more-space rule ---- */

/*
 * Memory coming online beyond the span map grows it (spanmap.c): spans
 * set before are still found, objects in them free normally, and the
 * map covers the new range.
 */
static void test_span_map_grow(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned long nr = ta_span_map->nr, end;
	char *p = ta_tiny_alloc(ta, 5, GFP_KERNEL);
	const struct ta_span_map *old = ta_span_map;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
	/* Covered already: nothing to do. */
	KUNIT_EXPECT_EQ(test, ta_span_map_grow(ta_span_map->base), 0);
	KUNIT_EXPECT_PTR_EQ(test, ta_span_map, old);
	end = ta_span_map->base + ((nr + 100) << TA_SPAN_SHIFT);
	KUNIT_ASSERT_EQ(test, ta_span_map_grow(end), 0);
	KUNIT_EXPECT_PTR_NE(test, ta_span_map, old);
	KUNIT_EXPECT_EQ(test, ta_span_map->nr, nr + 100);
	KUNIT_EXPECT_PTR_EQ(test, ta_tiny_span_of(p), ta_tiny_span_of(p + 1));
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
	/* A piece past the memory stays clear. */
	KUNIT_EXPECT_NULL(test, ta_tiny_span_of((void *)(end - 1)));
	tinyalloc_free(p);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, ta_span_map_refused(), 0);
}

static void test_packing(struct kunit *test)
{
	static const unsigned int sizes[] = { 3, 5, 2, 1, 4 };
	static const unsigned int offs[] = { 0, 3, 8, 10, 12 };
	struct ta_tiny *ta = make(test, 16, false);
	char *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	preempt_disable();
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		p[i] = ta_tiny_alloc(ta, sizes[i], GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_PTR_EQ(test, p[i], p[0] + offs[i]);
	}
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_COMBINED), ARRAY_SIZE(sizes) - 1);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		tinyalloc_free(p[i]);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
}

static void test_keep_more_space(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *c, *d, *e, *f;

	preempt_disable();
	/* 8 does not fit after 10 bytes; the new block has more room left. */
	a = ta_tiny_alloc(ta, 10, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	c = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	d = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	/* 13 does not fit after 16 bytes: the new block becomes current. */
	e = ta_tiny_alloc(ta, 13, GFP_ATOMIC);
	f = ta_tiny_alloc(ta, 2, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && d && e && f);
	KUNIT_EXPECT_EQ(test, addr(b) % 16, 0);
	KUNIT_EXPECT_PTR_EQ(test, c, b + 8);
	KUNIT_EXPECT_PTR_EQ(test, d, b + 12);
	KUNIT_EXPECT_EQ(test, addr(e) % 16, 0);
	KUNIT_EXPECT_NE(test, addr(e) / 16, addr(d) / 16);
	/* d's block is full (12 + 4), so e's block with 3 left stays. */
	KUNIT_EXPECT_PTR_EQ(test, f, e + 14);
	tinyalloc_free(a);
	tinyalloc_free(b);
	tinyalloc_free(c);
	tinyalloc_free(d);
	tinyalloc_free(e);
	tinyalloc_free(f);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
}

/* 12, 8, 4, 8 bytes: Go's rule takes 3 blocks, best fit fills 2. */
static void bestfit_case(struct kunit *test, unsigned int nr_open,
			 unsigned long blocks)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *c, *d;
	unsigned long taken;

	ta->nr_open = nr_open;
	preempt_disable();
	a = ta_tiny_alloc(ta, 12, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	c = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	d = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && d);
	taken = ta_stat_sum(ta->stats, TA_TINY_BLOCKS_TAKEN);
	KUNIT_EXPECT_EQ(test, taken, blocks);
	if (nr_open > 1) {
		/* 4 fills a's block to the byte; 8 then fills b's. */
		KUNIT_EXPECT_PTR_EQ(test, c, a + 12);
		KUNIT_EXPECT_PTR_EQ(test, d, b + 8);
	} else {
		KUNIT_EXPECT_PTR_EQ(test, c, b + 8);
	}
	tinyalloc_free(a);
	tinyalloc_free(b);
	tinyalloc_free(c);
	tinyalloc_free(d);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta->stats, TA_TINY_BLOCKS_FREED), taken);
}

static void test_policy_go(struct kunit *test)
{
	bestfit_case(test, 1, 3);
}

static void test_policy_bestfit(struct kunit *test)
{
	bestfit_case(test, TA_MAX_OPEN, 2);
}

/* With every slot open, a fresh block replaces the fullest. */
static void test_bestfit_slots(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *p[TA_MAX_OPEN + 2];
	unsigned int i;

	ta->nr_open = TA_MAX_OPEN;
	preempt_disable();
	/* 9, 10, 11, 12 bytes: one block each, every slot open. */
	for (i = 0; i < TA_MAX_OPEN; i++)
		p[i] = ta_tiny_alloc(ta, 9 + i, GFP_ATOMIC);
	/* 8 (aligned to 8) fits none; its block replaces the fullest, 12's. */
	p[i] = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	/* 3 fits 9's, 10's, 11's and 8's blocks: 11's is the tightest. */
	p[i + 1] = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta->stats, TA_TINY_BLOCKS_TAKEN),
			TA_MAX_OPEN + 1);
	KUNIT_EXPECT_PTR_EQ(test, p[TA_MAX_OPEN + 1], p[2] + 11);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		tinyalloc_free(p[i]);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
}

static void test_keep_old_block(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *c;

	preempt_disable();
	/* 13 does not fit after 4 bytes; the old block has more room left. */
	a = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 13, GFP_ATOMIC);
	c = ta_tiny_alloc(ta, 2, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c);
	KUNIT_EXPECT_NE(test, addr(b) / 16, addr(a) / 16);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 4);
	tinyalloc_free(a);
	tinyalloc_free(b);
	tinyalloc_free(c);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/* A block holds at most 15 objects, whatever room is left. */
static void test_max_objects(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 32, false);
	char *p[TA_MAX_OBJS + 1];
	unsigned int i;

	preempt_disable();
	for (i = 0; i <= TA_MAX_OBJS; i++)
		p[i] = ta_tiny_alloc(ta, 1, GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < TA_MAX_OBJS; i++)
		KUNIT_EXPECT_PTR_EQ(test, p[i], p[0] + i);
	KUNIT_EXPECT_EQ(test, addr(p[TA_MAX_OBJS]) % 32, 0);
	for (i = 0; i <= TA_MAX_OBJS; i++)
		tinyalloc_free(p[i]);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/*
 * An open block whose one object since its start is free starts over at
 * offset 0, within the bias it was taken with: 15 allocate-free pairs
 * take one block, all at one address.
 */
static void test_idle_restart(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned long taken, freed;
	char *first = NULL, *p;
	unsigned int i, placed = 0;

	preempt_disable();
	for (i = 0; i < TA_MAX_OBJS; i++) {
		p = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
		if (!first)
			first = p;
		placed += p && p == first;
		tinyalloc_free(p);
	}
	taken = sum(ta, TA_TINY_BLOCKS_TAKEN);
	freed = sum(ta, TA_TINY_BLOCKS_FREED);
	/* The 15th object used the bias up: the block was let go. */
	p = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, placed, TA_MAX_OBJS);
	KUNIT_EXPECT_EQ(test, taken, 1);
	KUNIT_EXPECT_EQ(test, freed, 1);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 2);
	tinyalloc_free(p);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/*
 * A fresh block is kept open in place of one holding 14 bytes, which goes
 * to the shelf with its bias: freeing its object frees it only once a
 * drain lets go of the shelf, settling the block to its live objects.
 */
static void test_keep_settles(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b;

	preempt_disable();
	a = ta_tiny_alloc(ta, 14, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_EXPECT_EQ(test, addr(b) % 16, 0);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 2);
	tinyalloc_free(a);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 2);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 1);
	tinyalloc_free(b);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/* ---- the shelf: holes Go's rule lets go of ---- */

static const unsigned int shelf_block_sizes[] = { 8, 16, 32 };

static void shelf_desc(const unsigned int *bs, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "block %u", *bs);
}

KUNIT_ARRAY_PARAM(shelf, shelf_block_sizes, shelf_desc);

/* Free @n objects; once drained, nothing of @ta is left in use. */
static void free_all_drained(struct kunit *test, struct ta_tiny *ta,
			     char *const *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		tinyalloc_free(p[i]);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/*
 * bs/2 + 1 bytes, then bs/2 (aligned past the rest of the block): the
 * first block is shelved with bs/2 - 1 bytes free, the second fills up
 * with another bs/2, and bs/2 - 1 bytes go to the shelved block's hole,
 * where Go's rule alone would take a third block.
 */
static void test_shelf_fills_hole(struct kunit *test)
{
	unsigned int bs = *(const unsigned int *)test->param_value;
	struct ta_tiny *ta = make(test, bs, false);
	char *a, *b, *c, *d;

	preempt_disable();
	a = ta_tiny_alloc(ta, bs / 2 + 1, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, bs / 2, GFP_ATOMIC);
	c = ta_tiny_alloc(ta, bs / 2, GFP_ATOMIC);
	d = ta_tiny_alloc(ta, bs / 2 - 1, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && d);
	KUNIT_EXPECT_EQ(test, addr(b) % bs, 0);
	KUNIT_EXPECT_PTR_EQ(test, c, b + bs / 2);
	KUNIT_EXPECT_PTR_EQ(test, d, a + bs / 2 + 1);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 2);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_COMBINED), 2);
	free_all_drained(test, ta, (char *[]){ a, b, c, d }, 4);
}

/*
 * An object that would leave less room than the open block gets a block
 * of its own, which is shelved: 13 bytes after 4, then 12 fill the open
 * block and 3 go after the 13.
 */
static void test_shelf_own_block(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *c, *d;

	preempt_disable();
	a = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 13, GFP_ATOMIC);
	c = ta_tiny_alloc(ta, 12, GFP_ATOMIC);
	d = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && d);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 4);
	KUNIT_EXPECT_PTR_EQ(test, d, b + 13);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 2);
	free_all_drained(test, ta, (char *[]){ a, b, c, d }, 4);
}

/*
 * With KASAN's shadow objects start at granules: in an 8-byte block no
 * hole after an object fits another, so none is shelved, and a block of
 * its own holds no bias: its one free frees it.
 */
static void test_shelf_kasan(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 8, false);
	char *a, *b;

	if (!TA_KASAN)
		kunit_skip(test, "no generic KASAN");
	ta_tiny_set_kasan(ta, true);
	preempt_disable();
	a = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_EXPECT_EQ(test, addr(b) % 8, 0);
	KUNIT_EXPECT_NE(test, addr(b) / 8, addr(a) / 8);
	tinyalloc_free(b);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_FREED), 1);
	free_all_drained(test, ta, &a, 1);
}

/*
 * With 16-byte blocks the shelf has two slots per offset: a third block
 * with its free bytes at 14 is let go at once, holding no bias, so that
 * its one free frees it; the shelved two keep theirs until the shelf's
 * holes are used, the tightest and latest first.
 */
static void test_shelf_slots_full(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a[4], *p, *q, *r;
	unsigned int i;

	preempt_disable();
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = ta_tiny_alloc(ta, 14, GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_ASSERT_NOT_NULL(test, a[i]);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 4);
	tinyalloc_free(a[3]);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_FREED), 1);
	tinyalloc_free(a[1]);
	tinyalloc_free(a[2]);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_FREED), 1);
	preempt_disable();
	p = ta_tiny_alloc(ta, 2, GFP_ATOMIC);
	q = ta_tiny_alloc(ta, 2, GFP_ATOMIC);
	r = ta_tiny_alloc(ta, 2, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, p && q && r);
	KUNIT_EXPECT_PTR_EQ(test, p, a[0] + 14);
	KUNIT_EXPECT_PTR_EQ(test, q, a[2] + 14);
	KUNIT_EXPECT_PTR_EQ(test, r, a[1] + 14);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_BLOCKS_TAKEN), 4);
	free_all_drained(test, ta, (char *[]){ a[0], p, q, r }, 4);
}

/* ---- the helpers: strings, memory, nodes, scope-based freeing ---- */

static void test_kstrdup(struct kunit *test)
{
	size_t bs = tinyalloc_tiny_block_size();
	unsigned long live = objects_live(ta_main);
	static const char * const strs[] = {
		"", "a", "abc", "0123456", "0123456789abcde",
		"a string longer than any tiny block, from kmalloc",
	};
	unsigned int i;
	char *p;

	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		p = tinyalloc_kstrdup(strs[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_STREQ(test, p, strs[i]);
		KUNIT_EXPECT_PTR_NE(test, p, strs[i]);
		KUNIT_EXPECT_EQ(test, !!ta_tiny_span_of(p),
				strlen(strs[i]) + 1 < bs);
		tinyalloc_free(p);
	}
	KUNIT_EXPECT_NULL(test, tinyalloc_kstrdup(NULL, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, objects_live(ta_main), live);
}

static void test_kstrndup(struct kunit *test)
{
	static const struct {
		const char *s;
		size_t max;
		const char *want;
	} cases[] = {
		{ "hello world", 5, "hello" },
		{ "hello", 5, "hello" },
		{ "hi", 100, "hi" },
		{ "abc", 0, "" },
	};
	unsigned long live = objects_live(ta_main);
	/* Not NUL-terminated within max: only max bytes may be read. */
	char *raw = kunit_kmalloc(test, 4, GFP_KERNEL);
	unsigned int i;
	char *p;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = tinyalloc_kstrndup(cases[i].s, cases[i].max, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_STREQ(test, p, cases[i].want);
		tinyalloc_free(p);
	}
	KUNIT_ASSERT_NOT_NULL(test, raw);
	memcpy(raw, "wxyz", 4);
	p = tinyalloc_kstrndup(raw, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "wxyz");
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
	tinyalloc_free(p);
	KUNIT_EXPECT_NULL(test, tinyalloc_kstrndup(NULL, 3, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, objects_live(ta_main), live);
}

static void test_kmemdup(struct kunit *test)
{
	static const size_t lens[] = { 1, 7, 15, 16, 100, 5000 };
	unsigned long live = objects_live(ta_main);
	size_t bs = tinyalloc_tiny_block_size();
	unsigned char *src = kunit_kmalloc(test, 5000, GFP_KERNEL), *p;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, src);
	for (i = 0; i < 5000; i++)
		src[i] = i * 7 + 3;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		p = tinyalloc_kmemdup(src, lens[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, memcmp(p, src, lens[i]), 0);
		KUNIT_EXPECT_EQ(test, !!ta_tiny_span_of(p), lens[i] < bs);
		tinyalloc_free(p);
	}
	KUNIT_EXPECT_PTR_EQ(test, tinyalloc_kmemdup(src, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, objects_live(ta_main), live);
}

/*
 * The calling CPU's node (or none named) is served from its tiny blocks;
 * another node's memory comes from kmalloc_node() on that node.
 */
static void test_alloc_node(struct kunit *test)
{
	unsigned long km = global(TA_KMALLOC_ALLOCS);
	int here, other = NUMA_NO_NODE, nid;
	char *p, *q, *r;

	preempt_disable();
	here = numa_mem_id();
	p = tinyalloc_alloc_node(5, GFP_ATOMIC, here);
	q = tinyalloc_alloc_node(5, GFP_ATOMIC, NUMA_NO_NODE);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, p && q);
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(q));
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(p)), here);
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_ALLOCS), km);
	tinyalloc_free(p);
	tinyalloc_free(q);
	p = tinyalloc_alloc_node(100, GFP_KERNEL, here);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(p)), here);
	tinyalloc_free(p);
	for_each_node_state(nid, N_MEMORY)
		if (nid != here)
			other = nid;
	if (other == NUMA_NO_NODE)
		kunit_skip(test, "one memory node: no other node to ask for");
	r = tinyalloc_alloc_node(5, GFP_KERNEL | __GFP_THISNODE, other);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_NULL(test, ta_tiny_span_of(r));
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(r)), other);
	tinyalloc_free(r);
}

/*
 * A large object's size: at least the 100 bytes asked, at most what
 * holds it less tinyalloc's header (@end: where what holds it ends), and
 * all of it the caller's (KASAN would report a byte held back).
 */
static void expect_large_size(struct kunit *test, gfp_t gfp, bool own_page)
{
	unsigned char *p = tinyalloc_alloc(100, gfp);
	unsigned long end;
	size_t n;

	KUNIT_ASSERT_NOT_NULL(test, p);
	n = tinyalloc_size(p);
	KUNIT_EXPECT_GE(test, n, 100);
	if (own_page) {
		end = (unsigned long)page_address(virt_to_page(p)) + PAGE_SIZE;
		KUNIT_EXPECT_EQ(test, (unsigned long)p + n, end);
	} else {
		/* kmalloc's bucket, whatever the header's size (<= 128). */
		KUNIT_EXPECT_LE(test, n, kmalloc_size_roundup(100 + 128));
	}
	memset(p, 0xa5, n);
	tinyalloc_free(p);
}

/*
 * tinyalloc_size(): ksize()'s promise where the size is recorded; a
 * refusal, counted, for tiny objects of the default mode and for what is
 * not the start of a live object.
 */
static void test_size(struct kunit *test)
{
	unsigned long refused = ta_invalid_sizes(), want_refused = 0;
	struct ta_tiny *dbg = make(test, 16, true), *plain;
	unsigned char *p, *q;
	void *k;

	expect_large_size(test, GFP_KERNEL, false);
	if (IS_ENABLED(CONFIG_ZONE_DMA32))
		expect_large_size(test, GFP_KERNEL | __GFP_DMA32, true);

	/* tiny_debug records every size: exactly what was asked. */
	p = ta_alloc_from(dbg, 5, GFP_KERNEL);
	q = ta_alloc_from(dbg, 3, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 5);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(q), 3);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(p + 1), 0);
	want_refused++;
	tinyalloc_free(p);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 0);
	want_refused++;
	tinyalloc_free(q);

	/* The default mode records no size: refused. */
	plain = ta_tiny_create(16, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(plain));
	p = ta_alloc_from(plain, 5, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
	KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 0);
	want_refused++;
	tinyalloc_free(p);
	ta_tiny_destroy(plain);

	/* The module's instance: exact where KASAN's shadow is kept. */
	p = tinyalloc_alloc(5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (ta_tiny_kasan(ta_main) || ta_main->debug) {
		KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 5);
	} else {
		KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 0);
		want_refused++;
	}
	tinyalloc_free(p);

	/* Nothing, or not a live tinyalloc object. */
	KUNIT_EXPECT_EQ(test, tinyalloc_size(NULL), 0);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(ZERO_SIZE_PTR), 0);
	k = kmalloc(32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(k), 0);
	want_refused++;
	kfree(k);
	p = tinyalloc_alloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	tinyalloc_free(p);
	KUNIT_EXPECT_EQ(test, tinyalloc_size(p), 0);
	want_refused++;
	KUNIT_EXPECT_EQ(test, ta_invalid_sizes(), refused + want_refused);
}

#ifdef DEFINE_FREE
static void test_free_scope(struct kunit *test)
{
	unsigned long live = objects_live(ta_main);

	{
		char *s __free(tinyalloc) = tinyalloc_kstrdup("key", GFP_KERNEL);
		void *none __free(tinyalloc) = NULL;

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, objects_live(ta_main), live + 1);
		KUNIT_EXPECT_NULL(test, none);
	}
	KUNIT_EXPECT_EQ(test, objects_live(ta_main), live);
}
#else
static void test_free_scope(struct kunit *test)
{
	kunit_skip(test, "no <linux/cleanup.h> in this kernel");
}
#endif

/* ---- the public API: size 0, sizes >= block, __GFP_ZERO ---- */

static void test_api_sizes(struct kunit *test)
{
	size_t bs = tinyalloc_tiny_block_size();
	unsigned long allocs = global(TA_KMALLOC_ALLOCS);
	unsigned long frees = global(TA_KMALLOC_FREES);
	unsigned long bad = global(TA_INVALID_FREES);
	char *tiny, *big, *zeroed;

	KUNIT_EXPECT_PTR_EQ(test, tinyalloc_alloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	tinyalloc_free(NULL);
	tinyalloc_free(ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, global(TA_INVALID_FREES), bad);

	tiny = tinyalloc_alloc(bs - 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tiny);
	KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(tiny));
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_ALLOCS), allocs);

	big = tinyalloc_alloc(bs, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_NULL(test, ta_tiny_span_of(big));
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_ALLOCS), allocs + 1);
	memset(big, 0x11, bs);

	zeroed = tinyalloc_alloc(300, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, zeroed);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(zeroed, 0, 300));

	tinyalloc_free(big);
	tinyalloc_free(zeroed);
	tinyalloc_free(tiny);
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_FREES), frees + 2);
	KUNIT_EXPECT_EQ(test, global(TA_INVALID_FREES), bad);
}

/*
 * What one shared span cannot do for one object (charge a cgroup, never
 * fail, a zone) goes to kmalloc, as tinyalloc_alloc() sends it; what a
 * span can do stays tiny.
 */
static void test_gfp_kmalloc(struct kunit *test)
{
	static const gfp_t to_kmalloc[] = {
		GFP_KERNEL_ACCOUNT, GFP_ATOMIC | __GFP_ACCOUNT,
		GFP_KERNEL | __GFP_NOFAIL, GFP_KERNEL | __GFP_DMA,
	};
	static const gfp_t to_span[] = {
		GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL | __GFP_MOVABLE,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_NOIO, GFP_NOFS,
	};
	struct ta_tiny *ta = make(test, 16, false);
	unsigned long before;
	unsigned int i;
	char *p;

	for (i = 0; i < ARRAY_SIZE(to_kmalloc); i++) {
		if (to_kmalloc[i] & __GFP_DMA && !IS_ENABLED(CONFIG_ZONE_DMA))
			continue;
		before = global(TA_KMALLOC_ALLOCS);
		p = ta_alloc_from(ta, 5, to_kmalloc[i]);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NULL(test, ta_tiny_span_of(p));
		KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_ALLOCS), before + 1);
#ifdef CONFIG_ZONE_DMA
		if (to_kmalloc[i] & __GFP_DMA)
			KUNIT_EXPECT_EQ(test, page_zonenum(virt_to_page(p)),
					ZONE_DMA);
#endif
		tinyalloc_free(p);
	}
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_ALLOCS), 0);
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_SPANS_ALLOC), 0);
	for (i = 0; i < ARRAY_SIZE(to_span); i++) {
		p = ta_alloc_from(ta, 5, to_span[i]);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
		KUNIT_EXPECT_NE(test, page_zonenum(virt_to_page(p)), ZONE_MOVABLE);
		tinyalloc_free(p);
	}
	KUNIT_EXPECT_EQ(test, sum(ta, TA_TINY_ALLOCS), ARRAY_SIZE(to_span));
}

static unsigned long own_pages_live(void)
{
	return global(TA_KMALLOC_OWN_PAGES) - global(TA_KMALLOC_OWN_PAGES_FREED);
}

/*
 * kmalloc has no ZONE_DMA32 caches and no highmem: a GFP_DMA32 object,
 * tiny or large, gets whole pages of that zone; __GFP_HIGHMEM is dropped
 * without kmalloc's "Unexpected gfp" warning (a splat fails the run), and
 * a tiny one stays tiny.  A __GFP_NOFAIL object above two pages is retried
 * by tinyalloc without the page allocator's warning.  Each is freed once;
 * a free of its inside is refused, and so is the second free.
 */
static void test_gfp_zones(struct kunit *test)
{
	static const gfp_t gfps[] = {
		GFP_DMA32, GFP_DMA32 | __GFP_ZERO, GFP_ATOMIC | __GFP_DMA32,
		GFP_DMA32 | __GFP_HIGHMEM, GFP_KERNEL | __GFP_HIGHMEM,
		GFP_HIGHUSER, GFP_KERNEL_ACCOUNT | __GFP_DMA32 | __GFP_NOFAIL,
		GFP_KERNEL | __GFP_NOFAIL, GFP_KERNEL | __GFP_NOFAIL | __GFP_ZERO,
		GFP_KERNEL | __GFP_DMA32 | __GFP_MOVABLE,
	};
	static const size_t sizes[] = { 5, 100, 4000, 20000, 100000 };
	unsigned long bad = global(TA_INVALID_FREES), own = own_pages_live();
	size_t bs = tinyalloc_tiny_block_size();
	unsigned int i, j, refused = 0;
	struct page *control;
	unsigned char *p;
	bool pages, tiny;

	control = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, control);
	/* Where this is Normal, a DMA32 request in DMA32 is no accident. */
	kunit_info(test, "GFP_KERNEL control page in zone %s\n",
		   page_zone(control)->name);
	__free_page(control);
	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			pages = IS_ENABLED(CONFIG_ZONE_DMA32) &&
				gfps[i] & __GFP_DMA32;
			tiny = sizes[j] < bs &&
			       !(gfps[i] & (__GFP_DMA32 | __GFP_NOFAIL |
					    __GFP_ACCOUNT));
			p = tinyalloc_alloc(sizes[j], gfps[i]);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_EQ(test, !!ta_tiny_span_of(p), tiny);
			KUNIT_EXPECT_EQ(test, own_pages_live(), own + pages);
			if (gfps[i] & __GFP_ZERO)
				KUNIT_EXPECT_TRUE(test,
						  !memchr_inv(p, 0, sizes[j]));
			memset(p, 0x5a, sizes[j]);
#ifdef CONFIG_ZONE_DMA32
			if (gfps[i] & __GFP_DMA32) {
				KUNIT_EXPECT_EQ(test,
						page_zonenum(virt_to_page(p)),
						ZONE_DMA32);
				KUNIT_EXPECT_EQ(test,
						page_zonenum(virt_to_page(p + sizes[j] - 1)),
						ZONE_DMA32);
			}
#endif
			KUNIT_EXPECT_NE(test, page_zonenum(virt_to_page(p)),
					ZONE_MOVABLE);
			if (!tiny && sizes[j] > 16) {
				tinyalloc_free(p + 16);
				refused++;
				KUNIT_EXPECT_EQ(test, p[0], 0x5a);
			}
			tinyalloc_free(p);
			if (!tiny) {
				tinyalloc_free(p);
				refused++;
			}
			KUNIT_EXPECT_EQ(test, own_pages_live(), own);
		}
	}
	KUNIT_EXPECT_EQ(test, global(TA_INVALID_FREES), bad + refused);
}

/*
 * A control for the next test: where a page the caller allows to move
 * lands.  Where it lands in ZONE_MOVABLE (a kernel booted with
 * movablecore=), a span or stack that took the flag would too.
 */
static bool movable_zone_used(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
	bool movable;

	if (!page)
		return false;
	movable = page_zonenum(page) == ZONE_MOVABLE;
	__free_page(page);
	return movable;
}

/*
 * __GFP_MOVABLE: tinyalloc's spans and stacks are never movable, so
 * they never go to ZONE_MOVABLE, where a caller's flag would send them.
 */
static void test_movable_zone(struct kunit *test)
{
	static const size_t stack_sizes[] = { 2048, 16384, 65536 };
	struct ta_tiny *ta = make(test, 16, false);
	struct tinyalloc_stack stk;
	unsigned int i;
	char *p;

	if (!movable_zone_used())
		kunit_skip(test, "no ZONE_MOVABLE memory here (boot with movablecore=)");
	for (i = 0; i < 64; i++) {
		/* A fresh instance: each 2048th object takes a new span. */
		p = ta_alloc_from(ta, 5, GFP_HIGHUSER_MOVABLE & ~__GFP_HIGHMEM);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NOT_NULL(test, ta_tiny_span_of(p));
		KUNIT_EXPECT_NE(test, page_zonenum(virt_to_page(p)),
				ZONE_MOVABLE);
		tinyalloc_free(p);
	}
	KUNIT_EXPECT_GE(test, sum(ta, TA_TINY_SPANS_ALLOC), 1);
	/* Large objects: kmalloc's own pages would take the flag. */
	for (i = 0; i < 2; i++) {
		p = tinyalloc_alloc(20000, GFP_KERNEL | __GFP_MOVABLE |
				    (i ? __GFP_NOFAIL : 0));
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NE(test, page_zonenum(virt_to_page(p)),
				ZONE_MOVABLE);
		tinyalloc_free(p);
	}
	for (i = 0; i < ARRAY_SIZE(stack_sizes); i++) {
		int err = tinyalloc_stack_alloc(&stk, stack_sizes[i],
						GFP_KERNEL | __GFP_MOVABLE);

		KUNIT_ASSERT_EQ(test, err, 0);
		KUNIT_EXPECT_NE(test, page_zonenum(virt_to_page(stk.lo)),
				ZONE_MOVABLE);
		tinyalloc_stack_free(&stk);
	}
}

/*
 * A span takes none of one caller's per-object flags, and neither
 * reclaims nor dips into reserves, whatever the caller passed; a larger
 * span than needed (a stack pool's 64 KiB) does not even wake kswapd.
 */
static void test_span_gfp(struct kunit *test)
{
	static const gfp_t callers[] = {
		GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL_ACCOUNT,
		GFP_KERNEL | __GFP_NOFAIL, GFP_DMA32, GFP_DMA, GFP_HIGHUSER_MOVABLE,
		GFP_KERNEL | __GFP_ZERO | __GFP_MEMALLOC, GFP_ATOMIC | __GFP_MEMALLOC,
	};
	const gfp_t never = __GFP_ACCOUNT | __GFP_NOFAIL | GFP_ZONEMASK |
			    __GFP_ZERO | __GFP_MEMALLOC | __GFP_DIRECT_RECLAIM;
	const gfp_t always = __GFP_NOMEMALLOC | __GFP_NOWARN | __GFP_COMP;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(callers); i++) {
		gfp_t gfp = ta_span_gfp(callers[i]);

		KUNIT_EXPECT_TRUE(test, !(gfp & never));
		KUNIT_EXPECT_TRUE(test, (gfp & always) == always);
		KUNIT_EXPECT_EQ(test, !(gfp & __GFP_HIGH),
				!(callers[i] & __GFP_HIGH));
		KUNIT_EXPECT_EQ(test, !(gfp & __GFP_KSWAPD_RECLAIM),
				!(callers[i] & __GFP_KSWAPD_RECLAIM));
		KUNIT_EXPECT_TRUE(test, ta_span_gfp_larger(callers[i]) ==
				  (gfp & ~__GFP_KSWAPD_RECLAIM));
	}
}

/* Reused blocks hold old bytes; __GFP_ZERO must clear them anyway. */
static void test_gfp_zero(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned int i, n = 64;
	char **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	char *first;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(ta, 15, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], 0xa5, 15);
	}
	first = p[0];
	for (i = 0; i < n; i++)
		tinyalloc_free(p[i]);
	/* The emptied span is kept for reuse and scanned from its start. */
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, spans_live(ta), 1);
	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(ta, 15, GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(p[i], 0, 15));
	}
	KUNIT_EXPECT_PTR_EQ(test, p[0], first);
	for (i = 0; i < n; i++)
		tinyalloc_free(p[i]);
}

/*
 * __GFP_ZERO clears exactly the object, for every size: in a block whose
 * other bytes are all set, the object comes back zeroed and not one byte
 * around it changes (the zeroing is stores of fixed widths, tiny.c).
 * The instance keeps no KASAN shadow, so the test may set the block's
 * free bytes; it sets them after the first allocation, which init_on_alloc
 * kernels zero.
 */
static void test_gfp_zero_exact(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 32, false);
	unsigned int n, i;
	u8 *a, *b, *blk;

	/* There blocks are zeroed as they start, not objects (tiny_fast.h). */
	if (want_init_on_alloc(0) || want_init_on_free())
		kunit_skip(test, "init_on_alloc/init_on_free: objects are not zeroed one by one");
	for (n = 1; n < 32; n++) {
		migrate_disable();
		a = ta_tiny_alloc(ta, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, a);
		/* A fresh block: the previous round's was drained. */
		KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)a, 32));
		blk = a;
		memset(blk, 0xa5, 32);
		b = ta_tiny_alloc(ta, n, GFP_KERNEL | __GFP_ZERO);
		migrate_enable();
		KUNIT_ASSERT_NOT_NULL(test, b);
		KUNIT_ASSERT_PTR_EQ(test, PTR_ALIGN_DOWN(b, 32), (void *)blk);
		KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(b, 0, n),
				      "size %u not zeroed", n);
		for (i = 0; i < 32; i++)
			if (blk + i < b || blk + i >= b + n)
				KUNIT_EXPECT_EQ_MSG(test, blk[i], 0xa5,
						    "size %u: byte %u zeroed", n, i);
		tinyalloc_free(a);
		tinyalloc_free(b);
		drain_all(ta);
	}
}

/* ---- atomic contexts ---- */

static DEFINE_SPINLOCK(test_lock);

static void alloc_many_atomic(struct kunit *test, struct ta_tiny *ta,
			      char **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(ta, 1 + i % 15, GFP_ATOMIC);
		if (p[i])
			memset(p[i], 0x3c, 1 + i % 15);
	}
}

static void test_atomic(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned int i, n = 6 * ta->nr_blocks;	/* several new spans */
	char **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, p);
	spin_lock(&test_lock);
	alloc_many_atomic(test, ta, p, n);
	spin_unlock(&test_lock);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		tinyalloc_free(p[i]);
	}

	local_irq_save(flags);
	alloc_many_atomic(test, ta, p, n);
	for (i = 0; i < n; i++)
		tinyalloc_free(p[i]);
	local_irq_restore(flags);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
}

/* From a hard IRQ: an hrtimer callback in hard IRQ mode. */
struct irq_work_result {
	struct hrtimer timer;
	struct ta_tiny *ta;
	bool in_hardirq;
	unsigned int ok, sized;
	size_t size40;		/* tinyalloc_size() of a 40-byte object */
	struct completion done;
};

static enum hrtimer_restart hardirq_alloc(struct hrtimer *t)
{
	struct irq_work_result *r = container_of(t, struct irq_work_result,
						 timer);
	struct tinyalloc_stack stk;
	unsigned int i;
	char *p;

	r->in_hardirq = in_hardirq();
	for (i = 0; i < 64; i++) {
		p = ta_tiny_alloc(r->ta, 1 + i % 15, GFP_ATOMIC);
		if (p) {
			memset(p, 0x99, 1 + i % 15);
			tinyalloc_free(p);
			r->ok++;
		}
		p = tinyalloc_alloc(40, GFP_NOWAIT);
		if (p) {
			/* A size lookup takes the bucket lock, here too. */
			if (tinyalloc_size(p) == r->size40)
				r->sized++;
			tinyalloc_free(p);
			r->ok++;
		}
		if (!tinyalloc_stack_alloc(&stk, 2048 << (i % 5), GFP_ATOMIC)) {
			tinyalloc_stack_free(&stk);
			r->ok++;
		}
	}
	complete(&r->done);
	return HRTIMER_NORESTART;
}

static void test_hardirq(struct kunit *test)
{
	struct irq_work_result *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long done;
	void *p;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "no allocation from hard IRQ on PREEMPT_RT");
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->ta = make(test, 16, false);
	/* What a 40-byte object's size is from task context. */
	p = tinyalloc_alloc(40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	r->size40 = tinyalloc_size(p);
	tinyalloc_free(p);
	KUNIT_ASSERT_GE(test, r->size40, 40);
	init_completion(&r->done);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	r->timer.function = hardirq_alloc;
	hrtimer_start(&r->timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	done = wait_for_completion_timeout(&r->done, 10 * HZ);
	hrtimer_cancel(&r->timer);
	KUNIT_ASSERT_NE(test, done, 0);
	KUNIT_EXPECT_TRUE(test, r->in_hardirq);
	KUNIT_EXPECT_EQ(test, r->ok, 3 * 64);
	KUNIT_EXPECT_EQ(test, r->sized, 64);
	KUNIT_EXPECT_EQ(test, objects_live(r->ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(r->ta), 0);
}

/*
 * A hard IRQ allocates from blocks of its own, so the task's block, which
 * it bumps with only preemption off, goes on where it was.
 */
struct irq_own_result {
	struct hrtimer timer;
	struct ta_tiny *ta;
	char *p;
	struct completion done;
};

static enum hrtimer_restart hardirq_alloc_one(struct hrtimer *t)
{
	struct irq_own_result *r = container_of(t, struct irq_own_result,
						timer);

	r->p = ta_tiny_alloc(r->ta, 4, GFP_ATOMIC);
	complete(&r->done);
	return HRTIMER_NORESTART;
}

/*
 * On one CPU: allocate *@a from the task's block, run @fn in a hard IRQ,
 * then allocate *@c.  Skips on PREEMPT_RT, where every context uses the
 * locked state.
 */
static struct irq_own_result *
around_hardirq(struct kunit *test, enum hrtimer_restart (*fn)(struct hrtimer *),
	       char **a, char **c)
{
	struct irq_own_result *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long fired;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "every context uses the locked state on PREEMPT_RT");
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->ta = make(test, 16, false);
	init_completion(&r->done);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	r->timer.function = fn;
	migrate_disable();
	*a = ta_tiny_alloc(r->ta, 4, GFP_KERNEL);
	hrtimer_start(&r->timer, ms_to_ktime(1), HRTIMER_MODE_REL_PINNED_HARD);
	fired = wait_for_completion_timeout(&r->done, 10 * HZ);
	hrtimer_cancel(&r->timer);
	*c = ta_tiny_alloc(r->ta, 4, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NE(test, fired, 0);
	KUNIT_ASSERT_TRUE(test, *a && *c);
	return r;
}

static void test_irq_own_blocks(struct kunit *test)
{
	struct irq_own_result *r;
	char *a, *c;

	r = around_hardirq(test, hardirq_alloc_one, &a, &c);
	KUNIT_ASSERT_NOT_NULL(test, r->p);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 4);
	KUNIT_EXPECT_NE(test, addr(r->p) / 16, addr(a) / 16);
	tinyalloc_free(a);
	tinyalloc_free(r->p);
	tinyalloc_free(c);
	KUNIT_EXPECT_EQ(test, objects_live(r->ta), 0);
}

static enum hrtimer_restart hardirq_drain(struct hrtimer *t)
{
	struct irq_own_result *r = container_of(t, struct irq_own_result,
						timer);

	ta_tiny_drain_local(r->ta);
	complete(&r->done);
	return HRTIMER_NORESTART;
}

/*
 * A drain from a hard IRQ settles only the interrupt contexts' blocks:
 * the interrupted task may be changing its own with only preemption off.
 */
static void test_irq_drain_spares_task(struct kunit *test)
{
	struct irq_own_result *r;
	char *a, *c;

	r = around_hardirq(test, hardirq_drain, &a, &c);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 4);
	tinyalloc_free(a);
	tinyalloc_free(c);
	drain_all(r->ta);
	KUNIT_EXPECT_EQ(test, objects_live(r->ta), 0);
	KUNIT_EXPECT_EQ(test, blocks_live(r->ta), 0);
}

/* ---- blocks reused, pages returned ---- */

static void test_block_reuse(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned int i, n = ta->nr_blocks;
	char **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	char *again;

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* One 15-byte object per block: exactly one span's worth. */
	preempt_disable();
	for (i = 0; i < n; i++)
		p[i] = ta_tiny_alloc(ta, 15, GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	KUNIT_EXPECT_EQ(test, spans_live(ta), 1);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), n);

	tinyalloc_free(p[5]);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), n - 1);
	preempt_disable();
	again = ta_tiny_alloc(ta, 15, GFP_ATOMIC);
	preempt_enable();
	KUNIT_EXPECT_PTR_EQ(test, again, p[5]);
	KUNIT_EXPECT_EQ(test, spans_live(ta), 1);
	p[5] = again;
	for (i = 0; i < n; i++)
		tinyalloc_free(p[i]);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
}

static void test_pages_returned(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned int i, n = 4 * ta->nr_blocks;
	char **p = kvcalloc(n, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(ta, 15, GFP_KERNEL);
		if (!p[i])
			break;
	}
	KUNIT_EXPECT_EQ(test, i, n);
	KUNIT_EXPECT_GE(test, spans_live(ta), 4);
	while (i--)
		tinyalloc_free(p[i]);
	kvfree(p);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	/* Only the bounded number of empty spans stays. */
	KUNIT_EXPECT_LE(test, spans_live(ta), ta->keep_empty);
	KUNIT_EXPECT_GE(test, sum(ta, TA_TINY_SPANS_FREED), 2);
}

/*
 * What the CPU hotplug callback does for a dead CPU: settle its open
 * block and give up its span, from outside, without its local lock.
 */
static void test_drain_cpu(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned long flags;
	char *a, *b;

	preempt_disable();
	a = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 3, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	tinyalloc_free(a);
	tinyalloc_free(b);
	/* The open block still holds its bias: one block live. */
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 1);
	local_irq_save(flags);
	ta_tiny_drain_cpu(ta, smp_processor_id());
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
	/* The span went to its node's list as an empty span kept for reuse. */
	KUNIT_EXPECT_EQ(test, spans_live(ta), 1);
	KUNIT_EXPECT_EQ(test, ta->nodes[numa_mem_id()].nr_empty, 1);
}

/*
 * Metadata must stay under 3.2% with 16-byte blocks: one span serves at
 * least 96.8% of its bytes as blocks.  15-byte objects take a block each;
 * count them until a second span is needed.
 */
static void test_metadata_cost(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	unsigned long span = PAGE_SIZE << ta->span_order;
	unsigned int i, n = span / 16, served = 0;
	char **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	migrate_disable();
	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(ta, 15, GFP_KERNEL);
		if (!p[i] || spans_live(ta) > 1)
			break;
		served++;
	}
	migrate_enable();
	for (i = 0; i < n && p[i]; i++)
		tinyalloc_free(p[i]);
	KUNIT_EXPECT_GE(test, served * 16 * 1000UL, 968 * span);
	kunit_info(test, "span %lu bytes: %u blocks served, %lu bytes of metadata (%lu.%02lu%%)\n",
		   span, served, span - served * 16UL,
		   (span - served * 16UL) * 100 / span,
		   (span - served * 16UL) * 10000 / span % 100);
}

/* ---- invalid frees: refused, counted, nothing else changes ---- */

static int module_data;

static void expect_refused(struct kunit *test, struct ta_tiny *ta,
			   const void *obj, bool instance)
{
	unsigned long before = instance ? invalid(ta) :
				global(TA_INVALID_FREES);
	unsigned long live = objects_live(ta), blocks = blocks_live(ta);
	unsigned long kmalloc_frees = global(TA_KMALLOC_FREES);

	tinyalloc_free(obj);
	KUNIT_EXPECT_EQ(test, instance ? invalid(ta) :
			global(TA_INVALID_FREES), before + 1);
	KUNIT_EXPECT_EQ(test, objects_live(ta), live);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), blocks);
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_FREES), kmalloc_frees);
}

static void test_invalid_foreign(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *vm = vmalloc(64), *km = kmalloc(32, GFP_KERNEL);
	int on_stack = 0;

	KUNIT_ASSERT_NOT_NULL(test, vm);
	KUNIT_ASSERT_NOT_NULL(test, km);
	memset(km, 0x77, 32);
	expect_refused(test, ta, &on_stack, false);
	expect_refused(test, ta, vm, false);
	expect_refused(test, ta, &module_data, false);
	expect_refused(test, ta, km, false);
	expect_refused(test, ta, km + 8, false);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(km, 0x77, 32));
	kfree(km);
	vfree(vm);
}

static void test_invalid_kmalloc_double_free(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *big = tinyalloc_alloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, big);
	expect_refused(test, ta, big + 4, false);
	tinyalloc_free(big);
	expect_refused(test, ta, big, false);
}

static void test_invalid_tiny(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *c, *keep, *shelved[2];

	preempt_disable();
	a = ta_tiny_alloc(ta, 15, GFP_ATOMIC);	/* current block */
	/* Blocks of their own, shelved: the two slots at offset 15. */
	shelved[0] = ta_tiny_alloc(ta, 15, GFP_ATOMIC);
	shelved[1] = ta_tiny_alloc(ta, 15, GFP_ATOMIC);
	/* A block of its own, holding no bias: the shelf has no slot. */
	b = ta_tiny_alloc(ta, 15, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b && shelved[0] && shelved[1]);
	memset(a, 0x42, 15);
	/* The span header. */
	expect_refused(test, ta, ta_tiny_span_of(a), true);
	/* A block never taken: it holds no live object. */
	expect_refused(test, ta, b + 16 * 100, true);
	/* b's block: its count would go below zero. */
	tinyalloc_free(b);
	expect_refused(test, ta, b, true);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(a, 0x42, 15));

	/* An extra free in the open block is caught when it is settled. */
	preempt_disable();
	c = ta_tiny_alloc(ta, 1, GFP_ATOMIC);	/* fills a's block */
	keep = ta_tiny_alloc(ta, 8, GFP_ATOMIC);	/* fits no hole */
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, c && keep);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 15);
	KUNIT_EXPECT_EQ(test, addr(keep) % 16, 0);
	tinyalloc_free(a);
	tinyalloc_free(c);
	tinyalloc_free(keep);
	tinyalloc_free(keep);
	KUNIT_EXPECT_EQ(test, invalid(ta), 3);
	tinyalloc_free(shelved[0]);
	tinyalloc_free(shelved[1]);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, invalid(ta), 4);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
}

/*
 * An NMI may land while tinyalloc holds a lock: every entry point refuses
 * one before it touches anything, counts it and leaves the object or
 * stack as it was.  The NMI count is raised here, as in_nmi() sees it in
 * a handler.
 */
static void test_nmi_refused(struct kunit *test)
{
	struct tinyalloc_stack stk = { 1, 2 }, live;
	unsigned long nmi = ta_nmi_refused();
	unsigned long bad = invalid(ta_main) + global(TA_INVALID_FREES);
	unsigned long sbad = global(TA_STACK_INVALID_FREES) +
			     ta_stat_sum(ta_stacks->stats, TA_STACK_INVALID_FREES);
	unsigned long frees = sum(ta_main, TA_TINY_FREES);
	void *p = tinyalloc_alloc(5, GFP_KERNEL), *a, *b;
	unsigned long flags;
	size_t size;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, ta_tiny_span_of(p));
	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&live, 4096, GFP_KERNEL), 0);
	local_irq_save(flags);
	__preempt_count_add(NMI_OFFSET);
	a = tinyalloc_alloc(5, GFP_ATOMIC);
	b = tinyalloc_alloc(100, GFP_ATOMIC);
	tinyalloc_free(p);
	size = tinyalloc_size(p);
	err = tinyalloc_stack_alloc(&stk, 4096, GFP_ATOMIC);
	tinyalloc_stack_free(&live);
	__preempt_count_sub(NMI_OFFSET);
	local_irq_restore(flags);

	KUNIT_EXPECT_NULL(test, a);
	KUNIT_EXPECT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, err, -EPERM);
	KUNIT_EXPECT_EQ(test, stk.lo, 0);
	KUNIT_EXPECT_EQ(test, stk.hi, 0);
	KUNIT_EXPECT_EQ(test, size, 0);
	KUNIT_EXPECT_EQ(test, ta_nmi_refused(), nmi + 6);
	/* Both still live: their frees now work, and nothing was refused. */
	KUNIT_EXPECT_EQ(test, sum(ta_main, TA_TINY_FREES), frees);
	tinyalloc_free(p);
	tinyalloc_stack_free(&live);
	KUNIT_EXPECT_EQ(test, sum(ta_main, TA_TINY_FREES), frees + 1);
	KUNIT_EXPECT_EQ(test, invalid(ta_main) + global(TA_INVALID_FREES), bad);
	KUNIT_EXPECT_EQ(test, global(TA_STACK_INVALID_FREES) +
			ta_stat_sum(ta_stacks->stats, TA_STACK_INVALID_FREES),
			sbad);
}

/*
 * A double free takes an open block's count to 0, which counts the block
 * freed; settling the block must not count it freed again, or its span
 * goes back to the page allocator under the live objects of another
 * block (whose frees were then refused).
 */
static void test_late_double_free(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *x, *y, *p[14];
	unsigned int i;

	ta->keep_empty = 0;	/* an empty span goes back at once */
	preempt_disable();
	x = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	y = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = ta_tiny_alloc(ta, 1, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, x && y && p[0]);
	KUNIT_ASSERT_PTR_EQ(test, p[13], p[0] + 13);
	KUNIT_ASSERT_NE(test, addr(p[0]) / 16, addr(x) / 16);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		tinyalloc_free(p[i]);
	tinyalloc_free(p[13]);	/* unseen: the block is still open */
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
	drain_all(ta);
	/* Refused when the block is settled, and the block freed once. */
	KUNIT_EXPECT_EQ(test, invalid(ta), 1);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 1);
	KUNIT_EXPECT_EQ(test, spans_live(ta), 1);
	/* x and y's block and span are untouched: their frees are good. */
	tinyalloc_free(x);
	tinyalloc_free(y);
	KUNIT_EXPECT_EQ(test, invalid(ta), 1);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	KUNIT_EXPECT_EQ(test, spans_live(ta), 0);
}

/*
 * A at 0 and B at 8 in the open block, A freed twice: the count looks as
 * if both were free, but the block must not start over at offset 0 and
 * hand B's bytes out again.
 */
static void test_idle_double_free(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, false);
	char *a, *b, *q[3];
	unsigned int i;

	preempt_disable();
	a = ta_tiny_alloc(ta, 1, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 8, GFP_ATOMIC);
	if (a && b) {
		memset(b, 0x5a, 8);
		tinyalloc_free(a);
		tinyalloc_free(a);
	}
	for (i = 0; i < ARRAY_SIZE(q); i++)
		q[i] = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 8);
	for (i = 0; i < ARRAY_SIZE(q); i++) {
		KUNIT_ASSERT_NOT_NULL(test, q[i]);
		KUNIT_EXPECT_TRUE(test, q[i] + 4 <= b || q[i] >= b + 8);
		memset(q[i], 0xee, 4);
	}
	KUNIT_EXPECT_TRUE(test, !memchr_inv(b, 0x5a, 8));
	for (i = 0; i < ARRAY_SIZE(q); i++)
		tinyalloc_free(q[i]);
}

/* tiny_debug: every double free and interior pointer is refused. */
static void test_debug_mode(struct kunit *test)
{
	struct ta_tiny *ta = make(test, 16, true);
	char *a, *b;

	preempt_disable();
	a = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	b = ta_tiny_alloc(ta, 4, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 4);
	memset(b, 0x21, 4);
	expect_refused(test, ta, a + 1, true);
	tinyalloc_free(a);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(a, 0x6b, 4));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(b, 0x21, 4));
	expect_refused(test, ta, a, true);
	tinyalloc_free(b);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, invalid(ta), 2);
}

/* ---- randomised stress against a shadow model ---- */

struct shadow_obj {
	u8 *p;
	u8 size;
	u32 id;
};

static u8 pattern(u32 id, unsigned int i)
{
	return (id * 31 + i * 7) ^ (id >> 8);
}

static bool check_and_free(struct kunit *test, struct shadow_obj *o)
{
	unsigned int i;

	for (i = 0; i < o->size; i++) {
		if (o->p[i] != pattern(o->id, i)) {
			KUNIT_FAIL(test, "object %u (%u bytes) byte %u: %#x, expected %#x",
				   o->id, o->size, i, o->p[i],
				   pattern(o->id, i));
			return false;
		}
	}
	tinyalloc_free(o->p);
	o->p = NULL;
	return true;
}

struct stress_case {
	unsigned int bs;
	bool debug;
};

static const struct stress_case stress_cases[] = {
	{ 8, false }, { 16, false }, { 32, false }, { 16, true },
};

static void stress_desc(const struct stress_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "block %u%s", c->bs,
		 c->debug ? " tiny_debug" : "");
}

KUNIT_ARRAY_PARAM(stress, stress_cases, stress_desc);

static void test_stress(struct kunit *test)
{
	const struct stress_case *c = test->param_value;
	struct ta_tiny *ta = make(test, c->bs, c->debug);
	const unsigned int slots = 4096, ops = 200000;
	struct shadow_obj *live;
	struct rnd_state rnd;
	unsigned int i, j;
	u32 id = 0;

	live = kvcalloc(slots, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rnd, 0x7a11a10c + c->bs + c->debug);
	for (i = 0; i < ops; i++) {
		struct shadow_obj *o = &live[prandom_u32_state(&rnd) % slots];

		if (o->p) {
			if (!check_and_free(test, o))
				break;
			continue;
		}
		o->size = 1 + prandom_u32_state(&rnd) % (c->bs - 1);
		o->id = ++id;
		o->p = ta_tiny_alloc(ta, o->size, GFP_KERNEL);
		if (!o->p) {
			KUNIT_FAIL(test, "allocation %u failed", id);
			break;
		}
		if (addr(o->p) % ta_tiny_align(o->size) ||
		    addr(o->p) % c->bs + o->size > c->bs) {
			KUNIT_FAIL(test, "%u bytes at block offset %lu break the alignment rule",
				   o->size, addr(o->p) % c->bs);
			break;
		}
		for (j = 0; j < o->size; j++)
			o->p[j] = pattern(o->id, j);
	}
	for (i = 0; i < slots; i++)
		if (live[i].p)
			check_and_free(test, &live[i]);
	kvfree(live);
	drain_all(ta);
	KUNIT_EXPECT_EQ(test, objects_live(ta), 0);
	KUNIT_EXPECT_EQ(test, blocks_live(ta), 0);
	KUNIT_EXPECT_LE(test, spans_live(ta), ta->keep_empty);
	KUNIT_EXPECT_EQ(test, invalid(ta), 0);
	kunit_info(test, "%u objects, %lu combined, %lu blocks, %lu spans\n",
		   id, sum(ta, TA_TINY_COMBINED), sum(ta, TA_TINY_BLOCKS_TAKEN),
		   sum(ta, TA_TINY_SPANS_ALLOC));
}

/* The public API with tiny and kmalloc-backed sizes mixed. */
static void test_stress_api(struct kunit *test)
{
	const unsigned int slots = 2048, ops = 100000;
	unsigned long kmalloc_live = global(TA_KMALLOC_ALLOCS) -
				     global(TA_KMALLOC_FREES);
	struct shadow_obj *live;
	struct rnd_state rnd;
	unsigned int i, j;
	u32 id = 0;

	live = kvcalloc(slots, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < ops; i++) {
		struct shadow_obj *o = &live[prandom_u32_state(&rnd) % slots];

		if (o->p) {
			if (!check_and_free(test, o))
				break;
			continue;
		}
		o->size = 1 + prandom_u32_state(&rnd) % 48;
		o->id = ++id;
		o->p = tinyalloc_alloc(o->size, GFP_KERNEL);
		if (!o->p) {
			KUNIT_FAIL(test, "allocation %u failed", id);
			break;
		}
		for (j = 0; j < o->size; j++)
			o->p[j] = pattern(o->id, j);
	}
	for (i = 0; i < slots; i++)
		if (live[i].p)
			check_and_free(test, &live[i]);
	kvfree(live);
	KUNIT_EXPECT_EQ(test, global(TA_KMALLOC_ALLOCS) -
			global(TA_KMALLOC_FREES), kmalloc_live);
}

/* ---- debugfs ---- */

/* What the debugfs file @name shows, printed by its own show function. */
static char *read_debugfs(struct kunit *test, const char *name)
{
	struct seq_file m = { .size = 8192 };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	if (!strcmp(name, "stats"))
		ta_debugfs_stats_show(&m, NULL);
	else if (!strcmp(name, "nodes"))
		ta_debugfs_nodes_show(&m, NULL);
	else
		ta_debugfs_cpus_show(&m, NULL);
	KUNIT_ASSERT_GT(test, m.count, 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	return m.buf;
}

static unsigned long stat_value(struct kunit *test, const char *text,
				const char *name)
{
	const char *line = text;
	size_t len = strlen(name);
	unsigned long v;
	int n;

	while (line && *line) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			n = sscanf(line + len, "%lu", &v);
			KUNIT_ASSERT_EQ(test, n, 1);
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	KUNIT_FAIL(test, "stats has no %s", name);
	return 0;
}

static void test_debugfs_stats(struct kunit *test)
{
	static const char * const names[] = {
		"tiny_allocs", "tiny_combined", "tiny_blocks_taken",
		"tiny_blocks_live", "tiny_objects_live", "tiny_spans",
		"tiny_pages", "kmalloc_allocs", "kmalloc_live", "invalid_frees",
		"tiny_remote_frees", "stack_remote_frees",
		"stack_allocs", "stack_frees", "stack_live", "stack_spans",
		"stack_pages", "stack_large_live", "stack_large_cached",
		"stack_invalid_frees", "stack_overflows", "nmi_refused",
		"own_pages_live", "invalid_sizes", "span_map_refused",
	};
	unsigned long allocs, live, km;
	unsigned int i;
	char *text, *p, *q;

	text = read_debugfs(test, "stats");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		stat_value(test, text, names[i]);
	allocs = stat_value(test, text, "tiny_allocs");
	live = stat_value(test, text, "tiny_objects_live");
	km = stat_value(test, text, "kmalloc_live");

	p = tinyalloc_alloc(3, GFP_KERNEL);
	q = tinyalloc_alloc(64, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q);
	text = read_debugfs(test, "stats");
	KUNIT_EXPECT_EQ(test, stat_value(test, text, "tiny_allocs"), allocs + 1);
	KUNIT_EXPECT_EQ(test, stat_value(test, text, "tiny_objects_live"),
			live + 1);
	KUNIT_EXPECT_EQ(test, stat_value(test, text, "kmalloc_live"), km + 1);
	KUNIT_EXPECT_GE(test, stat_value(test, text, "tiny_pages"),
			stat_value(test, text, "tiny_spans"));
	tinyalloc_free(p);
	tinyalloc_free(q);
	text = read_debugfs(test, "stats");
	KUNIT_EXPECT_EQ(test, stat_value(test, text, "tiny_objects_live"), live);
	KUNIT_EXPECT_EQ(test, stat_value(test, text, "kmalloc_live"), km);
}

/* The last number of a row: the cpus file's node column. */
static int last_field(const char *row)
{
	const char *end = strchrnul(row, '\n'), *p = end;
	char buf[16];
	int v;

	while (p > row && p[-1] != ' ')
		p--;
	if (end - p >= sizeof(buf))
		return -1;
	memcpy(buf, p, end - p);
	buf[end - p] = '\0';
	return kstrtoint(buf, 10, &v) ? -1 : v;
}

static void test_debugfs_cpus(struct kunit *test)
{
	char *text = read_debugfs(test, "cpus");
	unsigned int rows = 0, cpu;
	char *line;
	int n;

	KUNIT_EXPECT_TRUE(test, !strncmp(text, "cpu ", 4));
	KUNIT_EXPECT_EQ(test, last_field(text), -1);	/* "node" */
	for (line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		n = sscanf(line + 1, "%u", &cpu);
		KUNIT_ASSERT_EQ(test, n, 1);
		KUNIT_EXPECT_EQ(test, last_field(line + 1), cpu_to_mem(cpu));
		rows++;
	}
	KUNIT_EXPECT_EQ(test, rows, num_possible_cpus());
}

/* This CPU's tiny object and stack are counted on its own node's row. */
static void test_debugfs_nodes(struct kunit *test)
{
	unsigned long tiny = 0, stack0 = 0;
	struct tinyalloc_stack stk;
	unsigned int rows = 0;
	char *text, *line;
	int node = -1, me, n;
	void *p;

	migrate_disable();
	me = numa_mem_id();
	p = tinyalloc_alloc(5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, tinyalloc_stack_alloc(&stk, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(p)), me);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page((void *)stk.lo)), me);
	text = read_debugfs(test, "nodes");
	tinyalloc_free(p);
	tinyalloc_stack_free(&stk);
	migrate_enable();
	KUNIT_EXPECT_TRUE(test, !strncmp(text, "node tiny_spans stack_spans_", 28));
	for (line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		n = sscanf(line + 1, "%d %lu %lu", &node, &tiny, &stack0);
		KUNIT_ASSERT_EQ(test, n, 3);
		rows++;
		if (node == me) {
			KUNIT_EXPECT_GE(test, tiny, 1);
			KUNIT_EXPECT_GE(test, stack0, 1);
		}
	}
	KUNIT_EXPECT_EQ(test, rows, num_online_nodes());
}

static struct kunit_case tiny_cases[] = {
	KUNIT_CASE_PARAM(test_align, align_gen),
	KUNIT_CASE(test_packing),
	KUNIT_CASE(test_span_map_grow),
	KUNIT_CASE(test_keep_more_space),
	KUNIT_CASE(test_keep_old_block),
	KUNIT_CASE(test_policy_go),
	KUNIT_CASE(test_policy_bestfit),
	KUNIT_CASE(test_bestfit_slots),
	KUNIT_CASE(test_max_objects),
	KUNIT_CASE(test_idle_restart),
	KUNIT_CASE(test_keep_settles),
	KUNIT_CASE_PARAM(test_shelf_fills_hole, shelf_gen_params),
	KUNIT_CASE(test_shelf_own_block),
	KUNIT_CASE(test_shelf_slots_full),
	KUNIT_CASE(test_shelf_kasan),
	KUNIT_CASE(test_api_sizes),
	KUNIT_CASE(test_kstrdup),
	KUNIT_CASE(test_kstrndup),
	KUNIT_CASE(test_kmemdup),
	KUNIT_CASE(test_alloc_node),
	KUNIT_CASE(test_size),
	KUNIT_CASE(test_free_scope),
	KUNIT_CASE(test_gfp_zero),
	KUNIT_CASE(test_gfp_zero_exact),
	KUNIT_CASE(test_gfp_kmalloc),
	KUNIT_CASE(test_span_gfp),
	KUNIT_CASE(test_gfp_zones),
	KUNIT_CASE(test_movable_zone),
	KUNIT_CASE(test_atomic),
	KUNIT_CASE(test_hardirq),
	KUNIT_CASE(test_irq_own_blocks),
	KUNIT_CASE(test_irq_drain_spares_task),
	KUNIT_CASE(test_block_reuse),
	KUNIT_CASE(test_pages_returned),
	KUNIT_CASE(test_drain_cpu),
	KUNIT_CASE(test_metadata_cost),
	{}
};

static struct kunit_suite tiny_suite = {
	.name = "tinyalloc_tiny",
	.exit = tiny_exit,
	.test_cases = tiny_cases,
};

static struct kunit_case invalid_cases[] = {
	KUNIT_CASE(test_invalid_foreign),
	KUNIT_CASE(test_invalid_kmalloc_double_free),
	KUNIT_CASE(test_invalid_tiny),
	KUNIT_CASE(test_late_double_free),
	KUNIT_CASE(test_nmi_refused),
	KUNIT_CASE(test_idle_double_free),
	KUNIT_CASE(test_debug_mode),
	{}
};

static struct kunit_suite invalid_suite = {
	.name = "tinyalloc_invalid_free",
	.exit = tiny_exit,
	.test_cases = invalid_cases,
};

static struct kunit_case stress_cases_list[] = {
	KUNIT_CASE_PARAM(test_stress, stress_gen_params),
	KUNIT_CASE(test_stress_api),
	{}
};

static struct kunit_suite stress_suite = {
	.name = "tinyalloc_stress",
	.exit = tiny_exit,
	.test_cases = stress_cases_list,
};

static struct kunit_case debugfs_cases[] = {
	KUNIT_CASE(test_debugfs_stats),
	KUNIT_CASE(test_debugfs_cpus),
	KUNIT_CASE(test_debugfs_nodes),
	{}
};

static struct kunit_suite debugfs_suite = {
	.name = "tinyalloc_debugfs",
	.test_cases = debugfs_cases,
};

kunit_test_suites(&tiny_suite, &invalid_suite, &stress_suite, &debugfs_suite);

MODULE_DESCRIPTION("KUnit tests for tinyalloc");
MODULE_LICENSE("GPL");
