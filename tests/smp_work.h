/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multi-CPU workloads shared by the KUnit SMP suite (smp_kunit.c) and the
 * plain stress module for kernels without KUnit (tinyalloc_stress.c).
 *
 * handoff: one kthread per online CPU, bound to it; in each round every
 * worker fills a batch of tiny objects and stacks with a pattern, all meet
 * at a barrier, then each checks and frees the next CPU's batch, so every
 * free is a remote one.  hotplug: unbound workers allocate, check and free
 * in a loop while the caller takes CPUs offline and online.
 *
 * Static functions in a header, so that each module has its own copy: an
 * object file may belong to one module only.
 */
#ifndef _TINYALLOC_SMP_WORK_H
#define _TINYALLOC_SMP_WORK_H

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"
#include "each_cpu.h"

#define SMP_BATCH	512
#define SMP_ROUNDS	40

static u8 pattern(unsigned int owner, unsigned int i, unsigned int j)
{
	return owner * 67 + i * 13 + j;
}

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

/*
 * Run the handoff on every online CPU with the instances in @h; return
 * when all workers are done, or an errno if they could not be started.
 */
static int handoff_run(struct handoff *h)
{
	struct task_struct **t;
	int err = 0;

	t = kcalloc(nr_cpu_ids, sizeof(*t), GFP_KERNEL);
	h->batch = kvcalloc(nr_cpu_ids, sizeof(*h->batch), GFP_KERNEL);
	if (!t || !h->batch) {
		err = -ENOMEM;
		goto out;
	}
	init_completion(&h->done);
	cpus_read_lock();
	h->nr = num_online_cpus();
	atomic_set(&h->running, h->nr);
	err = start_on_cpus(handoff_worker, h, h->nr, "ta_handoff", t);
	cpus_read_unlock();
	if (!err)
		wait_for_completion(&h->done);
out:
	kvfree(h->batch);
	h->batch = NULL;
	kfree(t);
	return err;
}

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
		/*
		 * Sleep, not cond_resched(): on PREEMPT_RT the allocator's
		 * per-CPU sections are preemptible with migration disabled,
		 * and a task switched in there is not pushed off a CPU going
		 * offline.  One that never sleeps afterwards keeps that CPU
		 * from emptying, and the hotplug waits for ever.  Waking up
		 * moves the worker to an active CPU, so the objects it holds
		 * are often freed on another one.
		 */
		usleep_range(20, 50);
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

/*
 * Start @nr hotplug workers on @s; hotplug_stop() ends them.  Return an
 * errno if not all could be started (those that were are stopped).
 */
static int hotplug_start(struct hp_stress *s, unsigned int nr)
{
	struct task_struct *t;
	unsigned int i;

	init_completion(&s->done);
	atomic_set(&s->stop, 0);
	atomic_set(&s->running, nr);
	for (i = 0; i < nr; i++) {
		t = kthread_run(hp_worker, s, "ta_hotplug/%u", i);
		if (IS_ERR(t)) {
			/* Those that never started will not finish. */
			atomic_sub(nr - i, &s->running);
			atomic_set(&s->stop, 1);
			if (i)
				wait_for_completion(&s->done);
			return PTR_ERR(t);
		}
	}
	return 0;
}

static void hotplug_stop(struct hp_stress *s)
{
	atomic_set(&s->stop, 1);
	wait_for_completion(&s->done);
}

/*
 * Take CPUs 1..@nr-1 offline and online @rounds times while the workers
 * run, calling @offline(@arg, cpu) while each is down.  A CPU that does
 * not come back counts as an error.  Return the cycles done.
 */
static unsigned int hotplug_cycles(struct hp_stress *s, unsigned int nr,
				   unsigned int rounds,
				   void (*offline)(void *arg, unsigned int cpu),
				   void *arg)
{
	unsigned int i, cpu, cycles = 0;

	for (i = 0; i < rounds; i++) {
		for (cpu = 1; cpu < nr; cpu++) {
			msleep(20);
			if (remove_cpu(cpu))
				continue;
			offline(arg, cpu);
			msleep(20);
			if (add_cpu(cpu))
				atomic_inc(&s->errors);
			else
				cycles++;
		}
	}
	return cycles;
}

#endif /* _TINYALLOC_SMP_WORK_H */
