/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark module (tinyalloc_bench.ko): what its parts share.
 *
 * Every figure is printed as one line
 *   TA-BENCH <group> <case> <allocator> <metric> <value>
 * that scripts/bench-report.py turns into tables and a chart.  Timed
 * cases run each competitor in turn within every repetition, and report
 * the median over the repetitions.
 */
#ifndef _TINYALLOC_BENCH_H
#define _TINYALLOC_BENCH_H

#include <linux/ktime.h>
#include <linux/local_lock.h>
#include <linux/mm_types.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "compat.h"
#include "tiny.h"
#include "tinyalloc.h"

#define BENCH_MAX_REPS	15

/* Module parameters (tinyalloc_bench.c). */
extern unsigned int bench_reps;
extern bool bench_quick;
extern unsigned int bench_ops_div;

/* The tiny allocators compared, each behind a direct-call wrapper. */
enum bench_tiny {
	BENCH_KMALLOC,
	BENCH_KMEM_CACHE,
	BENCH_PAGE_FRAG,
	BENCH_TINYALLOC,
	BENCH_BESTFIT,		/* tinyalloc with tiny_policy=bestfit */
	BENCH_NR_TINY,
};

extern const char * const bench_tiny_names[BENCH_NR_TINY];
extern struct kmem_cache *bench_cache16;
/* A private tinyalloc instance with the best-fit policy, beside the module's. */
extern struct ta_tiny *bench_bestfit;

/*
 * page_frag as netdev_alloc_frag() uses it from any context: a per-CPU
 * cache under a local lock with IRQs off (as tinyalloc's own).
 */
struct bench_frag {
	local_lock_t lock;
	struct page_frag_cache nc;
};

DECLARE_PER_CPU(struct bench_frag, bench_frag);

static inline void *bench_frag_alloc(size_t size)
{
	unsigned long flags;
	void *p;

	local_lock_irqsave(&bench_frag.lock, flags);
	p = page_frag_alloc(this_cpu_ptr(&bench_frag.nc), size, GFP_ATOMIC);
	local_unlock_irqrestore(&bench_frag.lock, flags);
	return p;
}

/* Allocate @size bytes from tiny allocator @a (a constant where inlined). */
static __always_inline void *bench_tiny_alloc(enum bench_tiny a, size_t size)
{
	switch (a) {
	case BENCH_KMALLOC:
		return kmalloc(size, GFP_KERNEL);
	case BENCH_KMEM_CACHE:
		return kmem_cache_alloc(bench_cache16, GFP_KERNEL);
	case BENCH_PAGE_FRAG:
		return bench_frag_alloc(size);
	case BENCH_BESTFIT:
		return ta_tiny_alloc(bench_bestfit, size, GFP_KERNEL);
	default:
		return tinyalloc_alloc(size, GFP_KERNEL);
	}
}

static __always_inline void bench_tiny_free(enum bench_tiny a, void *p)
{
	switch (a) {
	case BENCH_KMALLOC:
		kfree(p);
		break;
	case BENCH_KMEM_CACHE:
		kmem_cache_free(bench_cache16, p);
		break;
	case BENCH_PAGE_FRAG:
		page_frag_free(p);
		break;
	default:
		/* Any instance's objects. */
		tinyalloc_free(p);
	}
}

void bench_report(const char *group, const char *what, const char *alloc,
		  const char *metric, u64 value_x100);
u64 bench_median(u64 *v, unsigned int n);
unsigned long bench_free_pages(void);
void bench_shuffle(u32 *idx, unsigned long n, u32 seed);
void bench_drain_frags(void);
void bench_drain_tiny(void);
void bench_shrink_slabs(void);
void bench_drain_stacks(void);

/* The @i-th allocator of repetition @r: each one goes first in turn. */
static inline unsigned int bench_rotate(unsigned int i, unsigned int r,
					unsigned int n)
{
	return (i + r) % n;
}

int bench_tiny_run(void);
int bench_mem_run(void);
int bench_stack_run(void);
int bench_smp_run(void);

#endif /* _TINYALLOC_BENCH_H */
