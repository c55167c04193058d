// SPDX-License-Identifier: GPL-2.0
/*
 * A sample tinyalloc client for 'make demo': it stores short strings the
 * way a JSON parser keeps the values of the documents it read, and takes
 * stacks of mixed sizes the way a pool of workers would, keeps them while
 * loaded, and prints what the strings cost next to what kmalloc would have
 * charged.
 *
 * The string lengths come from a file of one byte per string (seq=; make
 * demo gives it the short strings of Go's json benchmark document, made by
 * scripts/bench-seq.py), loaded docs= times; without seq= they are made up
 * here: 1..15 bytes, every 50th string 16..63 (served by kmalloc).
 * pace_ms= spreads the loading over time, one document (or one fiftieth of
 * the made-up strings) at a time, so that tinyalloc-stat can watch it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel_read_file.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "tinyalloc.h"

static char *seq;
module_param(seq, charp, 0444);
MODULE_PARM_DESC(seq, "File of string lengths, one byte each (default: none, lengths made up)");

static unsigned int docs = 50;
module_param(docs, uint, 0444);
MODULE_PARM_DESC(docs, "With seq=: how many times to load the sequence (default 50)");

static unsigned int strings = 100000;
module_param(strings, uint, 0444);
MODULE_PARM_DESC(strings, "Without seq=: how many strings to make up (default 100000)");

static unsigned int stacks = 2000;
module_param(stacks, uint, 0444);
MODULE_PARM_DESC(stacks, "How many stacks of 2 KiB to 64 KiB to hold (default 2000)");

static unsigned int pace_ms;
module_param(pace_ms, uint, 0444);
MODULE_PARM_DESC(pace_ms, "Pause after each document, in ms (default 0: load at once)");

static unsigned int leak;
module_param(leak, uint, 0444);
MODULE_PARM_DESC(leak, "Strings and stacks left unfreed at unload, to see tinyalloc report them (default 0)");

#define DEMO_SEQ_MAX	SZ_1M
#define DEMO_CHUNKS	50	/* steps of the made-up strings */

static u8 *demo_len;		/* length of each string */
static char **demo_strings;
static unsigned int demo_n;	/* strings in demo_len */
static unsigned int demo_chunk;	/* strings per step */
static struct tinyalloc_stack *demo_stacks;
static unsigned int demo_nstacks;	/* stacks taken so far */

/* The lengths of seq=, docs= times over. */
static int demo_read_seq(void)
{
	void *buf = NULL;
	size_t size = 0;
	ssize_t got;
	unsigned int i;

	got = kernel_read_file_from_path(seq, 0, &buf, DEMO_SEQ_MAX, &size,
					 READING_UNKNOWN);
	if (got <= 0) {
		pr_err("cannot read the string lengths from %s (%zd)\n", seq,
		       got);
		return got ? got : -ENODATA;
	}
	demo_chunk = got;
	demo_n = got * docs;
	demo_len = vmalloc(demo_n ? demo_n : 1);
	if (!demo_len) {
		vfree(buf);
		return -ENOMEM;
	}
	for (i = 0; i < demo_n; i++)
		demo_len[i] = max_t(u8, ((u8 *)buf)[i % got], 1);
	vfree(buf);
	return 0;
}

/* Mostly names of 1..15 bytes, now and then a longer one. */
static int demo_make_lengths(void)
{
	struct rnd_state rnd;
	unsigned int i;

	demo_n = strings;
	demo_chunk = max(strings / DEMO_CHUNKS, 1U);
	demo_len = vmalloc(demo_n ? demo_n : 1);
	if (!demo_len)
		return -ENOMEM;
	prandom_seed_state(&rnd, 2026);
	for (i = 0; i < demo_n; i++) {
		demo_len[i] = 1 + prandom_u32_state(&rnd) % 15;
		if (i % 50 == 0)
			demo_len[i] = 16 + prandom_u32_state(&rnd) % 48;
	}
	return 0;
}

/* Take stacks up to @total: 2, 4, 8, 16, 32 and 64 KiB in turn. */
static void demo_take_stacks(unsigned int total)
{
	while (demo_nstacks < total &&
	       !tinyalloc_stack_alloc(&demo_stacks[demo_nstacks],
				      SZ_2K << (demo_nstacks % 6), GFP_KERNEL))
		demo_nstacks++;
}

static int __init tinyalloc_demo_init(void)
{
	size_t bytes = 0, kmalloc_bytes = 0, block = tinyalloc_tiny_block_size();
	unsigned int i, tiny = 0;
	char text[U8_MAX];
	int err;

	err = seq ? demo_read_seq() : demo_make_lengths();
	if (err)
		return err;
	demo_strings = vzalloc(array_size(demo_n, sizeof(*demo_strings)));
	/* stacks=0 (tiny objects only) still gets an array: vmalloc(0) warns. */
	demo_stacks = vzalloc(array_size(max(stacks, 1U), sizeof(*demo_stacks)));
	if (!demo_strings || !demo_stacks) {
		vfree(demo_strings);
		vfree(demo_stacks);
		vfree(demo_len);
		return -ENOMEM;
	}
	for (i = 0; i < demo_n; i++) {
		/* A string of demo_len[i] bytes, its NUL included. */
		memset(text, 'a' + i % 26, demo_len[i] - 1);
		demo_strings[i] = tinyalloc_kstrndup(text, demo_len[i] - 1,
						     GFP_KERNEL);
		if (!demo_strings[i])
			break;
		bytes += demo_len[i];
		kmalloc_bytes += kmalloc_size_roundup(demo_len[i]);
		tiny += demo_len[i] < block;
		/* Stacks in step with the strings, then a pause. */
		if ((i + 1) % demo_chunk == 0 || i + 1 == demo_n) {
			demo_take_stacks(div_u64((u64)stacks * (i + 1),
						 demo_n));
			if (pace_ms)
				msleep(pace_ms);
		}
	}
	demo_take_stacks(stacks);
	pr_info("stored %u strings (%u tiny), %zu bytes; kmalloc would charge %zu bytes\n",
		i, tiny, bytes, kmalloc_bytes);
	pr_info("holding %u stacks of 2, 4, 8, 16, 32 and 64 KiB\n",
		demo_nstacks);
	return 0;
}

static void __exit tinyalloc_demo_exit(void)
{
	unsigned int i;

	/* The first 'leak' of each are left behind on purpose. */
	for (i = leak; i < demo_n; i++)
		tinyalloc_free(demo_strings[i]);
	vfree(demo_strings);
	vfree(demo_len);
	for (i = leak; i < demo_nstacks; i++)
		tinyalloc_stack_free(&demo_stacks[i]);
	vfree(demo_stacks);
	if (leak)
		pr_info("freed all but %u strings and %u stacks\n", leak, leak);
	else
		pr_info("freed every string and stack\n");
}

module_init(tinyalloc_demo_init);
module_exit(tinyalloc_demo_exit);

MODULE_DESCRIPTION("Sample tinyalloc client: a store of short strings and a pool of stacks");
MODULE_LICENSE("GPL");
