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
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/timer.h>

#include "core.h"
#include "smp_work.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

static void need_smp(struct kunit *test)
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 or more CPUs, %u online",
			   num_online_cpus());
}

/* ---- frees on another CPU ---- */

static void test_cross_cpu_free(struct kunit *test)
{
	struct handoff *h;

	need_smp(test);
	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->ta = ta_tiny_create(16, false);
	h->st = ta_stack_create(2048, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->ta) || IS_ERR(h->st));
	KUNIT_ASSERT_EQ(test, handoff_run(h), 0);

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
	unsigned long finished;
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
		finished = wait_for_completion_timeout(&done, 30 * HZ);
		/* No timer may outlive the case, whatever it asserts. */
		for_each_online_cpu(cpu) {
			hrtimer_cancel(&per_cpu_ptr(loads, cpu)->hrt);
			del_timer_sync(&per_cpu_ptr(loads, cpu)->tl);
		}
		KUNIT_ASSERT_NE(test, finished, 0);
		for_each_online_cpu(cpu) {
			KUNIT_EXPECT_TRUE(test, per_cpu_ptr(loads, cpu)->hard_ok);
			KUNIT_EXPECT_TRUE(test, per_cpu_ptr(loads, cpu)->soft_ok);
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	free_percpu(loads);
}

/* ---- CPU offline and online in the middle of a stress ---- */

/* A CPU that is offline holds nothing: its block and caches are drained. */
static void expect_drained(void *arg, unsigned int cpu)
{
	struct kunit *test = arg;
	struct ta_tiny_cpu *c = per_cpu_ptr(ta_main->cpu, cpu);
	unsigned int order;

	KUNIT_EXPECT_FALSE(test, ta_tiny_cpu_holds(c));
	for (order = 0; order < TA_STACK_ORDERS; order++)
		KUNIT_EXPECT_EQ(test,
				ta_stack_cpu_cached(per_cpu_ptr(ta_stacks->cpu, cpu),
						    order),
				0);
}

static void test_hotplug_stress(struct kunit *test)
{
	struct hp_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long tiny_live, stacks_live;
	unsigned int nr = num_online_cpus(), cycles;

	need_smp(test);
	KUNIT_ASSERT_NOT_NULL(test, s);
	tiny_live = ta_stat_sum(ta_main->stats, TA_TINY_ALLOCS) -
		    ta_stat_sum(ta_main->stats, TA_TINY_FREES);
	stacks_live = ta_stat_sum(ta_stacks->stats, TA_STACK_ALLOCS) -
		      ta_stat_sum(ta_stacks->stats, TA_STACK_FREES);
	KUNIT_ASSERT_EQ(test, hotplug_start(s, nr), 0);
	cycles = hotplug_cycles(s, nr, 3, expect_drained, test);
	hotplug_stop(s);
	/* Every CPU but 0 went offline and online in each round. */
	KUNIT_EXPECT_EQ(test, cycles, (nr - 1) * 3);
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

/* Objects handed out by the module, tiny and kmalloc-backed. */
static unsigned long objects_served(void)
{
	return ta_stat_sum(ta_main->stats, TA_TINY_ALLOCS) +
	       ta_stat_sum(ta_global_stats_get(), TA_KMALLOC_ALLOCS);
}

static unsigned long objects_freed(void)
{
	return ta_stat_sum(ta_main->stats, TA_TINY_FREES) +
	       ta_stat_sum(ta_global_stats_get(), TA_KMALLOC_FREES);
}

static void test_load(struct kunit *test)
{
	struct load *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	unsigned long served = objects_served(), freed = objects_freed();
	unsigned long stacks = ta_stat_sum(ta_stacks->stats, TA_STACK_ALLOCS);
	unsigned long stacks_freed = ta_stat_sum(ta_stacks->stats,
						 TA_STACK_FREES);
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
	/* The per-CPU counters lost no event while every CPU counted. */
	KUNIT_EXPECT_EQ(test, objects_served() - served,
			atomic_long_read(&l->done_tiny) / 2);
	KUNIT_EXPECT_EQ(test, objects_freed() - freed,
			atomic_long_read(&l->done_tiny) / 2);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_stacks->stats, TA_STACK_ALLOCS) -
			stacks, atomic_long_read(&l->done_stack) / 2);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(ta_stacks->stats, TA_STACK_FREES) -
			stacks_freed, atomic_long_read(&l->done_stack) / 2);
	kunit_info(test, "%u CPUs: %ld tiny and %ld stack operations in %llu ms\n",
		   nr, atomic_long_read(&l->done_tiny),
		   atomic_long_read(&l->done_stack),
		   (ktime_get_ns() - start) / NSEC_PER_MSEC);
}

/* ---- bad frees racing with the end of a span ---- */

/* A kthread on another CPU freeing again what this one frees. */
struct race {
	bool stop;
	struct completion done;
};

/*
 * Start @fn on a CPU other than this one, which stays where it is until
 * race_stop(); false if no kthread could be made.
 */
static bool race_start(struct race *r, int (*fn)(void *), void *arg,
		       const char *name)
{
	struct task_struct *t;

	init_completion(&r->done);
	migrate_disable();
	t = kthread_create(fn, arg, "%s", name);
	if (IS_ERR(t)) {
		migrate_enable();
		return false;
	}
	kthread_bind(t, cpumask_any_but(cpu_online_mask, smp_processor_id()));
	wake_up_process(t);
	return true;
}

static void race_stop(struct race *r)
{
	migrate_enable();
	WRITE_ONCE(r->stop, true);
	wait_for_completion(&r->done);
}

struct span_race {
	struct race race;
	struct ta_tiny *ta;
	void *target;		/* what the other CPU frees, again and again */
};

static int span_race_freer(void *arg)
{
	struct span_race *r = arg;
	void *p;

	while (!READ_ONCE(r->race.stop)) {
		p = READ_ONCE(r->target);
		if (p)
			tinyalloc_free(p);
		cond_resched();
	}
	complete(&r->race.done);
	return 0;
}

/*
 * One CPU makes a span, frees its one object and lets the span go back
 * to the page allocator (keep_empty 0), over and over; another frees
 * that object too, before and after.  Its late frees race with the
 * span's end: they must read a header that is the span's, or none
 * (KASAN would report a read of the freed pages), and everything adds
 * up afterwards.
 */
static void test_span_end_race(struct kunit *test)
{
	struct span_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i, cpu, rounds = 20000;
	char *p;

	need_smp(test);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->ta = ta_tiny_create(16, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->ta));
	r->ta->keep_empty = 0;
	if (!race_start(&r->race, span_race_freer, r, "ta_race")) {
		ta_tiny_destroy(r->ta);
		KUNIT_FAIL(test, "no kthread");
		return;
	}
	for (i = 0; i < rounds; i++) {
		p = ta_tiny_alloc(r->ta, 8, GFP_KERNEL);
		if (!p)
			break;
		WRITE_ONCE(r->target, p);
		tinyalloc_free(p);
		ta_tiny_drain_local(r->ta);
	}
	race_stop(&r->race);
	KUNIT_EXPECT_EQ(test, i, rounds);
	for_each_possible_cpu(cpu)
		ta_tiny_drain_cpu(r->ta, cpu);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(r->ta->stats, TA_TINY_ALLOCS),
			ta_stat_sum(r->ta->stats, TA_TINY_FREES));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(r->ta->stats, TA_TINY_SPANS_ALLOC),
			ta_stat_sum(r->ta->stats, TA_TINY_SPANS_FREED));
	ta_tiny_destroy(r->ta);
}

struct stack_race {
	struct race race;
	unsigned long lo, hi;	/* what the other CPU frees, again and again */
};

static int stack_race_freer(void *arg)
{
	struct stack_race *r = arg;
	struct tinyalloc_stack stk;

	while (!READ_ONCE(r->race.stop)) {
		stk.lo = READ_ONCE(r->lo);
		stk.hi = READ_ONCE(r->hi);
		if (stk.lo)
			tinyalloc_stack_free(&stk);
		cond_resched();
	}
	complete(&r->race.done);
	return 0;
}

/* Take @n stacks of @size; publish the highest for the racing frees. */
static int stack_race_take(struct ta_stack *st, struct stack_race *r,
			   struct tinyalloc_stack *stk, unsigned int n,
			   size_t size)
{
	unsigned int i, top = 0;

	for (i = 0; i < n; i++) {
		if (ta_stack_alloc(st, &stk[i], size, GFP_KERNEL)) {
			while (i--)
				tinyalloc_stack_free(&stk[i]);
			return -ENOMEM;
		}
		if (stk[i].lo > stk[top].lo)
			top = i;
	}
	WRITE_ONCE(r->lo, stk[top].lo);
	WRITE_ONCE(r->hi, stk[top].hi);
	return 0;
}

/*
 * The same for stacks: one CPU takes stacks from a new pool span (or a
 * large stack), frees them and gives the memory back to the page
 * allocator (keep_empty 0, the large lists scanned), over and over;
 * another frees the same bounds too.  A 64 KiB span of 16 KiB stacks is
 * two pieces of the map: of three stacks, the highest is in the second.
 * The frees race with the memory's end and reuse: the lookup must find
 * the descriptor or nothing (the sequence count of the span map), each
 * stack is freed once, and everything adds up.
 */
static void test_stack_span_end_race(struct kunit *test)
{
	struct stack_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i, j, n, cpu, rounds = 20000;
	struct tinyalloc_stack stk[3];
	struct ta_stack *st;

	need_smp(test);
	KUNIT_ASSERT_NOT_NULL(test, r);
	st = ta_stack_create(2048, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(st));
	st->keep_empty = 0;
	if (!race_start(&r->race, stack_race_freer, r, "ta_stack_race")) {
		ta_stack_destroy(st);
		KUNIT_FAIL(test, "no kthread");
		return;
	}
	for (i = 0; i < rounds; i++) {
		n = i & 1 ? 1 : 3;
		if (stack_race_take(st, r, stk, n, i & 1 ? SZ_64K : SZ_16K))
			break;
		for (j = 0; j < n; j++)
			tinyalloc_stack_free(&stk[j]);
		ta_stack_drain_local(st);
		ta_stack_large_scan(st, ULONG_MAX);
	}
	race_stop(&r->race);
	KUNIT_EXPECT_EQ(test, i, rounds);
	for_each_possible_cpu(cpu)
		ta_stack_drain_cpu(st, cpu);
	ta_stack_large_scan(st, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, ta_stat_sum(st->stats, TA_STACK_ALLOCS),
			ta_stat_sum(st->stats, TA_STACK_FREES));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(st->stats, TA_STACK_SPANS_ALLOC),
			ta_stat_sum(st->stats, TA_STACK_SPANS_FREED));
	KUNIT_EXPECT_EQ(test, ta_stat_sum(st->stats, TA_STACK_LARGE_PAGES),
			ta_stat_sum(st->stats, TA_STACK_LARGE_PAGES_FREED));
	KUNIT_EXPECT_EQ(test, ta_stack_spans(st, NUMA_NO_NODE, 3), 0);
	ta_stack_destroy(st);
}

static struct kunit_case smp_cases[] = {
	KUNIT_CASE_SLOW(test_cross_cpu_free),
	KUNIT_CASE_SLOW(test_irq_all_cpus),
	KUNIT_CASE_SLOW(test_hotplug_stress),
	KUNIT_CASE_SLOW(test_load),
	KUNIT_CASE_SLOW(test_span_end_race),
	KUNIT_CASE_SLOW(test_stack_span_end_race),
	{}
};

static struct kunit_suite smp_suite = {
	.name = "tinyalloc_smp",
	.test_cases = smp_cases,
};

kunit_test_suite(smp_suite);
