// SPDX-License-Identifier: GPL-2.0
/*
 * A client for kmemleak and allocation profiling
 * (scripts/guest/leaks.sh), on the x86_64 test kernel, which has both.
 *
 * At load it:
 *  - leaks a tiny object (tinyalloc_kstrdup()), a kmalloc-backed object
 *    (tinyalloc_alloc() of 100 bytes) and, as the control kmemleak must
 *    report too, a kmalloc() object: the last two are kept only as
 *    inverted addresses, which kmemleak does not take for pointers, and
 *    freed at unload (a module that unloads with memory on its lines
 *    makes allocation profiling warn); the tiny one stays leaked, for
 *    tinyalloc's unload to report and kmemleak to forget;
 *  - keeps a kmalloc() object that only a tinyalloc stack points to, which
 *    kmemleak must not report;
 *  - holds 64 kmalloc-backed objects of 1000 bytes, a stack of pages of
 *    its own (GFP_KERNEL_ACCOUNT, 16 KiB) and 16 tiny objects, each from a
 *    function of its own, whose lines /proc/allocinfo must show with the
 *    bytes they hold (the tiny ones under tinyalloc's own lines).
 * It prints the addresses as "leaks: <what> <hex address>" lines, and
 * frees all but the leaks when unloaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "tinyalloc.h"

#define HELD_OBJS	64
#define HELD_SIZE	1000
#define HELD_TINY	16

static void *held[HELD_OBJS];
static void *held_tiny[HELD_TINY];
static struct tinyalloc_stack own_stack, ref_stack;
static unsigned long hidden_large, hidden_control;	/* ~address */

static void say(const char *what, const void *p)
{
	pr_info("leaks: %s %lx\n", what, (unsigned long)p);
}

/* Nothing of the leaks may stay in this task's stack frames. */
static noinline void scrub_stack(void)
{
	char junk[512];

	memzero_explicit(junk, sizeof(junk));
}

static noinline int leak_objects(void)
{
	char *tiny = tinyalloc_kstrdup("leaked", GFP_KERNEL);
	void *large = tinyalloc_alloc(100, GFP_KERNEL);
	void *control = kmalloc(64, GFP_KERNEL);

	if (!tiny || !large || !control) {
		tinyalloc_free(tiny);
		tinyalloc_free(large);
		kfree(control);
		return -ENOMEM;
	}
	memset(large, 0, 100);
	memset(control, 0, 64);
	say("tiny", tiny);
	say("large", large);
	say("control", control);
	hidden_large = ~(unsigned long)large;
	hidden_control = ~(unsigned long)control;
	return 0;
}

/* A kmalloc() object that only a tinyalloc stack points to. */
static noinline int refer_from_stack(void)
{
	void **slot;
	void *obj;

	if (tinyalloc_stack_alloc(&ref_stack, 4096, GFP_KERNEL))
		return -ENOMEM;
	obj = kzalloc(64, GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	slot = (void **)(ref_stack.lo + 256);
	*slot = obj;
	say("stack-referenced", obj);
	return 0;
}

static noinline int hold_kmalloc_backed(void)
{
	unsigned int i;

	for (i = 0; i < HELD_OBJS; i++) {
		held[i] = tinyalloc_alloc(HELD_SIZE, GFP_KERNEL);
		if (!held[i])
			return -ENOMEM;
	}
	return 0;
}

static noinline int hold_own_stack(void)
{
	return tinyalloc_stack_alloc(&own_stack, 16384, GFP_KERNEL_ACCOUNT);
}

static noinline int hold_tiny(void)
{
	unsigned int i;

	for (i = 0; i < HELD_TINY; i++) {
		held_tiny[i] = tinyalloc_alloc(5, GFP_KERNEL);
		if (!held_tiny[i])
			return -ENOMEM;
	}
	return 0;
}

static void release(void)
{
	unsigned int i;

	for (i = 0; i < HELD_OBJS; i++)
		tinyalloc_free(held[i]);
	for (i = 0; i < HELD_TINY; i++)
		tinyalloc_free(held_tiny[i]);
	tinyalloc_stack_free(&own_stack);
	if (ref_stack.lo)
		kfree(*(void **)(ref_stack.lo + 256));
	tinyalloc_stack_free(&ref_stack);
	if (hidden_large)
		tinyalloc_free((void *)~hidden_large);
	if (hidden_control)
		kfree((void *)~hidden_control);
}

static int __init tinyalloc_leaks_init(void)
{
	int err;

	err = leak_objects();
	if (!err)
		err = refer_from_stack();
	if (!err)
		err = hold_kmalloc_backed();
	if (!err)
		err = hold_own_stack();
	if (!err)
		err = hold_tiny();
	scrub_stack();
	if (err) {
		release();
		return err;
	}
	pr_info("leaks: holding %u objects of %u bytes, a 16 KiB stack of its own, %u tiny objects\n",
		HELD_OBJS, HELD_SIZE, HELD_TINY);
	return 0;
}
module_init(tinyalloc_leaks_init);

static void __exit tinyalloc_leaks_exit(void)
{
	release();
}
module_exit(tinyalloc_leaks_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Leaks and held memory for kmemleak and allocation profiling");
