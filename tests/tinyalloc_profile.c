// SPDX-License-Identifier: GPL-2.0
/*
 * Where the instructions of one operation go (make profile): writing 1 to
 * /sys/module/tinyalloc_profile/parameters/run runs each case below once
 * warm, between calls of profile_begin() and profile_end().  A debugger
 * (scripts/profile-gdb.py, through qemu's gdb stub) single-steps from one
 * to the other and records every instruction, which
 * scripts/profile-report.py counts by function.
 *
 * The cases are the benchmark's (tests/bench_tiny.c, bench_stack.c) for
 * tinyalloc and the kernel's allocators side by side: a pair of
 * allocation and free, bursts of 64 allocations and 64 frees of the
 * benchmark's mixed sizes, and bursts of 8 stacks of 16 KiB (new pool
 * spans) against alloc_pages().
 */

#define pr_fmt(fmt) "tinyalloc_profile: " fmt

#include <linux/gfp.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "bench.h"
#include "tinyalloc.h"

enum profile_op {
	PROFILE_TA_PAIR,
	PROFILE_KMALLOC_PAIR,
	PROFILE_FRAG_PAIR,
	PROFILE_TA_STACK_PAIR,
	PROFILE_PAGES_PAIR,
	PROFILE_TA_BURST_ALLOC,
	PROFILE_TA_BURST_FREE,
	PROFILE_KMALLOC_BURST_ALLOC,
	PROFILE_KMALLOC_BURST_FREE,
	PROFILE_TA_STACK_BURST_ALLOC,
	PROFILE_TA_STACK_BURST_FREE,
	PROFILE_PAGES_BURST_ALLOC,
	PROFILE_PAGES_BURST_FREE,
};

struct profile_case {
	enum profile_op op;
	unsigned int size;
};

/* Profiled in this order: the report names them (profile-report.py). */
static const struct profile_case cases[] = {
	{ PROFILE_TA_PAIR, 7 }, { PROFILE_KMALLOC_PAIR, 7 },
	{ PROFILE_FRAG_PAIR, 7 }, { PROFILE_TA_PAIR, 1 },
	{ PROFILE_TA_PAIR, 15 }, { PROFILE_TA_STACK_PAIR, 2048 },
	{ PROFILE_KMALLOC_PAIR, 2048 }, { PROFILE_TA_STACK_PAIR, 4096 },
	{ PROFILE_PAGES_PAIR, 4096 }, { PROFILE_TA_STACK_PAIR, 16384 },
	{ PROFILE_PAGES_PAIR, 16384 }, { PROFILE_TA_BURST_ALLOC, 0 },
	{ PROFILE_TA_BURST_FREE, 0 }, { PROFILE_KMALLOC_BURST_ALLOC, 0 },
	{ PROFILE_KMALLOC_BURST_FREE, 0 },
	{ PROFILE_TA_STACK_BURST_ALLOC, 16384 },
	{ PROFILE_TA_STACK_BURST_FREE, 16384 },
	{ PROFILE_PAGES_BURST_ALLOC, 16384 },
	{ PROFILE_PAGES_BURST_FREE, 16384 },
};

#define BURST	64
/* Stack bursts: past the cached stacks and the kept span, new spans. */
#define STACK_BURST	8

/* 1..15 in a fixed shuffle: the benchmark's mixed sequence, shorter. */
static const u8 mixed[BURST] = {
	3, 9, 14, 1, 7, 12, 5, 15, 2, 8, 11, 4, 13, 6, 10, 3,
	7, 1, 15, 9, 2, 12, 6, 14, 4, 11, 8, 5, 13, 10, 1, 7,
	12, 3, 9, 15, 6, 2, 14, 8, 5, 11, 1, 13, 4, 10, 7, 9,
	2, 15, 6, 12, 3, 8, 14, 11, 5, 1, 10, 13, 4, 9, 7, 6,
};

static void *burst[BURST];
static struct tinyalloc_stack stack_burst[STACK_BURST];
static struct page *page_burst[STACK_BURST];

/* page_frag as the benchmark uses it: bench_frag_alloc() (bench.h). */
DEFINE_PER_CPU(struct bench_frag, bench_frag) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

/*
 * The debugger's marks: each case runs between them.  The arguments are
 * used (the debugger reads them), so that the compiler keeps the names.
 */
static noinline void profile_begin(unsigned int op, unsigned int size)
{
	asm volatile("" : : "r" (op), "r" (size) : "memory");
}

static noinline void profile_end(unsigned int op, unsigned int size)
{
	asm volatile("" : : "r" (op), "r" (size) : "memory");
}

static void pages_pair(unsigned int size)
{
	struct page *page = alloc_pages(GFP_KERNEL, get_order(size));

	if (!page)
		return;
	*(u8 *)page_address(page) = 1;
	__free_pages(page, get_order(size));
}

static void stack_pair(unsigned int size)
{
	struct tinyalloc_stack stk;

	if (tinyalloc_stack_alloc(&stk, size, GFP_KERNEL))
		return;
	*(u8 *)stk.lo = 1;
	tinyalloc_stack_free(&stk);
}

static noinline void run_case(enum profile_op op, unsigned int size)
{
	unsigned int i;
	u8 *p;

	switch (op) {
	case PROFILE_TA_PAIR:
		p = tinyalloc_alloc(size, GFP_KERNEL);
		if (p)
			*p = 1;
		tinyalloc_free(p);
		break;
	case PROFILE_KMALLOC_PAIR:
		p = kmalloc(size, GFP_KERNEL);
		if (p)
			*p = 1;
		kfree(p);
		break;
	case PROFILE_FRAG_PAIR:
		p = bench_frag_alloc(size);
		if (p) {
			*p = 1;
			page_frag_free(p);
		}
		break;
	case PROFILE_TA_STACK_PAIR:
		stack_pair(size);
		break;
	case PROFILE_PAGES_PAIR:
		pages_pair(size);
		break;
	case PROFILE_TA_BURST_ALLOC:
		for (i = 0; i < BURST; i++)
			burst[i] = tinyalloc_alloc(mixed[i], GFP_KERNEL);
		break;
	case PROFILE_TA_BURST_FREE:
		for (i = 0; i < BURST; i++)
			tinyalloc_free(burst[i]);
		break;
	case PROFILE_KMALLOC_BURST_ALLOC:
		for (i = 0; i < BURST; i++)
			burst[i] = kmalloc(mixed[i], GFP_KERNEL);
		break;
	case PROFILE_KMALLOC_BURST_FREE:
		for (i = 0; i < BURST; i++)
			kfree(burst[i]);
		break;
	case PROFILE_TA_STACK_BURST_ALLOC:
		for (i = 0; i < STACK_BURST; i++)
			if (tinyalloc_stack_alloc(&stack_burst[i], size,
						  GFP_KERNEL))
				memset(&stack_burst[i], 0, sizeof(stack_burst[i]));
		break;
	case PROFILE_TA_STACK_BURST_FREE:
		for (i = 0; i < STACK_BURST; i++)
			tinyalloc_stack_free(&stack_burst[i]);
		break;
	case PROFILE_PAGES_BURST_ALLOC:
		for (i = 0; i < STACK_BURST; i++)
			page_burst[i] = alloc_pages(GFP_KERNEL, get_order(size));
		break;
	case PROFILE_PAGES_BURST_FREE:
		for (i = 0; i < STACK_BURST; i++)
			if (page_burst[i])
				__free_pages(page_burst[i], get_order(size));
		break;
	}
}

/* Warm: caches filled, blocks and stacks taken, as in a benchmark loop. */
static void warm(const struct profile_case *c)
{
	unsigned int i;

	for (i = 0; i < 200; i++) {
		switch (c->op) {
		case PROFILE_TA_BURST_ALLOC:
		case PROFILE_KMALLOC_BURST_ALLOC:
		case PROFILE_TA_STACK_BURST_ALLOC:
		case PROFILE_PAGES_BURST_ALLOC:
			run_case(c->op, c->size);
			run_case(c->op + 1, c->size);
			break;
		case PROFILE_TA_BURST_FREE:
		case PROFILE_KMALLOC_BURST_FREE:
		case PROFILE_TA_STACK_BURST_FREE:
		case PROFILE_PAGES_BURST_FREE:
			return;	/* frees what the case before allocated */
		default:
			run_case(c->op, c->size);
		}
	}
}

static int run_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		warm(&cases[i]);
		profile_begin(cases[i].op, cases[i].size);
		run_case(cases[i].op, cases[i].size);
		profile_end(cases[i].op, cases[i].size);
	}
	pr_info("%zu cases run\n", ARRAY_SIZE(cases));
	return 0;
}

static const struct kernel_param_ops run_ops = {
	.set = run_set,
};
module_param_cb(run, &run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "Write 1 to run every case once, between the marks");

static void __exit profile_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page_frag_cache *nc = &per_cpu_ptr(&bench_frag, cpu)->nc;

		if (nc->va)
			__page_frag_cache_drain(virt_to_head_page(nc->va),
						nc->pagecnt_bias);
	}
}
module_exit(profile_exit);

MODULE_DESCRIPTION("tinyalloc: cases for make profile, an instruction trace per operation");
MODULE_LICENSE("GPL");
