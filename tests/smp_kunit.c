// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for what only means something with several CPUs: objects
 * and stacks freed on another CPU than the one that allocated them,
 * allocation from hard IRQ and softirq context on every CPU at once, and
 * CPUs going offline and online in the middle of a stress.
 *
 * It skips on a single CPU (UML); make check runs it on x86_64 under qemu
 * with -smp 4.  Workers are kthreads, one per online CPU; every object is
 * filled with a pattern and checked before it is freed.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include "core.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

#define SMP_BATCH	512
#define SMP_ROUNDS	40

static void need_smp(struct kunit *test)
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 or more CPUs, %u online",
			   num_online_cpus());
}

static u8 pattern(unsigned int owner, unsigned int i, unsigned int j)
{
	return owner * 67 + i * 13 + j;
}

/* ---- frees on another CPU ---- */

/* What one CPU's worker allocated in this round. */
struct handoff_batch {
	u8 *obj[SMP_BATCH];
	u8 len[SMP_BATCH];
	struct tinyalloc_stack stk[8];
};

struct handoff {
	struct ta_tiny *ta;
	struct ta_stack *st;
	unsigned int nr;		/* workers */
	atomic_t arrived;
	atomic_t phase;
	atomic_t errors;
	atomic_t running;
	struct completion done;
	struct handoff_batch *batch;	/* indexed by CPU */
};

/* All workers wait here until every one has arrived. */
static void handoff_barrier(struct handoff *h)
{
	int phase = atomic_read(&h->phase);

	if (atomic_inc_return(&h->arrived) == h->nr) {
		atomic_set(&h->arrived, 0);
		atomic_inc(&h->phase);
		return;
	}
	while (atomic_read(&h->phase) == phase)
		cond_resched();
}

static void handoff_fill(struct handoff *h, unsigned int me, unsigned int r)
{
	struct handoff_batch *b = &h->batch[me];
	unsigned int i;

	for (i = 0; i < SMP_BATCH; i++) {
		b->len[i] = 1 + (i + r) % 15;
		b->obj[i] = ta_tiny_alloc(h->ta, b->len[i], GFP_KERNEL);
		if (!b->obj[i]) {
			atomic_inc(&h->errors);
			continue;
		}
		memset(b->obj[i], pattern(me, i, r), b->len[i]);
	}
	for (i = 0; i < ARRAY_SIZE(b->stk); i++) {
		if (ta_stack_alloc(h->st, &b->stk[i], 2048 << (i % 4),
				   GFP_KERNEL))
			atomic_inc(&h->errors);
		else
			memset((void *)b->stk[i].lo, pattern(me, i, r),
			       b->stk[i].hi - b->stk[i].lo);
	}
}

/* Check and free what worker @from allocated, on this worker's CPU. */
static void handoff_drain(struct handoff *h, unsigned int from, unsigned int r)
{
	struct handoff_batch *b = &h->batch[from];
	unsigned int i;

	for (i = 0; i < SMP_BATCH; i++) {
		if (!b->obj[i])
			continue;
		if (memchr_inv(b->obj[i], pattern(from, i, r), b->len[i]))
			atomic_inc(&h->errors);
		tinyalloc_free(b->obj[i]);
	}
	for (i = 0; i < ARRAY_SIZE(b->stk); i++) {
		struct tinyalloc_stack *s = &b->stk[i];

		if (!s->lo)
			continue;
		if (memchr_inv((void *)s->lo, pattern(from, i, r), s->hi - s->lo))
			atomic_inc(&h->errors);
		tinyalloc_stack_free(s);
	}
}

static int handoff_worker(void *arg)
{
	struct handoff *h = arg;
	unsigned int me = raw_smp_processor_id(), r;
	unsigned int cpu = me;

	for (r = 0; r < SMP_ROUNDS; r++) {
		handoff_fill(h, me, r);
		handoff_barrier(h);
		/* Free the next CPU's objects: every free is a remote one. */
		cpu = cpumask_next(me, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		handoff_drain(h, cpu, r);
		handoff_barrier(h);
	}
	ta_tiny_drain_local(h->ta);
	ta_stack_drain_local(h->st);
	if (atomic_dec_and_test(&h->running))
		complete(&h->done);
	return 0;
}

static void test_cross_cpu_free(struct kunit *test)
{
	struct handoff *h;
	struct task_struct *t;
	unsigned int cpu;

	need_smp(test);
	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->batch = kvcalloc(nr_cpu_ids, sizeof(*h->batch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->batch);
	h->ta = ta_tiny_create(16, false);
	h->st = ta_stack_create(2048, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->ta) || IS_ERR(h->st));
	init_completion(&h->done);
	cpus_read_lock();
	h->nr = num_online_cpus();
	atomic_set(&h->running, h->nr);
	for_each_online_cpu(cpu) {
		t = kthread_create(handoff_worker, h, "ta_handoff/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	cpus_read_unlock();
	wait_for_completion(&h->done);

	KUNIT_EXPECT_EQ(test, atomic_read(&h->errors), 0);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(h->ta->stats, TA_TINY_ALLOCS),
			ta_stat_sum(h->ta->stats, TA_TINY_FREES));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(h->ta->stats, TA_TINY_BLOCKS_TAKEN),
			ta_stat_sum(h->ta->stats, TA_TINY_BLOCKS_FREED));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(h->ta->stats, TA_INVALID_FREES), 0);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(h->st->stats, TA_STACK_ALLOCS),
			ta_stat_sum(h->st->stats, TA_STACK_FREES));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(h->st->stats, TA_STACK_INVALID_FREES), 0);
	kunit_info(test, "%u CPUs: %lu tiny objects and %lu stacks, each freed on another CPU\n",
		   h->nr, ta_stat_sum(h->ta->stats, TA_TINY_ALLOCS),
		   ta_stat_sum(h->st->stats, TA_STACK_ALLOCS));
	ta_stack_destroy(h->st);
	ta_tiny_destroy(h->ta);
	kvfree(h->batch);
}

/* ---- hard IRQ and softirq on every CPU at once ---- */

struct irq_load {
	struct hrtimer hrt;
	struct timer_list tl;
	atomic_t *left;
	atomic_t *errors;
	struct completion *done;
	bool hard_ok, soft_ok;
};

static void irq_alloc_free(atomic_t *errors)
{
	struct tinyalloc_stack stk;
	unsigned int i;
	u8 *p[16];

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = tinyalloc_alloc(1 + i, GFP_ATOMIC);
		if (p[i])
			memset(p[i], i, 1 + i);
	}
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (!p[i] || memchr_inv(p[i], i, 1 + i))
			atomic_inc(errors);
		tinyalloc_free(p[i]);
	}
	if (tinyalloc_stack_alloc(&stk, 4096, GFP_ATOMIC))
		atomic_inc(errors);
	else
		tinyalloc_stack_free(&stk);
}

static void irq_load_done(struct irq_load *l)
{
	if (atomic_dec_and_test(l->left))
		complete(l->done);
}

static enum hrtimer_restart irq_load_hard(struct hrtimer *t)
{
	struct irq_load *l = container_of(t, struct irq_load, hrt);

	l->hard_ok = in_hardirq();
	irq_alloc_free(l->errors);
	irq_load_done(l);
	return HRTIMER_NORESTART;
}

static void irq_load_soft(struct timer_list *t)
{
	struct irq_load *l = from_timer(l, t, tl);

	l->soft_ok = in_serving_softirq();
	irq_alloc_free(l->errors);
	irq_load_done(l);
}

static void irq_load_start(void *arg)
{
	struct irq_load *l = per_cpu_ptr((struct irq_load __force __percpu *)arg,
					 smp_processor_id());

	hrtimer_start(&l->hrt, ns_to_ktime(500 * NSEC_PER_USEC), HRTIMER_MODE_REL_PINNED_HARD);
	l->tl.expires = jiffies + 1;
	add_timer_on(&l->tl, smp_processor_id());
}

static void test_irq_all_cpus(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(done);
	atomic_t left, errors = ATOMIC_INIT(0);
	struct irq_load __percpu *loads;
	unsigned int cpu, round;

	need_smp(test);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "no allocation from hard IRQ on PREEMPT_RT");
	loads = alloc_percpu(struct irq_load);
	KUNIT_ASSERT_FALSE(test, !loads);
	for (round = 0; round < 20; round++) {
		cpus_read_lock();
		atomic_set(&left, 2 * num_online_cpus());
		reinit_completion(&done);
		for_each_online_cpu(cpu) {
			struct irq_load *l = per_cpu_ptr(loads, cpu);

			hrtimer_init(&l->hrt, CLOCK_MONOTONIC,
				     HRTIMER_MODE_REL_PINNED_HARD);
			l->hrt.function = irq_load_hard;
			timer_setup(&l->tl, irq_load_soft, TIMER_PINNED);
			l->left = &left;
			l->errors = &errors;
			l->done = &done;
		}
		on_each_cpu(irq_load_start, (void __force *)loads, 1);
		cpus_read_unlock();
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&done, 30 * HZ), 0);
		for_each_online_cpu(cpu) {
			KUNIT_EXPECT_TRUE(test, per_cpu_ptr(loads, cpu)->hard_ok);
			KUNIT_EXPECT_TRUE(test, per_cpu_ptr(loads, cpu)->soft_ok);
			hrtimer_cancel(&per_cpu_ptr(loads, cpu)->hrt);
			del_timer_sync(&per_cpu_ptr(loads, cpu)->tl);
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	free_percpu(loads);
}

/* ---- CPU offline and online in the middle of a stress ---- */

struct hp_stress {
	atomic_t stop;
	atomic_t errors;
	atomic_t running;
	struct completion done;
};

static int hp_worker(void *arg)
{
	struct hp_stress *s = arg;
	struct tinyalloc_stack stk[4];
	struct rnd_state rnd;
	u8 *p[64];
	unsigned int i, n = 0;

	prandom_seed_state(&rnd, (unsigned long)current);
	while (!atomic_read(&s->stop)) {
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			u8 len = 1 + prandom_u32_state(&rnd) % 15;

			p[i] = tinyalloc_alloc(len, GFP_KERNEL);
			if (p[i]) {
				p[i][0] = len;
				memset(p[i] + 1, i, len - 1);
			}
		}
		for (i = 0; i < ARRAY_SIZE(stk); i++)
			if (tinyalloc_stack_alloc(&stk[i], 2048 << i, GFP_KERNEL))
				stk[i].lo = 0;
		cond_resched();
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			if (!p[i] || memchr_inv(p[i] + 1, i, p[i][0] - 1))
				atomic_inc(&s->errors);
			tinyalloc_free(p[i]);
		}
		for (i = 0; i < ARRAY_SIZE(stk); i++) {
			if (!stk[i].lo)
				atomic_inc(&s->errors);
			tinyalloc_stack_free(&stk[i]);
		}
		n++;
	}
	if (atomic_dec_and_test(&s->running))
		complete(&s->done);
	return 0;
}

/* A CPU that is offline holds nothing: its block and caches are drained. */
static void expect_drained(struct kunit *test, unsigned int cpu)
{
	struct ta_tiny_cpu *c = per_cpu_ptr(ta_main->cpu, cpu);
	unsigned int order;

	KUNIT_EXPECT_EQ(test, c->block, 0);
	KUNIT_EXPECT_NULL(test, c->span);
	for (order = 0; order < TA_STACK_ORDERS; order++)
		KUNIT_EXPECT_EQ(test,
				per_cpu_ptr(ta_stacks->cpu, cpu)->cache[order].bytes,
				0);
}

static void test_hotplug_stress(struct kunit *test)
{
	struct hp_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long tiny_live, stacks_live;
	unsigned int i, cpu, nr = num_online_cpus(), cycles = 0;
	struct task_struct *t;

	need_smp(test);
	KUNIT_ASSERT_NOT_NULL(test, s);
	tiny_live = ta_stat_sum(ta_main->stats, TA_TINY_ALLOCS) -
		    ta_stat_sum(ta_main->stats, TA_TINY_FREES);
	stacks_live = ta_stat_sum(ta_stacks->stats, TA_STACK_ALLOCS) -
		      ta_stat_sum(ta_stacks->stats, TA_STACK_FREES);
	init_completion(&s->done);
	atomic_set(&s->running, nr);
	for (i = 0; i < nr; i++) {
		t = kthread_run(hp_worker, s, "ta_hotplug/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 3; i++) {
		for (cpu = 1; cpu < nr; cpu++) {
			msleep(20);
			if (remove_cpu(cpu))
				continue;
			expect_drained(test, cpu);
			msleep(20);
			KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
			cycles++;
		}
	}
	atomic_set(&s->stop, 1);
	wait_for_completion(&s->done);
	KUNIT_EXPECT_GT(test, cycles, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_main->stats, TA_TINY_ALLOCS) -
			ta_stat_sum(ta_main->stats, TA_TINY_FREES), tiny_live);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_stacks->stats, TA_STACK_ALLOCS) -
			ta_stat_sum(ta_stacks->stats, TA_STACK_FREES), stacks_live);
	kunit_info(test, "%u offline/online cycles under load\n", cycles);
}

/* ---- load: millions of operations on every CPU at once ---- */

struct load {
	unsigned long tiny_ops, stack_ops;	/* per worker */
	atomic_long_t done_tiny, done_stack;
	atomic_t errors;
	atomic_t running;
	struct completion done;
};

static int load_worker(void *arg)
{
	struct load *l = arg;
	struct tinyalloc_stack stk[8];
	unsigned long tiny = 0, stacks = 0;
	unsigned int i;
	u8 *p[64];

	while (tiny < l->tiny_ops) {
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			u8 len = 1 + (tiny / 2 + i) % 15;

			p[i] = tinyalloc_alloc(len, GFP_KERNEL);
			if (p[i]) {
				p[i][0] = len;
				p[i][len - 1] = len;
			}
		}
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			if (!p[i] || p[i][p[i][0] - 1] != p[i][0])
				atomic_inc(&l->errors);
			tinyalloc_free(p[i]);
		}
		tiny += 2 * ARRAY_SIZE(p);
		if (stacks < l->stack_ops) {
			for (i = 0; i < ARRAY_SIZE(stk); i++) {
				if (tinyalloc_stack_alloc(&stk[i], 2048 << (i % 4),
							  GFP_KERNEL))
					atomic_inc(&l->errors);
				else
					*(unsigned long *)(stk[i].hi - sizeof(long)) = i;
			}
			for (i = 0; i < ARRAY_SIZE(stk); i++) {
				if (stk[i].lo &&
				    *(unsigned long *)(stk[i].hi - sizeof(long)) != i)
					atomic_inc(&l->errors);
				tinyalloc_stack_free(&stk[i]);
			}
			stacks += 2 * ARRAY_SIZE(stk);
		}
		cond_resched();
	}
	atomic_long_add(tiny, &l->done_tiny);
	atomic_long_add(stacks, &l->done_stack);
	if (atomic_dec_and_test(&l->running))
		complete(&l->done);
	return 0;
}

static void test_load(struct kunit *test)
{
	struct load *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	unsigned int cpu, nr;
	struct task_struct *t;
	u64 start;

	need_smp(test);
	KUNIT_ASSERT_NOT_NULL(test, l);
	nr = num_online_cpus();
	/* 10 million tiny and 1 million stack operations in all. */
	l->tiny_ops = 10000000 / nr;
	l->stack_ops = 1000000 / nr;
	init_completion(&l->done);
	atomic_set(&l->running, nr);
	start = ktime_get_ns();
	for_each_online_cpu(cpu) {
		t = kthread_create(load_worker, l, "ta_load/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	wait_for_completion(&l->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->errors), 0);
	KUNIT_EXPECT_GE(test, atomic_long_read(&l->done_tiny), 10000000L - 128 * nr);
	KUNIT_EXPECT_GE(test, atomic_long_read(&l->done_stack), 1000000L - 16 * nr);
	kunit_info(test, "%u CPUs: %ld tiny and %ld stack operations in %llu ms\n",
		   nr, atomic_long_read(&l->done_tiny),
		   atomic_long_read(&l->done_stack),
		   (ktime_get_ns() - start) / NSEC_PER_MSEC);
}

static struct kunit_case smp_cases[] = {
	KUNIT_CASE_SLOW(test_cross_cpu_free),
	KUNIT_CASE_SLOW(test_irq_all_cpus),
	KUNIT_CASE_SLOW(test_hotplug_stress),
	KUNIT_CASE_SLOW(test_load),
	{}
};

static struct kunit_suite smp_suite = {
	.name = "tinyalloc_smp",
	.test_cases = smp_cases,
};

kunit_test_suite(smp_suite);
