// SPDX-License-Identifier: GPL-2.0
/*
 * tinyalloc's benchmarks against what the kernel already has, as a plain
 * module: everything runs at load and prints TA-BENCH lines, ending with
 * TA-BENCH-DONE; the module holds nothing afterwards.  groups= picks the
 * groups (tiny, mem, stack, smp); quick=1 runs one short iteration of
 * every case, which make check uses so that the benchmarks cannot rot.
 * See Documentation/benchmarks.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmstat.h>

#include "bench.h"
#include "core.h"
#include "each_cpu.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

unsigned int bench_reps = 5;
module_param_named(reps, bench_reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each timed case, median reported (1-15, default 5)");

bool bench_quick;
module_param_named(quick, bench_quick, bool, 0444);
MODULE_PARM_DESC(quick, "one short iteration of every case, to test the benchmarks themselves");

unsigned int bench_ops_div = 1;
module_param_named(ops_div, bench_ops_div, uint, 0444);
MODULE_PARM_DESC(ops_div, "divide the tiny cases' operation counts (instruction-count runs repeat exactly)");

static bool bench_min;
module_param_named(min, bench_min, bool, 0444);
MODULE_PARM_DESC(min, "report the least of the repetitions, not the median (instruction counts, which interruptions only add to)");

static char *groups = "tiny,mem,stack,smp";
module_param(groups, charp, 0444);
MODULE_PARM_DESC(groups, "comma-separated groups to run: tiny, mem, stack, smp");

const char * const bench_tiny_names[BENCH_NR_TINY] = {
	[BENCH_KMALLOC] = "kmalloc",
	[BENCH_KMEM_CACHE] = "kmem_cache",
	[BENCH_PAGE_FRAG] = "page_frag",
	[BENCH_TINYALLOC] = "tinyalloc",
	[BENCH_BESTFIT] = "tinyalloc_bestfit",
};

struct kmem_cache *bench_cache16;
struct ta_tiny *bench_bestfit;
DEFINE_PER_CPU(struct bench_frag, bench_frag) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

/**
 * bench_report() - print one figure
 * @group: tiny, mem, stack or smp
 * @what: the case, e.g. "pair/size=3"
 * @alloc: the allocator measured
 * @metric: what the value is, e.g. "ns_per_op"
 * @value_x100: the value times 100 (two decimals, no floating point here)
 */
void bench_report(const char *group, const char *what, const char *alloc,
		  const char *metric, u64 value_x100)
{
	pr_info("TA-BENCH %s %s %s %s %llu.%02llu\n", group, what, alloc,
		metric, div_u64(value_x100, 100), value_x100 % 100);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * bench_median() - the figure reported for @n repetitions, sorting them
 * in place: their median, or their least with min=1
 * @v: the values
 * @n: how many, at least 1
 *
 * Return: the middle value (the upper one of two when @n is even), or the
 * least.
 */
u64 bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return bench_min ? v[0] : v[n / 2];
}

/**
 * bench_free_pages() - free pages, including those on per-CPU lists
 *
 * MemFree (NR_FREE_PAGES) misses the pages parked on each CPU's lists,
 * which move with every allocation; counting them makes a before/after
 * difference the pages an allocator really took.
 *
 * Return: the count.
 */
unsigned long bench_free_pages(void)
{
	unsigned long pages = global_zone_page_state(NR_FREE_PAGES);
	unsigned int cpu;
	struct zone *z;
	int nid, i;

	for_each_online_node(nid) {
		for (i = 0; i < MAX_NR_ZONES; i++) {
			z = &NODE_DATA(nid)->node_zones[i];
			if (!populated_zone(z))
				continue;
			for_each_online_cpu(cpu)
				pages += READ_ONCE(per_cpu_ptr(z->per_cpu_pageset,
							       cpu)->count);
		}
	}
	return pages;
}

/**
 * bench_shuffle() - a random permutation of 0..@n-1, the same for a seed
 * @idx: where to store it
 * @n: its length
 * @seed: the seed, so that every allocator sees the same order
 */
void bench_shuffle(u32 *idx, unsigned long n, u32 seed)
{
	struct rnd_state rnd;
	unsigned long i, j;

	prandom_seed_state(&rnd, seed);
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(idx[i], idx[j]);
	}
}

/* Give back this CPU's page, if any. */
static void bench_drain_frag(void)
{
	struct page_frag_cache *nc;
	unsigned long flags;

	local_lock_irqsave(&bench_frag.lock, flags);
	nc = &this_cpu_ptr(&bench_frag)->nc;
	/* page_frag_cache_drain(), which 6.1 lacks (the same on 6.12). */
	if (nc->va)
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
	memset(nc, 0, sizeof(*nc));
	local_unlock_irqrestore(&bench_frag.lock, flags);
}

/**
 * bench_drain_frags() - give every CPU's page_frag page back
 *
 * Between cases, so that page_frag starts each one as tinyalloc and the
 * slabs do: holding nothing of its own in its caches.
 */
void bench_drain_frags(void)
{
	if (run_on_each_cpu(bench_drain_frag))
		pr_warn("could not drain page_frag caches: figures may include them\n");
}

static void bench_drain_tiny_cpu(void)
{
	ta_tiny_drain_local(ta_main);
	ta_tiny_drain_local(bench_bestfit);
}

/**
 * bench_drain_tiny() - settle every CPU's open blocks and spans, of both
 * tinyalloc instances, so that what they hold is what is live
 */
void bench_drain_tiny(void)
{
	if (run_on_each_cpu(bench_drain_tiny_cpu))
		pr_warn("could not drain tinyalloc: figures may include open blocks\n");
	/* Spans go back after a grace period: not in the next case's time. */
	rcu_barrier();
}

/**
 * bench_shrink_slabs() - give back the empty slabs of every kmalloc cache
 * and of the benchmark's own cache, with their per-CPU slabs
 *
 * Between memory cases, as page_frag and tinyalloc are drained, so that
 * no allocator starts a case with pages an earlier one left it.
 */
void bench_shrink_slabs(void)
{
	unsigned int t, i;

	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (kmalloc_caches[t][i])
				kmem_cache_shrink(kmalloc_caches[t][i]);
	kmem_cache_shrink(bench_cache16);
}

static void bench_drain_stacks_cpu(void)
{
	ta_stack_drain_local(ta_stacks);
}

/**
 * bench_drain_stacks() - give back what tinyalloc's stacks keep: every
 * CPU's cached stacks and every large stack on the free lists
 *
 * What stays is the pools' keep_empty spans, as after the shrinker.
 */
void bench_drain_stacks(void)
{
	if (run_on_each_cpu(bench_drain_stacks_cpu))
		pr_warn("could not drain tinyalloc's stack caches\n");
	ta_stack_large_scan(ta_stacks, ULONG_MAX);
	rcu_barrier();
}

static bool want(const char *group)
{
	const char *p = groups;
	size_t len = strlen(group);

	while ((p = strstr(p, group))) {
		if ((p == groups || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ','))
			return true;
		p += len;
	}
	return false;
}

/*
 * UML's memory, and qemu's, is backed by the host lazily: the first touch
 * of a guest page since boot faults on the host, microseconds where a
 * cache miss is a tenth of one.  Whichever allocator is first handed such
 * a page would pay for it (a 16K stack burst on UML once took 30 us a
 * stack, 0.4 us the next time), so every page the page allocator can give
 * in 1 MiB blocks is touched once before the runs.
 */
static void bench_prefault(void)
{
	unsigned long touched = 0, off;
	struct page *page, *next;
	LIST_HEAD(held);

	for (;;) {
		page = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 8);
		if (!page)
			break;
		for (off = 0; off < PAGE_SIZE << 8; off += PAGE_SIZE)
			WRITE_ONCE(*(unsigned long *)(page_address(page) + off), off);
		list_add(&page->lru, &held);
		touched += 1UL << 8;
		cond_resched();
	}
	list_for_each_entry_safe(page, next, &held, lru) {
		list_del(&page->lru);
		__free_pages(page, 8);
	}
	pr_info("touched %lu free pages once before the runs\n", touched);
}

static int __init tinyalloc_bench_init(void)
{
	int err = 0;

	if (!bench_reps || bench_reps > BENCH_MAX_REPS) {
		pr_err("reps=%u: use 1 to %u\n", bench_reps, BENCH_MAX_REPS);
		return -EINVAL;
	}
	if (!bench_ops_div || bench_ops_div > 100) {
		pr_err("ops_div=%u: use 1 to 100\n", bench_ops_div);
		return -EINVAL;
	}
	if (bench_quick)
		bench_reps = 1;
	else
		bench_prefault();
	bench_bestfit = ta_tiny_create(16, false);
	if (IS_ERR(bench_bestfit))
		return PTR_ERR(bench_bestfit);
	bench_bestfit->nr_open = TA_MAX_OPEN;
	bench_cache16 = kmem_cache_create("tinyalloc_bench16", 16, 0,
					  SLAB_NO_MERGE, NULL);
	if (!bench_cache16) {
		ta_tiny_destroy(bench_bestfit);
		return -ENOMEM;
	}
	if (!err && want("tiny"))
		err = bench_tiny_run();
	if (!err && want("mem"))
		err = bench_mem_run();
	if (!err && want("stack"))
		err = bench_stack_run();
	if (!err && want("smp"))
		err = bench_smp_run();
	bench_drain_frags();
	kmem_cache_destroy(bench_cache16);
	ta_tiny_destroy(bench_bestfit);
	if (err) {
		pr_err("stopped: error %d\n", err);
		return err;
	}
	pr_info("TA-BENCH-DONE\n");
	return 0;
}
module_init(tinyalloc_bench_init);

static void __exit tinyalloc_bench_exit(void)
{
}
module_exit(tinyalloc_bench_exit);

MODULE_DESCRIPTION("tinyalloc benchmarks against kmalloc, kmem_cache, page_frag, alloc_pages and vmalloc");
MODULE_LICENSE("GPL");
