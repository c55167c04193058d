// SPDX-License-Identifier: GPL-2.0
/*
 * Stack-sized blocks on one CPU, 2K to 64K: alloc_pages of the matching
 * order, kmalloc (power-of-two sizes are naturally aligned, as a stack
 * must be), vmalloc (how kernel thread stacks are made) and tinyalloc.
 *
 *   pair   allocate and free at once, 10k times
 *   burst  allocate 10k, then free them all; the bytes held with the
 *          burst allocated are reported beside the times
 *
 * The deepest word of each block is written, as a thread would.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "bench.h"

#define STACK_OPS	10000

/* vmalloc last: see bench_stack_run(). */
enum bench_stack {
	BS_ALLOC_PAGES,
	BS_KMALLOC,
	BS_TINYALLOC,
	BS_VMALLOC,
	BS_NR,
};

static const char * const bs_names[BS_NR] = {
	"alloc_pages", "kmalloc", "tinyalloc", "vmalloc",
};

static __always_inline void *bs_alloc(enum bench_stack a, size_t size,
				      struct tinyalloc_stack *stk)
{
	struct page *page;

	switch (a) {
	case BS_ALLOC_PAGES:
		page = alloc_pages(GFP_KERNEL, get_order(size));
		return page ? page_address(page) : NULL;
	case BS_KMALLOC:
		return kmalloc(size, GFP_KERNEL);
	case BS_VMALLOC:
		return vmalloc(size);
	default:
		return tinyalloc_stack_alloc(stk, size, GFP_KERNEL) ?
			NULL : (void *)stk->lo;
	}
}

static __always_inline void bs_free(enum bench_stack a, void *p, size_t size,
				    struct tinyalloc_stack *stk)
{
	switch (a) {
	case BS_ALLOC_PAGES:
		free_pages((unsigned long)p, get_order(size));
		break;
	case BS_KMALLOC:
		kfree(p);
		break;
	case BS_VMALLOC:
		vfree(p);
		break;
	default:
		tinyalloc_stack_free(stk);
	}
}

/*
 * Pair, burst allocation and burst free times, and the bytes held with
 * the burst allocated (t[3]); -ENOMEM if an allocation failed.
 */
static __always_inline int bs_once(enum bench_stack a, size_t size,
				   unsigned long n, struct tinyalloc_stack *stk,
				   void **obj, u64 *t)
{
	unsigned long i, got, before;
	u64 start;
	void *p;

	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		p = bs_alloc(a, size, &stk[0]);
		if (!p)
			return -ENOMEM;
		*(unsigned long *)p = i;
		bs_free(a, p, size, &stk[0]);
	}
	t[0] = ktime_get_ns() - start;
	before = bench_free_pages();
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		obj[i] = bs_alloc(a, size, &stk[i]);
		if (!obj[i])
			break;
		*(unsigned long *)obj[i] = i;
	}
	t[1] = ktime_get_ns() - start;
	t[3] = max_t(long, (long)before - (long)bench_free_pages(), 0) *
	       PAGE_SIZE;
	got = i;
	start = ktime_get_ns();
	for (i = 0; i < got; i++)
		bs_free(a, obj[i], size, &stk[i]);
	/*
	 * vfree() leaves the unmapping to a lazy purge, which a worker may
	 * or may not have run by now: its frees are charged all of it.
	 */
	if (a == BS_VMALLOC)
		vm_unmap_aliases();
	t[2] = ktime_get_ns() - start;
	cond_resched();
	return got == n ? 0 : -ENOMEM;
}

/*
 * Each run starts with nothing cached: tinyalloc's per-CPU caches and
 * large free lists are drained first (its pools keep their keep_empty
 * spans), empty slabs shrunk, and the areas vfree() left for a lazy
 * purge purged, so that vmalloc's frees purge at the same points in
 * every boot.  Within the run, the pair reuses one stack and the burst's
 * allocation takes fresh memory for all.
 */
static int bs_run(enum bench_stack a, size_t size, unsigned long n,
		  struct tinyalloc_stack *stk, void **obj, u64 *t)
{
	bench_drain_stacks();
	bench_shrink_slabs();
	vm_unmap_aliases();
	switch (a) {
	case BS_ALLOC_PAGES:
		return bs_once(BS_ALLOC_PAGES, size, n, stk, obj, t);
	case BS_KMALLOC:
		return bs_once(BS_KMALLOC, size, n, stk, obj, t);
	case BS_VMALLOC:
		return bs_once(BS_VMALLOC, size, n, stk, obj, t);
	default:
		return bs_once(BS_TINYALLOC, size, n, stk, obj, t);
	}
}

/**
 * bench_stack_run() - the stack timing cases
 *
 * Return: 0, or -ENOMEM if an allocation failed.
 */
int bench_stack_run(void)
{
	static const char * const metric[4] = {
		"pair_ns", "burst_alloc_ns", "burst_free_ns", "burst_held_bytes",
	};
	static u64 ns[4][BS_NR][BENCH_MAX_REPS];
	unsigned long n = bench_quick ? 100 : STACK_OPS;
	struct tinyalloc_stack *stk;
	unsigned int r, k, a, m, shift;
	u64 t[4];
	char what[16];
	void **obj;
	int err = 0;

	stk = kvcalloc(n, sizeof(*stk), GFP_KERNEL);
	obj = kvcalloc(n, sizeof(*obj), GFP_KERNEL);
	if (!stk || !obj) {
		err = -ENOMEM;
		goto out;
	}
	for (shift = 11; shift <= 16 && !err; shift++) {
		for (r = 0; r < bench_reps && !err; r++) {
			for (k = 0; k < BS_NR && !err; k++) {
				/*
				 * On UML, whoever runs right after vmalloc's
				 * burst pays for it: a tinyalloc burst of 16K
				 * stacks took 21 us a stack there, 0.1 to
				 * 0.4 us otherwise.  vmalloc, no aim's
				 * reference, goes last; the others take
				 * turns to go first.
				 */
				a = k < BS_VMALLOC ?
				    bench_rotate(k, r, BS_VMALLOC) : BS_VMALLOC;
				err = bs_run(a, 1UL << shift, n, stk, obj, t);
				for (m = 0; m < 4; m++)
					ns[m][a][r] = t[m];
			}
		}
		snprintf(what, sizeof(what), "size=%luK", (1UL << shift) >> 10);
		for (a = 0; a < BS_NR && !err; a++) {
			for (m = 0; m < 4; m++) {
				u64 med = bench_median(ns[m][a], bench_reps);

				/* Held bytes for the whole burst, times per op. */
				bench_report("stack", what, bs_names[a],
					     metric[m], m == 3 ? med * 100 :
					     div64_u64(med * 100, n));
			}
		}
	}
out:
	kvfree(obj);
	kvfree(stk);
	return err;
}
