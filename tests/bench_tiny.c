// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny objects on one CPU: kmalloc, a dedicated 16-byte kmem_cache,
 * page_frag and tinyalloc, for sizes 1..15 one at a time and a mixed
 * sequence.
 *
 *   pair   allocate and free at once, 1M times
 *   burst  allocate 100k, then free them all, in allocation order and in
 *          a random order; allocation and free timed apart
 *
 * The loops are written once and inlined per allocator (bench_tiny_alloc()
 * with a constant), so no competitor pays an indirect call.  Each object
 * gets one byte written, as a user would.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sched.h>

#include "bench.h"

#define PAIR_OPS	1000000
#define BURST_OBJS	100000
#define MIXED_LEN	4096
#define NR_SIZES	16		/* 1..15, then the mixed sequence */

struct tiny_ctx {
	const u8 *sizes;	/* cycled through */
	unsigned int nsizes;
	unsigned long pair_ops;
	unsigned long burst;
	void **obj;
	const u32 *order;	/* free order of a random burst */
};

static __always_inline u64 pair(enum bench_tiny a, struct tiny_ctx *c)
{
	unsigned int j = 0;
	unsigned long i;
	u64 t = ktime_get_ns();
	u8 *p;

	for (i = 0; i < c->pair_ops; i++) {
		p = bench_tiny_alloc(a, c->sizes[j]);
		if (unlikely(!p))
			return 0;
		*p = i;
		bench_tiny_free(a, p);
		if (++j == c->nsizes)
			j = 0;
	}
	return ktime_get_ns() - t;
}

/* Allocate the burst; return the time, 0 if an allocation failed. */
static __always_inline u64 burst_alloc(enum bench_tiny a, struct tiny_ctx *c)
{
	unsigned int j = 0;
	unsigned long i;
	u64 t = ktime_get_ns();
	u8 *p;

	for (i = 0; i < c->burst; i++) {
		p = bench_tiny_alloc(a, c->sizes[j]);
		c->obj[i] = p;
		if (unlikely(!p))
			break;
		*p = i;
		if (++j == c->nsizes)
			j = 0;
	}
	t = ktime_get_ns() - t;
	return i == c->burst ? t : 0;
}

static __always_inline u64 burst_free(enum bench_tiny a, struct tiny_ctx *c,
				      bool random)
{
	unsigned long i;
	u64 t = ktime_get_ns();

	for (i = 0; i < c->burst; i++) {
		void *p = c->obj[random ? c->order[i] : i];

		if (p)
			bench_tiny_free(a, p);
	}
	return ktime_get_ns() - t;
}

/* One run of a case for allocator @a: ns for pair, alloc, free. */
struct tiny_times {
	u64 pair, alloc, free_in_order, alloc_r, free_random;
};

static __always_inline int tiny_once(enum bench_tiny a, struct tiny_ctx *c,
				     struct tiny_times *t)
{
	t->pair = pair(a, c);
	t->alloc = burst_alloc(a, c);
	t->free_in_order = burst_free(a, c, false);
	t->alloc_r = burst_alloc(a, c);
	t->free_random = burst_free(a, c, true);
	return t->pair && t->alloc && t->alloc_r ? 0 : -ENOMEM;
}

static int tiny_run_alloc(enum bench_tiny a, struct tiny_ctx *c,
			  struct tiny_times *t)
{
	int err;

	/* Inline each allocator's loops: a constant @a per call site. */
	switch (a) {
	case BENCH_KMALLOC:
		err = tiny_once(BENCH_KMALLOC, c, t);
		break;
	case BENCH_KMEM_CACHE:
		err = tiny_once(BENCH_KMEM_CACHE, c, t);
		break;
	case BENCH_PAGE_FRAG:
		err = tiny_once(BENCH_PAGE_FRAG, c, t);
		break;
	case BENCH_BESTFIT:
		err = tiny_once(BENCH_BESTFIT, c, t);
		break;
	default:
		err = tiny_once(BENCH_TINYALLOC, c, t);
	}
	bench_drain_frags();
	bench_drain_tiny();
	cond_resched();
	return err;
}

/* Median ns per operation, times 100, of @n runs of @ops operations. */
static u64 per_op_x100(u64 *ns, unsigned int n, unsigned long ops)
{
	return div64_u64(bench_median(ns, n) * 100, ops);
}

static int tiny_case(struct tiny_ctx *c, const char *label)
{
	/* Too big for the stack; the module runs one case at a time. */
	static u64 ns[5][BENCH_NR_TINY][BENCH_MAX_REPS];
	/* The second burst's allocation only sets up the random free. */
	static const char * const metric[5] = {
		"pair_ns", "burst_alloc_ns", "burst_free_ns", NULL,
		"burst_free_random_ns",
	};
	struct tiny_times t;
	unsigned int r, k, a, m;
	char what[32];
	int err;

	for (r = 0; r < bench_reps; r++) {
		for (k = 0; k < BENCH_NR_TINY; k++) {
			a = bench_rotate(k, r, BENCH_NR_TINY);
			err = tiny_run_alloc(a, c, &t);
			if (err)
				return err;
			ns[0][a][r] = t.pair;
			ns[1][a][r] = t.alloc;
			ns[2][a][r] = t.free_in_order;
			ns[3][a][r] = t.alloc_r;
			ns[4][a][r] = t.free_random;
		}
	}
	snprintf(what, sizeof(what), "size=%s", label);
	for (a = 0; a < BENCH_NR_TINY; a++) {
		for (m = 0; m < 5; m++)
			if (metric[m])
				bench_report("tiny", what, bench_tiny_names[a],
					     metric[m],
					     per_op_x100(ns[m][a], bench_reps,
							 m ? c->burst : c->pair_ops));
	}
	return 0;
}

/**
 * bench_tiny_run() - the tiny-object timing cases
 *
 * Return: 0, or -ENOMEM if an allocation failed.
 */
int bench_tiny_run(void)
{
	struct tiny_ctx c = {
		.pair_ops = bench_quick ? 1000 : PAIR_OPS / bench_ops_div,
		.burst = bench_quick ? 1000 : BURST_OBJS / bench_ops_div,
	};
	static u8 mixed[MIXED_LEN];
	struct rnd_state rnd;
	unsigned int i;
	u32 *order;
	char label[8];
	u8 size;
	int err = 0;

	c.obj = kvcalloc(c.burst, sizeof(*c.obj), GFP_KERNEL);
	order = kvcalloc(c.burst, sizeof(*order), GFP_KERNEL);
	if (!c.obj || !order) {
		err = -ENOMEM;
		goto out;
	}
	bench_shuffle(order, c.burst, 1);
	c.order = order;
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < MIXED_LEN; i++)
		mixed[i] = 1 + prandom_u32_state(&rnd) % 15;
	for (i = 0; i < NR_SIZES && !err; i++) {
		if (i < NR_SIZES - 1) {
			size = i + 1;
			c.sizes = &size;
			c.nsizes = 1;
			snprintf(label, sizeof(label), "%u", size);
		} else {
			c.sizes = mixed;
			c.nsizes = MIXED_LEN;
			strscpy(label, "mixed", sizeof(label));
		}
		err = tiny_case(&c, label);
	}
out:
	kvfree(order);
	kvfree(c.obj);
	return err;
}
