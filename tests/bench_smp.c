// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny objects on every CPU at once, one kthread bound to each: the time
 * per operation with all online CPUs against the same with one CPU.
 *
 *   pair      allocate and free at once
 *   burst     allocate 10k, then free them all
 *   handoff   producer/consumer: each CPU allocates a batch, all meet, each
 *             frees the next CPU's batch (with one CPU, its own); only the
 *             allocating and freeing is timed, not the waits at the
 *             meeting points (with more vCPUs than host cores, as under
 *             TCG here, those measure the host's scheduler)
 *
 * Meant for qemu -smp 2 under TCG on a host with at least 2 cores,
 * where absolute times mean little: bench-report.py prints the ratio of
 * the two per-op times, and kmalloc's ratio is the reference.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched.h>

#include "bench.h"
#include "each_cpu.h"

#define SMP_OPS		200000
#define SMP_BURST	10000
#define SMP_BATCH	256
#define SMP_SIZE	7

enum smp_kind { SMP_PAIR, SMP_BURST_KIND, SMP_HANDOFF, SMP_NR_KINDS };

static const char * const smp_kind_names[SMP_NR_KINDS] = {
	"pair", "burst", "handoff",
};

struct smp_run {
	enum bench_tiny a;
	enum smp_kind kind;
	unsigned long ops;		/* per worker */
	unsigned int burst;		/* objects per burst */
	unsigned int nr;		/* workers */
	atomic_t arrived, phase, running, errors;
	struct completion done;
	u64 *ns;			/* per worker */
	void **slot;			/* SMP_BURST per worker */
};

/* All workers wait here until every one has arrived. */
static void smp_barrier(struct smp_run *r)
{
	int phase = atomic_read(&r->phase);

	if (atomic_inc_return(&r->arrived) == r->nr) {
		atomic_set(&r->arrived, 0);
		atomic_inc(&r->phase);
		return;
	}
	while (atomic_read(&r->phase) == phase)
		cpu_relax();
}

/* Run the case; return the ns it took, or 0 if an allocation failed. */
static __always_inline u64 smp_work(enum bench_tiny a, struct smp_run *r,
				    unsigned int me)
{
	u64 t = ktime_get_ns(), work = 0;
	void **mine = &r->slot[me * SMP_BURST];
	void **next = &r->slot[((me + 1) % r->nr) * SMP_BURST];
	unsigned long i, j;
	u8 *p;

	switch (r->kind) {
	case SMP_PAIR:
		for (i = 0; i < r->ops; i++) {
			p = bench_tiny_alloc(a, SMP_SIZE);
			if (!p)
				return 0;
			*p = i;
			bench_tiny_free(a, p);
		}
		break;
	case SMP_BURST_KIND:
		for (i = 0; i < r->ops; i += 2 * r->burst) {
			for (j = 0; j < r->burst; j++) {
				mine[j] = bench_tiny_alloc(a, SMP_SIZE);
				if (!mine[j])
					return 0;
			}
			for (j = 0; j < r->burst; j++)
				bench_tiny_free(a, mine[j]);
		}
		break;
	default:
		/* A worker that fails an allocation still meets the others. */
		for (i = 0; i < r->ops; i += 2 * SMP_BATCH) {
			t = ktime_get_ns();
			for (j = 0; j < SMP_BATCH; j++) {
				mine[j] = bench_tiny_alloc(a, SMP_SIZE);
				if (!mine[j])
					atomic_inc(&r->errors);
			}
			work += ktime_get_ns() - t;
			smp_barrier(r);
			t = ktime_get_ns();
			for (j = 0; j < SMP_BATCH; j++)
				if (next[j])
					bench_tiny_free(a, next[j]);
			work += ktime_get_ns() - t;
			smp_barrier(r);
		}
		return work ?: 1;
	}
	return ktime_get_ns() - t ?: 1;
}

static int smp_worker(void *arg)
{
	struct smp_run *r = arg;
	unsigned int me = atomic_inc_return(&r->running) - 1;
	u64 ns;

	smp_barrier(r);
	switch (r->a) {
	case BENCH_KMALLOC:
		ns = smp_work(BENCH_KMALLOC, r, me);
		break;
	case BENCH_KMEM_CACHE:
		ns = smp_work(BENCH_KMEM_CACHE, r, me);
		break;
	case BENCH_PAGE_FRAG:
		ns = smp_work(BENCH_PAGE_FRAG, r, me);
		break;
	case BENCH_BESTFIT:
		ns = smp_work(BENCH_BESTFIT, r, me);
		break;
	default:
		ns = smp_work(BENCH_TINYALLOC, r, me);
	}
	r->ns[me] = ns;
	if (!ns)
		atomic_inc(&r->errors);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

/* Median ns per op (x100) of @nr workers on the first @nr online CPUs. */
static int smp_measure(struct smp_run *r, struct task_struct **t,
		       unsigned int nr, u64 *x100)
{
	int err;

	r->nr = nr;
	atomic_set(&r->arrived, 0);
	atomic_set(&r->running, 0);
	atomic_set(&r->errors, 0);
	init_completion(&r->done);
	memset(r->slot, 0, nr_cpu_ids * SMP_BURST * sizeof(*r->slot));
	cpus_read_lock();
	err = start_on_cpus(smp_worker, r, nr, "ta_bench", t);
	if (!err)
		wait_for_completion(&r->done);
	cpus_read_unlock();
	if (err)
		return err;
	if (atomic_read(&r->errors))
		return -ENOMEM;
	*x100 = div64_u64(bench_median(r->ns, nr) * 100, r->ops);
	return 0;
}

/**
 * bench_smp_run() - the multi-CPU cases, all CPUs against one
 *
 * Return: 0, or an errno if a worker could not start or allocate.
 */
int bench_smp_run(void)
{
	static u64 one[BENCH_NR_TINY][BENCH_MAX_REPS];
	static u64 all[BENCH_NR_TINY][BENCH_MAX_REPS];
	struct smp_run r = {};
	struct task_struct **t;
	unsigned int nr, rep, i, a, k;
	u64 x;
	int err = 0;

	/* The drains between runs take the hotplug lock themselves. */
	nr = num_online_cpus();
	r.ns = kcalloc(nr_cpu_ids, sizeof(*r.ns), GFP_KERNEL);
	t = kcalloc(nr_cpu_ids, sizeof(*t), GFP_KERNEL);
	r.slot = kvcalloc(nr_cpu_ids * SMP_BURST, sizeof(*r.slot), GFP_KERNEL);
	if (!r.ns || !t || !r.slot) {
		err = -ENOMEM;
		goto out;
	}
	r.ops = bench_quick ? 2 * SMP_BATCH : SMP_OPS;
	r.burst = bench_quick ? SMP_BATCH : SMP_BURST;
	for (k = 0; k < SMP_NR_KINDS && !err; k++) {
		r.kind = k;
		for (rep = 0; rep < bench_reps && !err; rep++) {
			for (i = 0; i < BENCH_NR_TINY && !err; i++) {
				a = bench_rotate(i, rep, BENCH_NR_TINY);
				r.a = a;
				err = smp_measure(&r, t, 1, &x);
				one[a][rep] = x;
				if (!err)
					err = smp_measure(&r, t, nr, &x);
				all[a][rep] = x;
				bench_drain_frags();
				bench_drain_tiny();
			}
		}
		for (a = 0; a < BENCH_NR_TINY && !err; a++) {
			bench_report("smp", smp_kind_names[k], bench_tiny_names[a],
				     "ns_1cpu", bench_median(one[a], bench_reps));
			bench_report("smp", smp_kind_names[k], bench_tiny_names[a],
				     "ns_allcpus", bench_median(all[a], bench_reps));
		}
	}
	pr_info("smp: %u CPUs\n", nr);
out:
	kvfree(r.slot);
	kfree(t);
	kfree(r.ns);
	return err;
}
