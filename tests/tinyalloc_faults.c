// SPDX-License-Identifier: GPL-2.0
/*
 * Page-allocator failures, for kernels with CONFIG_FAIL_PAGE_ALLOC.
 *
 * The guest script makes every allocation of order 3 or more fail
 * (fail_page_alloc: min-order 3, probability 100, verbose 0), loads this
 * module, then lets allocations succeed again and unloads it.  Spans are
 * order 3: at load no span can be had, so, as SLUB and page_frag fall
 * back to smaller orders, tiny objects must come from kmalloc and pool
 * stacks from pages of their own (order 2 at most), while a 64 KiB stack
 * fails cleanly (-ENOMEM, zeroed bounds), with consistent counters; at
 * unload spans work again and every page goes back.  It reports with
 * "TA-CHECK PASS|FAIL:" lines that make check counts.
 *
 * With min_order=4 (the guest fails order 4 and up), only 64 KiB spans
 * fail: 16 KiB stacks then come from 32 KiB spans, as Go's, not from
 * pages of their own.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "core.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

#define TA_NOWARN	(GFP_KERNEL | __GFP_NOWARN)

static struct ta_tiny *ta;
static struct ta_stack *st;

static unsigned int min_order = 3;
module_param(min_order, uint, 0444);
MODULE_PARM_DESC(min_order, "the least order the guest makes fail: 3 or 4");

static void check(bool ok, const char *what)
{
	pr_info("TA-CHECK %s: %s\n", ok ? "PASS" : "FAIL", what);
}

static unsigned long tsum(enum ta_stat i)
{
	return ta_stat_sum(ta->stats, i);
}

static unsigned long ssum(enum ta_stat i)
{
	return ta_stat_sum(st->stats, i);
}

static unsigned long kmalloc_allocs(void)
{
	return ta_stat_sum(ta_global_stats_get(), TA_KMALLOC_ALLOCS);
}

/* Order 4 fails: a 16 KiB stack takes a 32 KiB span, not its own pages. */
static void faults_order4(void)
{
	struct tinyalloc_stack s16 = {};

	check(!ta_stack_alloc(st, &s16, SZ_16K, TA_NOWARN) &&
	      s16.hi - s16.lo == SZ_16K,
	      "faults order 4: a 16 KiB stack is had");
	check(ssum(TA_STACK_SPANS_ALLOC) == 1 &&
	      ssum(TA_STACK_SPAN_PAGES) == SZ_32K / PAGE_SIZE &&
	      ssum(TA_STACK_LARGE_PAGES) == 0,
	      "faults order 4: from a 32 KiB span, not from pages of its own");
	tinyalloc_stack_free(&s16);
}

static int __init tinyalloc_faults_init(void)
{
	struct tinyalloc_stack s4 = {}, s16 = {}, stk = { 1, 1 };
	unsigned long kmallocs = kmalloc_allocs();
	char *p;

	ta = ta_tiny_create(16, false);
	st = ta_stack_create(2048, false);
	if (IS_ERR(ta) || IS_ERR(st)) {
		check(false, "instances made under page-allocator failure");
		return -ENOMEM;
	}
	if (min_order == 4) {
		faults_order4();
		return 0;
	}
	check(!ta_tiny_alloc(ta, 5, TA_NOWARN),
	      "faults: the tiny instance alone has no span to serve from");
	p = ta_alloc_from(ta, 5, TA_NOWARN);
	check(p && !ta_tiny_span_of(p) && kmalloc_allocs() == kmallocs + 1,
	      "faults: a tiny request without a span is served by kmalloc");
	tinyalloc_free(p);
	check(tsum(TA_TINY_ALLOC_FAILS) == 2 && tsum(TA_TINY_ALLOCS) == 0 &&
	      tsum(TA_TINY_SPANS_ALLOC) == 0,
	      "faults: tiny counters show two requests no span served, nothing held");
	check(!ta_stack_alloc(st, &s4, 4096, TA_NOWARN) &&
	      s4.hi - s4.lo == 4096 && !ta_stack_alloc(st, &s16, SZ_16K, TA_NOWARN) &&
	      s16.hi - s16.lo == SZ_16K && IS_ALIGNED(s16.lo, SZ_16K),
	      "faults: pool stacks of 4 and 16 KiB come from pages of their own");
	check(ta_stack_alloc(st, &stk, SZ_64K, TA_NOWARN) == -ENOMEM &&
	      !stk.lo && !stk.hi,
	      "faults: a 64 KiB stack fails with -ENOMEM and zeroed bounds");
	check(ssum(TA_STACK_ALLOC_FAILS) == 1 && ssum(TA_STACK_ALLOCS) == 2 &&
	      ssum(TA_STACK_SPANS_ALLOC) == 0 && ssum(TA_STACK_LARGE_PAGES) == 5,
	      "faults: stack counters show one failure, two stacks on 5 pages");
	tinyalloc_stack_free(&s4);
	tinyalloc_stack_free(&s16);
	check(ssum(TA_STACK_FREES) == 2 && ssum(TA_STACK_LARGE_PAGES_FREED) == 5,
	      "faults: their pages go back when they are freed");
	return 0;
}

/* Allocations succeed again, and every page they take goes back. */
static void __exit tinyalloc_faults_exit(void)
{
	struct tinyalloc_stack stk;
	char *p = ta_tiny_alloc(ta, 5, TA_NOWARN);
	/* Of the order the load used: one pool, one kept span at most. */
	int err = ta_stack_alloc(st, &stk, min_order == 4 ? SZ_16K : 4096,
				 TA_NOWARN);

	check(p && !err, "recovered: tiny and stack allocations work again");
	tinyalloc_free(p);
	if (!err)
		tinyalloc_stack_free(&stk);
	ta_tiny_drain_local(ta);
	ta_stack_drain_local(st);
	check(tsum(TA_TINY_ALLOCS) == tsum(TA_TINY_FREES) &&
	      ssum(TA_STACK_ALLOCS) == ssum(TA_STACK_FREES),
	      "recovered: nothing live after the frees");
	/* Drained, only the bounded empty spans kept for reuse remain. */
	check(tsum(TA_TINY_SPANS_ALLOC) - tsum(TA_TINY_SPANS_FREED) <=
	      ta->keep_empty &&
	      ssum(TA_STACK_SPANS_ALLOC) - ssum(TA_STACK_SPANS_FREED) <=
	      st->keep_empty,
	      "recovered: pages back but for the kept empty spans");
	ta_stack_destroy(st);
	ta_tiny_destroy(ta);
}

module_init(tinyalloc_faults_init);
module_exit(tinyalloc_faults_exit);

MODULE_DESCRIPTION("tinyalloc under page-allocator failure (fail_page_alloc)");
MODULE_LICENSE("GPL");
