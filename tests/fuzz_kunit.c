// SPDX-License-Identifier: GPL-2.0
/*
 * tinyalloc_fuzz: bad frees among good ones, checked against a model.
 *
 * On one CPU, task context and a pinned hard-IRQ hrtimer run random
 * allocations (tiny sizes, and kmalloc-backed ones through the API), good
 * frees and injected bad frees (double, interior, stale, foreign, span
 * header, kmalloc-backed double) on a private instance of each block size,
 * mode and policy.  The model knows every live object and fills it with
 * its own pattern.  After each batch the instance is drained and walked:
 * each span's count of blocks in use is its blocks with a count above 0,
 * the counters add up, no live object's block has count 0, and every live
 * object still holds its pattern.
 *
 * In the default mode a double, stale or interior free into a block that
 * holds a live object cannot be seen (design.rst, "Bad input"): its damage
 * may stay in the block it names.  The model then stops trusting that
 * block ("taints" it): it forgets the block's objects, present and future,
 * and checks all the rest.  With tiny_debug, and with KASAN's shadow kept
 * (tiny_kasan, on generic KASAN kernels), every bad free must be refused.
 */

#include <kunit/test.h>
#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "core.h"
#include "tinyalloc.h"

static unsigned int fuzz_ops = 1000000;
module_param(fuzz_ops, uint, 0444);
MODULE_PARM_DESC(fuzz_ops, "tinyalloc_fuzz: operations per configuration");

#define FZ_SLOTS	2048
#define FZ_BATCH	8192
#define FZ_TAINT_BITS	15
#define FZ_STALE_RING	64
#define FZ_IRQ_OPS	4
#define FZ_IRQ_PERIOD_NS (100 * NSEC_PER_USEC)

enum fz_state { FZ_FREE, FZ_LIVE, FZ_BUSY };

enum fz_bad {
	FZ_DOUBLE,		/* a tiny object freed twice */
	FZ_INTERIOR,		/* inside a live tiny object */
	FZ_STALE,		/* where a freed tiny object was */
	FZ_FOREIGN,		/* kmalloc, vmalloc, module data, the stack */
	FZ_HEADER,		/* a span header */
	FZ_LARGE_DOUBLE,	/* a kmalloc-backed object freed twice */
	FZ_OPEN_DOUBLE,		/* one of an open block's objects, twice */
	FZ_NR_BAD,
};

static const char *const fz_bad_name[FZ_NR_BAD] = {
	"double", "interior", "stale", "foreign", "header", "kmalloc-double",
	"open-block double",
};

struct fz_obj {
	u8 *p;
	struct hlist_node node;	/* in fuzz.live, by address */
	u32 id;
	u8 size;
	u8 state;
	bool large;
};

struct fuzz {
	struct ta_tiny *ta;
	struct fz_obj obj[FZ_SLOTS];
	DECLARE_HASHTABLE(live, 11);
	unsigned long taint[1 << FZ_TAINT_BITS];	/* set of blocks */
	unsigned long stale[FZ_STALE_RING];
	unsigned int stale_next;
	const void *foreign[4];
	struct rnd_state rnd[2];	/* task, IRQ */
	struct hrtimer timer;
	bool stop;
	bool task_allocating;		/* an allocation not yet recorded */
	unsigned long irq_invalid;	/* refusals counted by the timer */
	char why[160];			/* the first failure */
	u32 next_id;
	/* what the model did, to check the counters against */
	unsigned long tiny_allocs, large_allocs, large_frees;
	unsigned long span_frees;	/* free calls into the instance's spans */
	unsigned long global_bad;	/* bad frees that name no span */
	unsigned long task_ops, irq_ops, verified, tainted, forgotten;
	unsigned long bad[FZ_NR_BAD], refused[FZ_NR_BAD];
};

struct fuzz_case {
	unsigned int bs;
	bool debug;
	bool bestfit;
	bool kasan;	/* keep KASAN's shadow (generic KASAN kernels only) */
};

static const struct fuzz_case fuzz_cases[] = {
	{ 8, false, false }, { 16, false, false }, { 32, false, false },
	{ 8, false, true }, { 16, false, true }, { 32, false, true },
	{ 8, true, false }, { 16, true, false }, { 32, true, false },
	{ 8, true, true }, { 16, true, true }, { 32, true, true },
	{ 8, false, false, true }, { 16, false, true, true },
	{ 32, false, true, true },
};

static void fuzz_desc(const struct fuzz_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "block %u %s%s%s", c->bs,
		 c->bestfit ? "bestfit" : "go", c->debug ? " tiny_debug" : "",
		 c->kasan ? " tiny_kasan" : "");
}

KUNIT_ARRAY_PARAM(fuzz, fuzz_cases, fuzz_desc);

/* Record the first failure; IRQ context cannot report through KUnit. */
static __printf(2, 3) void fz_fail(struct fuzz *f, const char *fmt, ...)
{
	va_list args;

	if (f->why[0])
		return;
	va_start(args, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, args);
	va_end(args);
}

static u8 fz_pattern(u32 id, unsigned int i)
{
	return (id * 131 + i * 29) ^ (id >> 9);
}

static unsigned long fz_invalid(struct fuzz *f)
{
	return ta_stat_sum(f->ta->stats, TA_INVALID_FREES) +
	       ta_stat_sum(ta_global_stats_get(), TA_INVALID_FREES);
}

/* ---- tainted blocks: damage a bad free may have done stays there ---- */

static unsigned long fz_block(struct fuzz *f, const void *p)
{
	return (unsigned long)p & ~(unsigned long)(f->ta->block_size - 1);
}

static unsigned long *fz_taint_slot(struct fuzz *f, unsigned long blk)
{
	unsigned int mask = (1U << FZ_TAINT_BITS) - 1;
	unsigned int i = hash_long(blk, FZ_TAINT_BITS);

	while (f->taint[i] && f->taint[i] != blk)
		i = (i + 1) & mask;
	return &f->taint[i];
}

static bool fz_tainted(struct fuzz *f, const void *p)
{
	return *fz_taint_slot(f, fz_block(f, p)) != 0;
}

/* The tiny object starting at @p, if the model has one. */
static struct fz_obj *fz_find(struct fuzz *f, const void *p)
{
	struct fz_obj *o;

	hash_for_each_possible(f->live, o, node, (unsigned long)p)
		if (o->p == p)
			return o;
	return NULL;
}

static void fz_forget(struct fuzz *f, struct fz_obj *o)
{
	hash_del(&o->node);
	o->p = NULL;
	o->state = FZ_FREE;
	f->forgotten++;
}

/* A bad free at @p went unseen: forget every object of its block. */
static void fz_taint(struct fuzz *f, const void *p)
{
	unsigned long blk = fz_block(f, p), *slot = fz_taint_slot(f, blk);
	struct fz_obj *o;
	unsigned int i;

	if (*slot)
		return;
	*slot = blk;
	f->tainted++;
	for (i = 0; i < f->ta->block_size; i++) {
		o = fz_find(f, (void *)(blk + i));
		if (o && o->state == FZ_LIVE)
			fz_forget(f, o);
	}
}

/* Room for more tainted blocks?  Injecting stops before the set fills. */
static bool fz_can_taint(struct fuzz *f)
{
	return f->tainted < (1U << FZ_TAINT_BITS) / 2;
}

/* ---- good operations ---- */

static bool fz_verify(struct fuzz *f, struct fz_obj *o)
{
	unsigned int i;

	for (i = 0; i < o->size; i++) {
		if (o->p[i] != fz_pattern(o->id, i)) {
			fz_fail(f, "object %u (%u bytes at %p) byte %u: %#x, expected %#x",
				o->id, o->size, o->p, i, o->p[i],
				fz_pattern(o->id, i));
			return false;
		}
	}
	f->verified++;
	return true;
}

/* Record a new object in slot @o (IRQs off), unless its block is tainted. */
static void fz_record(struct fuzz *f, struct fz_obj *o, u8 *p, size_t size,
		      bool large)
{
	unsigned int i;

	if (!large && fz_tainted(f, p)) {
		o->state = FZ_FREE;
		f->forgotten++;
		return;
	}
	if (!large && (!ta_tiny_span_of(p) ||
		       ta_tiny_span_of(p)->owner != f->ta ||
		       (unsigned long)p % ta_tiny_align(size) ||
		       (unsigned long)p % f->ta->block_size + size >
		       f->ta->block_size))
		fz_fail(f, "%zu bytes at %p: not in the instance or misplaced",
			size, p);
	o->p = p;
	o->size = size;
	o->large = large;
	o->id = ++f->next_id;
	o->state = FZ_LIVE;
	for (i = 0; i < size; i++)
		p[i] = fz_pattern(o->id, i);
	hash_add(f->live, &o->node, (unsigned long)p);
}

static void fz_alloc(struct fuzz *f, struct fz_obj *o, struct rnd_state *rnd,
		     gfp_t gfp)
{
	bool large = prandom_u32_state(rnd) % 10 == 0;
	unsigned long flags;
	size_t size;
	u8 *p;

	if (large) {
		size = tinyalloc_tiny_block_size() + prandom_u32_state(rnd) % 64;
		p = tinyalloc_alloc(size, gfp);
	} else {
		size = 1 + prandom_u32_state(rnd) % (f->ta->block_size - 1);
		p = ta_tiny_alloc(f->ta, size, gfp);
	}
	local_irq_save(flags);
	if (!p) {
		if (gfpflags_allow_blocking(gfp))
			fz_fail(f, "a %zu-byte allocation failed", size);
		o->state = FZ_FREE;
	} else {
		if (large)
			f->large_allocs++;
		else
			f->tiny_allocs++;
		fz_record(f, o, p, size, large);
	}
	local_irq_restore(flags);
}

/*
 * Free live object @o (IRQs off), after checking its bytes; a good free
 * must not be refused.
 */
static void fz_free(struct fuzz *f, struct fz_obj *o)
{
	unsigned long before = fz_invalid(f);

	fz_verify(f, o);
	hash_del(&o->node);
	tinyalloc_free(o->p);
	if (fz_invalid(f) != before)
		fz_fail(f, "a good free of %p (%u bytes) was refused",
			o->p, o->size);
	if (o->large) {
		f->large_frees++;
	} else {
		f->span_frees++;
		f->stale[f->stale_next++ % FZ_STALE_RING] = (unsigned long)o->p;
	}
	o->p = NULL;
	o->state = FZ_FREE;
}

/* ---- bad frees ---- */

/* A live object of the model, tiny or not as asked, or NULL. */
static struct fz_obj *fz_pick_live(struct fuzz *f, struct rnd_state *rnd,
				   bool large)
{
	unsigned int i, start = prandom_u32_state(rnd) % FZ_SLOTS;

	for (i = 0; i < FZ_SLOTS; i++) {
		struct fz_obj *o = &f->obj[(start + i) % FZ_SLOTS];

		if (o->state == FZ_LIVE && o->large == large)
			return o;
	}
	return NULL;
}

/*
 * Fill a fresh open block with one-byte objects (14 of them, or 8 in a
 * block of 8; with KASAN's shadow, one a granule) and free them all;
 * return one of them, for a double free.
 * In a block of 16 or 32 that double free takes the count to 0 while the
 * block is open: the retire that follows must not count it freed again.
 * From task context: the drain that starts a fresh block needs it.
 */
static const void *fz_open_block_objects(struct fuzz *f,
					 struct rnd_state *rnd, bool in_irq)
{
	/* With KASAN's shadow kept, objects start at its granules. */
	unsigned int step = ta_tiny_kasan(f->ta) ? TA_KASAN_GRANULE : 1;
	unsigned int i, n = min(TA_MAX_OBJS - 1, f->ta->block_size / step);
	u8 *p[TA_MAX_OBJS - 1];
	unsigned long before;

	if (in_irq)
		return NULL;
	ta_tiny_drain_local(f->ta);
	for (i = 0; i < n; i++) {
		p[i] = ta_tiny_alloc(f->ta, 1, GFP_ATOMIC);
		if (!p[i])
			break;
		f->tiny_allocs++;
	}
	n = i;
	for (i = 0; i < n; i++) {
		before = fz_invalid(f);
		tinyalloc_free(p[i]);
		f->span_frees++;
		if (fz_invalid(f) != before && !fz_tainted(f, p[i]))
			fz_fail(f, "a good free of %p (1 byte) was refused",
				p[i]);
	}
	if (n && p[n - 1] != p[0] + (n - 1) * step)
		fz_fail(f, "%u one-byte objects from a fresh block are not in a row",
			n);
	return n ? p[prandom_u32_state(rnd) % n] : NULL;
}

/*
 * The address a bad free of @kind will name, or NULL to skip; frees
 * first what a double free needs freed.  Never the start of a live
 * object, and never in a span of another instance.
 */
static const void *fz_bad_target(struct fuzz *f, enum fz_bad kind,
				 struct rnd_state *rnd, bool in_irq)
{
	struct fz_obj *o = fz_pick_live(f, rnd, kind == FZ_LARGE_DOUBLE);
	const void *p = NULL;
	struct ta_span *span;

	switch (kind) {
	case FZ_DOUBLE:
	case FZ_LARGE_DOUBLE:
		if (!o)
			return NULL;
		p = o->p;
		fz_free(f, o);
		break;
	case FZ_INTERIOR:
		if (!o || o->size < 2)
			return NULL;
		p = o->p + 1 + prandom_u32_state(rnd) % (o->size - 1);
		break;
	case FZ_STALE:
		/* Not while the task may hold a fresh object there. */
		if (in_irq && f->task_allocating)
			return NULL;
		p = (void *)f->stale[prandom_u32_state(rnd) % FZ_STALE_RING];
		if (!p || fz_find(f, p))
			return NULL;
		break;
	case FZ_OPEN_DOUBLE:
		p = fz_open_block_objects(f, rnd, in_irq);
		if (!p || fz_find(f, p))
			return NULL;
		break;
	case FZ_FOREIGN:
		p = f->foreign[prandom_u32_state(rnd) % ARRAY_SIZE(f->foreign)];
		break;
	case FZ_HEADER:
		if (!o)
			return NULL;
		p = ta_tiny_span_of(o->p);
		break;
	default:
		return NULL;
	}
	span = ta_tiny_span_of(p);
	if (span && span->owner != f->ta)
		return NULL;
	return p;
}

/* Inject a bad free of a random kind (IRQs off). */
static void fz_bad_free(struct fuzz *f, struct rnd_state *rnd, bool in_irq)
{
	enum fz_bad kind = prandom_u32_state(rnd) % FZ_NR_BAD;
	unsigned long before;
	const void *p;
	bool in_span;

	if (!fz_can_taint(f))
		return;
	p = fz_bad_target(f, kind, rnd, in_irq);
	if (!p)
		return;
	in_span = !!ta_tiny_span_of(p);
	before = fz_invalid(f);
	tinyalloc_free(p);
	f->bad[kind]++;
	if (in_span)
		f->span_frees++;
	else
		f->global_bad++;
	/* The retire that settles the block, where it may go wrong. */
	if (kind == FZ_OPEN_DOUBLE)
		ta_tiny_drain_local(f->ta);
	if (fz_invalid(f) == before + 1) {
		f->refused[kind]++;
		return;
	}
	if (fz_invalid(f) != before)
		fz_fail(f, "a %s free of %p counted %lu times", fz_bad_name[kind],
			p, fz_invalid(f) - before);
	else if (f->ta->debug || ta_tiny_kasan(f->ta) || !in_span ||
		 kind == FZ_HEADER)
		fz_fail(f, "a %s free of %p was not refused",
			fz_bad_name[kind], p);
	else
		fz_taint(f, p);
}

/* ---- one operation, from task context or the hrtimer ---- */

static void fz_op(struct fuzz *f, bool in_irq)
{
	struct rnd_state *rnd = &f->rnd[in_irq];
	u32 r = prandom_u32_state(rnd);
	bool irqs_on = !in_irq && r & 1;
	unsigned long flags;
	struct fz_obj *o;

	local_irq_save(flags);
	if (r % 64 == 0) {
		fz_bad_free(f, rnd, in_irq);
		local_irq_restore(flags);
		return;
	}
	o = &f->obj[(r >> 8) % FZ_SLOTS];
	if (o->state == FZ_BUSY) {	/* the task's, seen from the IRQ */
		local_irq_restore(flags);
		return;
	}
	if (o->state == FZ_LIVE && !irqs_on) {
		fz_free(f, o);
		local_irq_restore(flags);
		return;
	}
	if (o->state == FZ_LIVE) {
		/*
		 * From task context with IRQs on: what the timer refused
		 * meanwhile is not this free's.  The object stays in the hash
		 * until it is freed, so that the timer takes it for no stale
		 * pointer meanwhile.
		 */
		unsigned long before = fz_invalid(f) - f->irq_invalid;

		fz_verify(f, o);
		o->state = FZ_BUSY;
		local_irq_restore(flags);
		tinyalloc_free(o->p);
		local_irq_save(flags);
		if (fz_invalid(f) - f->irq_invalid != before &&
		    (o->large || !fz_tainted(f, o->p)))
			fz_fail(f, "a good free of %p (%u bytes), IRQs on, was refused",
				o->p, o->size);
		hash_del(&o->node);
		if (o->large) {
			f->large_frees++;
		} else {
			f->span_frees++;
			f->stale[f->stale_next++ % FZ_STALE_RING] =
				(unsigned long)o->p;
		}
		o->p = NULL;
		o->state = FZ_FREE;
		local_irq_restore(flags);
		return;
	}
	if (in_irq) {
		fz_alloc(f, o, rnd, GFP_ATOMIC);
		local_irq_restore(flags);
		return;
	}
	o->state = FZ_BUSY;
	f->task_allocating = true;
	local_irq_restore(flags);
	fz_alloc(f, o, rnd, GFP_KERNEL);
	WRITE_ONCE(f->task_allocating, false);
}

static enum hrtimer_restart fz_timer(struct hrtimer *t)
{
	struct fuzz *f = container_of(t, struct fuzz, timer);
	unsigned int i;

	unsigned long before = fz_invalid(f);

	if (READ_ONCE(f->stop))
		return HRTIMER_NORESTART;
	for (i = 0; i < FZ_IRQ_OPS; i++)
		fz_op(f, true);
	f->irq_ops += FZ_IRQ_OPS;
	f->irq_invalid += fz_invalid(f) - before;
	hrtimer_forward_now(t, ns_to_ktime(FZ_IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

/* ---- the walk after each batch ---- */

static unsigned int fz_blocks_in_use(struct ta_tiny *ta, struct ta_span *span)
{
	unsigned int i, n = 0;

	for (i = 0; i < ta->nr_blocks; i++)
		n += (span->counts[i / TA_NIBBLES_PER_WORD] >>
		      (i % TA_NIBBLES_PER_WORD * 4) & 15) != 0;
	return n;
}

/* The count of the block of @p, 0 if @p is in no span at all. */
static unsigned int fz_block_count(struct ta_tiny *ta, const void *p)
{
	struct ta_span *span = ta_tiny_span_of(p);
	unsigned int i;

	if (!span)
		return 0;
	i = ((unsigned long)p - (unsigned long)span - ta->first_block) >>
	    ta->block_shift;
	return span->counts[i / TA_NIBBLES_PER_WORD] >>
	       (i % TA_NIBBLES_PER_WORD * 4) & 15;
}

/* With nothing live in the model: a block in use must be a tainted one. */
static void fz_expect_tainted(struct fuzz *f, struct ta_span *span)
{
	struct ta_tiny *ta = f->ta;
	unsigned long blk;
	unsigned int i;

	for (i = 0; i < ta->nr_blocks; i++) {
		blk = (unsigned long)span + ta->first_block +
		      ((unsigned long)i << ta->block_shift);
		if ((span->counts[i / TA_NIBBLES_PER_WORD] >>
		     (i % TA_NIBBLES_PER_WORD * 4) & 15) &&
		    !fz_tainted(f, (void *)blk))
			fz_fail(f, "block %p in use with nothing live", (void *)blk);
	}
}

/*
 * Walk one list of a node, lock held: spans and blocks in use, each span
 * on the list its use calls for (full: every block in use; partial: some
 * free, the empty ones at the tail).
 */
static void fz_walk_list(struct fuzz *f, struct list_head *head, bool full,
			 bool final, unsigned long *spans,
			 unsigned long *blocks, unsigned int *empty)
{
	struct ta_span *span;
	unsigned int n;
	bool all;

	list_for_each_entry(span, head, list) {
		n = fz_blocks_in_use(f->ta, span);
		all = n == f->ta->nr_blocks;
		if (atomic_read(&span->inuse) != n || span->frozen ||
		    full != all || (*empty && n))
			fz_fail(f, "span %p (%s): inuse %d, %u in use, frozen %u, %u empty before",
				span, full ? "full" : "partial",
				atomic_read(&span->inuse), n, span->frozen,
				*empty);
		if (final)
			fz_expect_tainted(f, span);
		(*spans)++;
		*blocks += n;
		*empty += n == 0;
	}
}

/* Live objects of the model in the block of @p. */
static unsigned int fz_live_in_block(struct fuzz *f, const void *p)
{
	unsigned long blk = fz_block(f, p);
	unsigned int i, n = 0;

	for (i = 0; i < f->ta->block_size; i++)
		n += !!fz_find(f, (void *)(blk + i));
	return n;
}

/*
 * With the timer stopped and the CPU drained, every span is on a list
 * and every block retired: check them and every live object.  @final:
 * the model holds nothing live any more.
 */
static void fz_check(struct kunit *test, struct fuzz *f, bool final)
{
	struct ta_tiny *ta = f->ta;
	unsigned long spans = 0, blocks = 0, flags;
	struct ta_tiny_node *n;
	unsigned int bkt, empty;
	struct fz_obj *o;
	int node;

	ta_tiny_drain_local(ta);
	for (node = 0; node < nr_node_ids; node++) {
		n = &ta->nodes[node];
		empty = 0;
		spin_lock_irqsave(&n->lock, flags);
		fz_walk_list(f, &n->full, true, final, &spans, &blocks,
			     &empty);
		fz_walk_list(f, &n->partial, false, final, &spans, &blocks,
			     &empty);
		if (n->nr_empty != empty || empty > ta->keep_empty)
			fz_fail(f, "node %d: %u empty spans, nr_empty %u, keep %u",
				node, empty, n->nr_empty, ta->keep_empty);
		spin_unlock_irqrestore(&n->lock, flags);
	}
	KUNIT_EXPECT_EQ(test, spans, ta_stat_sum(ta->stats, TA_TINY_SPANS_ALLOC) -
			ta_stat_sum(ta->stats, TA_TINY_SPANS_FREED));
	KUNIT_EXPECT_EQ(test, blocks, ta_stat_sum(ta->stats, TA_TINY_BLOCKS_TAKEN) -
			ta_stat_sum(ta->stats, TA_TINY_BLOCKS_FREED));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta->stats, TA_TINY_ALLOCS),
			f->tiny_allocs);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta->stats, TA_TINY_FREES) +
			ta_stat_sum(ta->stats, TA_INVALID_FREES), f->span_frees);
	hash_for_each(f->live, bkt, o, node) {
		if (!fz_verify(f, o))
			break;
		/* Retired, an untainted block counts exactly its objects. */
		if (!o->large &&
		    fz_block_count(ta, o->p) != fz_live_in_block(f, o->p))
			fz_fail(f, "live object %p (%u bytes): its block counts %u, the model %u",
				o->p, o->size, fz_block_count(ta, o->p),
				fz_live_in_block(f, o->p));
	}
}

static void fz_setup(struct kunit *test, struct fuzz *f,
		     const struct fuzz_case *c, int *on_stack)
{
	f->ta = ta_tiny_create(c->bs, c->debug);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->ta));
	test->priv = f->ta;
	if (c->bestfit)
		f->ta->nr_open = TA_MAX_OPEN;
	/* KASAN's shadow knows every object, as tiny_debug does. */
	ta_tiny_set_kasan(f->ta, c->kasan);
	hash_init(f->live);
	f->foreign[0] = kunit_kmalloc(test, 64, GFP_KERNEL);
	f->foreign[1] = &fuzz_ops;
	f->foreign[2] = on_stack;
	f->foreign[3] = f->stale;	/* kvzalloc(): vmalloc or kmalloc */
	KUNIT_ASSERT_NOT_NULL(test, f->foreign[0]);
	prandom_seed_state(&f->rnd[0], 0xf022 + c->bs * 8 + c->kasan * 4 +
			   c->debug * 2 + c->bestfit);
	prandom_seed_state(&f->rnd[1], 0x12f022 + c->bs);
	hrtimer_init(&f->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	f->timer.function = fz_timer;
}

static void fz_report(struct kunit *test, struct fuzz *f)
{
	unsigned long bad = 0, refused = 0;
	unsigned int k;

	for (k = 0; k < FZ_NR_BAD; k++) {
		bad += f->bad[k];
		refused += f->refused[k];
		kunit_info(test, "  %s: %lu injected, %lu refused\n",
			   fz_bad_name[k], f->bad[k], f->refused[k]);
	}
	kunit_info(test, "%lu operations (%lu from hard IRQ), %lu bad frees injected, %lu refused, %lu blocks tainted, %lu objects verified\n",
		   f->task_ops + f->irq_ops, f->irq_ops, bad, refused,
		   f->tainted, f->verified);
}

static void test_fuzz(struct kunit *test)
{
	const struct fuzz_case *c = test->param_value;
	unsigned long kmalloc_frees, global_invalid;
	struct fuzz *f;
	unsigned int i;
	int on_stack = 0;

	/* The model's IRQs-off sections would hold sleeping locks there. */
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "the model runs with IRQs off, not on PREEMPT_RT");
	if (c->kasan && !TA_KASAN)
		kunit_skip(test, "no generic KASAN in this kernel");
	f = kvzalloc(sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	fz_setup(test, f, c, &on_stack);
	kmalloc_frees = ta_stat_sum(ta_global_stats_get(), TA_KMALLOC_FREES);
	global_invalid = ta_stat_sum(ta_global_stats_get(), TA_INVALID_FREES);
	/* Task and timer on one CPU, so that the timer interrupts the task. */
	migrate_disable();
	while (f->task_ops + f->irq_ops < fuzz_ops && !f->why[0]) {
		WRITE_ONCE(f->stop, false);
		hrtimer_start(&f->timer, ns_to_ktime(FZ_IRQ_PERIOD_NS),
			      HRTIMER_MODE_REL_PINNED_HARD);
		for (i = 0; i < FZ_BATCH && !READ_ONCE(f->why[0]); i++)
			fz_op(f, false);
		f->task_ops += i;
		WRITE_ONCE(f->stop, true);
		hrtimer_cancel(&f->timer);
		fz_check(test, f, false);
		cond_resched();
	}
	/* Free what is left and check once more, with nothing live. */
	for (i = 0; i < FZ_SLOTS; i++)
		if (f->obj[i].state == FZ_LIVE)
			fz_free(f, &f->obj[i]);
	fz_check(test, f, true);
	migrate_enable();
	if (f->why[0])
		KUNIT_FAIL(test, "%s", f->why);
	KUNIT_EXPECT_GT(test, f->irq_ops, 0);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_global_stats_get(), TA_KMALLOC_FREES) -
			kmalloc_frees, f->large_frees);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_global_stats_get(), TA_INVALID_FREES) -
			global_invalid, f->global_bad);
	/* tiny_debug, KASAN: bad frees were counted as nothing but refusals. */
	if (c->debug || c->kasan)
		KUNIT_EXPECT_EQ(test, ta_stat_sum(f->ta->stats, TA_TINY_ALLOCS),
				ta_stat_sum(f->ta->stats, TA_TINY_FREES));
	fz_report(test, f);
	kvfree(f);
}

/* Tainted blocks keep objects the model forgot: their pages go back. */
static void fuzz_exit(struct kunit *test)
{
	if (test->priv)
		ta_tiny_destroy(test->priv);
}

static struct kunit_case fuzz_test_cases[] = {
	KUNIT_CASE_PARAM_SLOW(test_fuzz, fuzz_gen_params),
	{}
};

static struct kunit_suite fuzz_suite = {
	.name = "tinyalloc_fuzz",
	.exit = fuzz_exit,
	.test_cases = fuzz_test_cases,
};

kunit_test_suite(fuzz_suite);
