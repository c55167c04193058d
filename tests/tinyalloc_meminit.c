// SPDX-License-Identifier: GPL-2.0
/*
 * init_on_alloc and init_on_free, as a plain module for every kernel: at
 * load it reports which of the two the running kernel has (Debian's
 * kernels have init_on_alloc on by default; the boot options
 * init_on_alloc=1 init_on_free=1 turn them on), and for each that is on
 * checks that tinyalloc honours it as kmalloc and alloc_pages do:
 *
 *  - init_on_alloc: objects (tiny, kmalloc-backed) and stacks (pool,
 *    large) come back zeroed without __GFP_ZERO, after the same memory
 *    was filled and freed;
 *  - init_on_free: the bytes of a freed object or stack are zero before
 *    they are handed out again.
 *
 * It reports with "TA-CHECK PASS|FAIL: meminit: ..." lines, only for what
 * the kernel has on, and fails to load if neither is on (the guest script
 * then says which options it expected).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>

#include "core.h"
#include "tinyalloc.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

#define ROUNDS	64
#define FILL	0xa5

static void check(bool ok, const char *what)
{
	pr_info("TA-CHECK %s: meminit: %s\n", ok ? "PASS" : "FAIL", what);
}

/*
 * Fill, free and allocate again, @ROUNDS times: an allocate-free loop
 * reuses the same memory (a tiny block's idle restart, the per-CPU stack
 * cache, the large free lists).  Return true if every allocation was
 * zero, and say how many were at an address seen before.
 */
static bool objects_zeroed(size_t size, gfp_t gfp, unsigned int *reused)
{
	bool tiny = size < tinyalloc_tiny_block_size();
	unsigned char *p, *last = NULL;
	unsigned int i;
	bool zero = true;

	for (i = 0; i < ROUNDS; i++) {
		p = tinyalloc_alloc(size, gfp);
		if (!p)
			return false;
		/* Not kmalloc's, which would zero it itself. */
		zero &= !tiny || ta_tiny_span_of(p);
		zero &= !memchr_inv(p, 0, size);
		*reused += p == last;
		last = p;
		memset(p, FILL, size);
		tinyalloc_free(p);
	}
	return zero;
}

static bool stacks_zeroed(size_t size, unsigned int *reused)
{
	struct tinyalloc_stack stk;
	unsigned long last = 0;
	unsigned int i;
	bool zero = true;

	for (i = 0; i < ROUNDS; i++) {
		if (tinyalloc_stack_alloc(&stk, size, GFP_KERNEL))
			return false;
		zero &= !memchr_inv((void *)stk.lo, 0, stk.hi - stk.lo);
		*reused += stk.lo == last;
		last = stk.lo;
		memset((void *)stk.lo, FILL, stk.hi - stk.lo);
		tinyalloc_stack_free(&stk);
	}
	return zero;
}

static void run(const char *option)
{
	static const size_t objects[] = { 1, 3, 8, 15, 100, 5000 };
	static const size_t stacks[] = { 2048, 16384, 65536 };
	unsigned int i, reused;
	char what[96];
	bool ok;

	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		reused = 0;
		/*
		 * One CPU for every round (migration off, which may sleep
		 * on PREEMPT_RT): a tiny object's block restarts at its
		 * start each time, the same address.
		 */
		migrate_disable();
		ok = objects_zeroed(objects[i], GFP_KERNEL, &reused);
		migrate_enable();
		snprintf(what, sizeof(what),
			 "%s: %zu-byte objects zeroed (%u of %u reused)",
			 option, objects[i], reused, ROUNDS - 1);
		/* Only tiny blocks are tinyalloc's to reuse. */
		check(ok && (reused == ROUNDS - 1 ||
			     objects[i] >= tinyalloc_tiny_block_size()), what);
	}
	for (i = 0; i < ARRAY_SIZE(stacks); i++) {
		reused = 0;
		migrate_disable();
		ok = stacks_zeroed(stacks[i], &reused);
		migrate_enable();
		snprintf(what, sizeof(what),
			 "%s: %zu-byte stacks zeroed (%u of %u reused)",
			 option, stacks[i], reused, ROUNDS - 1);
		check(ok && reused == ROUNDS - 1, what);
	}
}

static int __init tinyalloc_meminit_init(void)
{
	bool on_alloc = want_init_on_alloc(GFP_KERNEL);
	bool on_free = want_init_on_free();

	pr_info("init_on_alloc %s, init_on_free %s\n",
		on_alloc ? "on" : "off", on_free ? "on" : "off");
	if (!on_alloc && !on_free)
		return -EOPNOTSUPP;
	/* Each alone would do: say which the kernel has. */
	run(on_alloc && on_free ? "init_on_alloc+init_on_free" :
	    on_alloc ? "init_on_alloc" : "init_on_free");
	return 0;
}
module_init(tinyalloc_meminit_init);

static void __exit tinyalloc_meminit_exit(void)
{
}
module_exit(tinyalloc_meminit_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tinyalloc honours init_on_alloc and init_on_free");
